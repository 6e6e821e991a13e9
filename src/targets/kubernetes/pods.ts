import { CONTAINER_PATHS } from "../../plan/layout";
import { listeningCheck } from "../../plan/health";
import type { ClusterPlan } from "../../plan/types";
import type { PodSecurityContext, Probe, SecurityContext, Volume, VolumeMount } from "./model";

/**
 * The user and group every container runs as. The `infinyon/fluvio` image does not set a
 * non-root user, so the pod sets one; `fsGroup` makes the data volume writable for it.
 */
const POD_USER = 10001;

/** Pod-level hardening shared by the SC and SPU pods. */
export function podSecurityContext(): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: POD_USER,
    runAsGroup: POD_USER,
    fsGroup: POD_USER,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * Container-level hardening: no privilege escalation, no capabilities, a read-only root
 * filesystem. What Fluvio writes goes to volumes: the SPU's data (PVC), `/tmp` and the
 * metrics socket directory (emptyDirs).
 */
export function containerSecurityContext(): SecurityContext {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * The SC's and SPUs' pods share one process namespace, so Kubernetes' pause container is PID 1
 * and `fluvio-run` is not: `fluvio-run` installs no signal handler, and as PID 1 it would ignore
 * SIGTERM and every pod deletion would wait its whole grace period before the kill. (The Docker
 * target and the Compose render run Docker's init for the same reason.) The price: the SPU's
 * exporter and the SPU see each other's processes, both as the same non-root user.
 */
export const FLUVIO_POD_INIT = { shareProcessNamespace: true } as const;

/** A Fluvio node's check: it listens on `port` (`listeningCheck`: no connection, so no TLS handshake error in its log). */
export function listeningProbeCheck(port: number): Pick<Probe, "exec"> {
  return { exec: { command: listeningCheck(port) } };
}

/** Readiness: the port accepts connections. Checked often, so a Service stops routing quickly. */
export function readinessProbe(check: Pick<Probe, "exec" | "tcpSocket" | "httpGet">): Probe {
  return { ...check, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 };
}

/** Liveness: the same check, patient enough that a slow start or a busy SPU is not restarted. */
export function livenessProbe(check: Pick<Probe, "exec" | "tcpSocket" | "httpGet">): Probe {
  return { ...check, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 };
}

/** A volume and where a container mounts it, built together so the two cannot disagree. */
export interface MountedVolume {
  volume: Volume;
  mount: VolumeMount;
}

/** Volume names, shared by a pod's `volumes` and its containers' `volumeMounts`. */
export const VOLUMES = {
  /** The SPU's PersistentVolumeClaim template (`--log-base-dir`). */
  data: "data",
  tmp: "tmp",
  metrics: "metrics",
  tls: "tls",
} as const;

/** A writable `/tmp` for a read-only root filesystem. */
export function tmpVolume(): MountedVolume {
  return { volume: { name: VOLUMES.tmp, emptyDir: { sizeLimit: "256Mi" } }, mount: { name: VOLUMES.tmp, mountPath: "/tmp" } };
}

/** The directory an SPU and its exporter share: the SPU writes its metrics socket there. */
export function metricsVolume(): MountedVolume {
  return {
    volume: { name: VOLUMES.metrics, emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    mount: { name: VOLUMES.metrics, mountPath: CONTAINER_PATHS.metricsDir },
  };
}

/**
 * The TLS files, in the Secret and in the containers: Secret key → the file name under
 * `CONTAINER_PATHS.tlsDir` the plan's `--server-cert`, `--server-key` and `--ca-cert` flags name.
 */
export const TLS_FILES = {
  serverCert: fileName(CONTAINER_PATHS.tlsServerCert),
  serverKey: fileName(CONTAINER_PATHS.tlsServerKey),
  caCert: fileName(CONTAINER_PATHS.tlsCaCert),
} as const;

/** Which TLS files the cluster's containers need (the plan's server files): the CA only when clients must show a certificate. */
export function tlsFileKeys(plan: ClusterPlan): (keyof typeof TLS_FILES)[] {
  return plan.tls.server.map((file) => file.secret).filter((secret): secret is keyof typeof TLS_FILES => secret in TLS_FILES);
}

/** The Secret volume and its read-only mount at `CONTAINER_PATHS.tlsDir`, or nothing without TLS. */
export function tlsVolume(secretName: string, keys: (keyof typeof TLS_FILES)[]): MountedVolume | null {
  if (keys.length === 0) return null;
  return {
    volume: {
      name: VOLUMES.tls,
      secret: { secretName, defaultMode: 0o440, items: keys.map((key) => ({ key: TLS_FILES[key], path: TLS_FILES[key] })) },
    },
    mount: { name: VOLUMES.tls, mountPath: CONTAINER_PATHS.tlsDir, readOnly: true },
  };
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
