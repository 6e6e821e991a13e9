/**
 * Paths inside the containers, shared by the plan's commands and every target's mounts,
 * so that a flag and the volume behind it can never disagree.
 */
export const CONTAINER_PATHS = {
  /** The `fluvio-run` binary of the `infinyon/fluvio` image. */
  fluvioRun: "/fluvio-run",
  /** SPU data (`--log-base-dir`); one named volume or PVC per SPU. */
  spuData: "/var/lib/fluvio/data",
  /** SC metadata (`sc --local <dir>`); a named volume. */
  scMetadata: "/var/lib/fluvio/metadata",
  /** Server certificate, key and CA, mounted read-only when TLS is on. */
  tlsDir: "/etc/fluvio/tls",
  tlsServerCert: "/etc/fluvio/tls/server.crt",
  tlsServerKey: "/etc/fluvio/tls/server.key",
  tlsCaCert: "/etc/fluvio/tls/ca.crt",
  /** The admin client certificate and key a registration job presents with `tls.clientAuth` (Docker). */
  tlsClientCert: "/etc/fluvio/tls/client.crt",
  tlsClientKey: "/etc/fluvio/tls/client.key",
  /** The directory shared by an SPU and its exporter; the SPU's metrics socket lives in it. */
  metricsDir: "/var/run/fluvio-metrics",
  metricsSocket: "/var/run/fluvio-metrics/spu.sock",
  /** The exporter's entry point inside its image. */
  exporterMain: "/app/exporter.js",
} as const;

/** The environment variable Fluvio's SPU reads its metrics socket path from. */
export const METRICS_SOCKET_ENV = "FLUVIO_METRIC_SPU";

/** The environment variable Fluvio's SC and SPU read their log filter from (`logLevel`). */
export const LOG_LEVEL_ENV = "RUST_LOG";

/** The exporter's health endpoint path (served on the metrics port beside `/metrics`). */
export const EXPORTER_HEALTH_PATH = "/healthz";

/**
 * Labels on every container and object the component creates: preflight recognises the
 * cluster's own containers by them (a re-deploy is not a conflict), and users can select by them.
 */
export const LABELS = {
  /** The plan's `namePrefix` (`<cluster>-<stack>`). */
  cluster: "fluvio-spu.cluster",
  stack: "fluvio-spu.stack",
  /** `sc`, `spu-<id>`, `exporter-<id>`, `register-<id>`. */
  node: "fluvio-spu.node",
} as const;

/** Docker's own name for the host as containers see it; see `config/presets`. */
export { HOST_GATEWAY } from "../config/presets";
