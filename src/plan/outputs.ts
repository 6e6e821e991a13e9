import { CONTAINER_PATHS } from "./layout";
import type { ClusterSpec, Encryption } from "../config/schema";
import type { PortAssignment } from "../ports/allocator";
import type { ClusterPlan } from "./types";

/** One SPU as `SpuCluster.spus` and `fluvio-ports plan` show it; endpoints are `host:port`. */
export interface SpuRow {
  id: number;
  name: string;
  type: "Custom";
  rack: string | null;
  public: string;
  private: string;
  local: string | null;
  metrics: string | null;
}

/** The SC's endpoints as `SpuCluster.sc` shows them. */
export interface ScRow {
  public: string;
  private: string;
}

export function spuRows(plan: ClusterPlan): SpuRow[] {
  return plan.spus.map((spu) => ({
    id: spu.id,
    name: spu.name,
    type: spu.type,
    rack: spu.rack,
    public: spu.public,
    private: spu.private,
    local: spu.local,
    metrics: spu.metrics,
  }));
}

export function scRow(plan: ClusterPlan): ScRow {
  return { public: plan.sc.public, private: plan.sc.private };
}

export function portRows(plan: ClusterPlan): PortAssignment[] {
  return plan.ports.map((row) => ({ ...row }));
}

/** Where a client finds its TLS files when the cluster asks for client certificates. */
export interface ClientTlsFiles {
  /** The name the server's certificate is verified against. */
  domain: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

/** The file names of a client's TLS files inside its client directory. */
const CLIENT_TLS_FILE_NAMES = { clientCert: "client.crt", clientKey: "client.key", caCert: "ca.crt" } as const;

/**
 * What a client profile needs to use Fluvio's `verified` TLS policy: the name it verifies the
 * server against, and where clients on the host and in containers keep their files.
 */
export interface ClientTlsSettings {
  /** The SC's certificate must carry this name, and each SPU's `<spu name>.<domain>`. */
  domain: string;
  /** Absolute directory of `client.crt`, `client.key` and `ca.crt` for clients on the host. */
  hostDir: string;
  /** The same for clients inside containers. */
  containerDir: string;
}

/**
 * The client TLS settings of a spec, or undefined without TLS: `tls.domain` (default
 * `publicHost`), `tls.clientDir` (default `<home>/.fluvio/tls`, with `home` the home directory
 * of whoever generates the profile: Fluvio expands no `~`) and `tls.containerClientDir`
 * (default `/etc/fluvio/tls`, where this project mounts TLS files in its own containers).
 */
export function clientTlsSettings(spec: Pick<ClusterSpec, "tls" | "publicHost">, home: string): ClientTlsSettings | undefined {
  if (!spec.tls.enabled) return undefined;
  return {
    domain: spec.tls.domain ?? spec.publicHost,
    hostDir: spec.tls.clientDir ?? `${home.replace(/\/+$/, "")}/.fluvio/tls`,
    containerDir: spec.tls.containerClientDir ?? CONTAINER_PATHS.tlsDir,
  };
}

/** The files a profile names for one client directory. */
function clientTlsFiles(domain: string, dir: string): ClientTlsFiles {
  const base = dir.replace(/\/+$/, "");
  return {
    domain,
    clientCert: `${base}/${CLIENT_TLS_FILE_NAMES.clientCert}`,
    clientKey: `${base}/${CLIENT_TLS_FILE_NAMES.clientKey}`,
    caCert: `${base}/${CLIENT_TLS_FILE_NAMES.caCert}`,
  };
}

/**
 * The installation types Fluvio's CLI reads from `[cluster.<c>.metadata] installation` (what
 * `fluvio profile add <p> <host:port> <type>` writes). Without one the CLI takes the cluster for a
 * Kubernetes installation (`fluvio profile list` shows `K8`) and goes down its Kubernetes branch.
 */
export type InstallationType = "k8" | "local" | "local_k8" | "docker" | "read_only" | "cloud";

/** The installation type of a cluster deployed to `target`, as Fluvio names it. */
export function installationType(target: ClusterPlan["target"]): InstallationType {
  return target === "docker" ? "docker" : "k8";
}

/** One Fluvio client profile: which SC to talk to, how to reach SPUs, and the TLS policy. */
export interface FluvioProfile {
  /** Profile and cluster name in the config file. */
  name: string;
  /** The SC's `host:port`. */
  endpoint: string;
  /** Connect to each SPU at its local endpoint (`publicEndpointLocal`) instead of its public one. */
  useSpuLocalAddress: boolean;
  encryption: Encryption;
  /** Present a client certificate (Fluvio's `verified` policy); without it TLS is `anonymous`. */
  tlsFiles?: ClientTlsFiles;
  /** `[cluster.<c>.metadata] installation`; absent: none written (Fluvio then assumes `k8`). */
  installation?: InstallationType;
}

/**
 * A Fluvio client config file (`~/.fluvio/config`, TOML) holding one profile. Fluvio reads a
 * verified TLS policy as `tls_policy = "verified"`, `tls_source = "files"` and a `certs` table
 * of `domain`, `key`, `cert` and `ca_cert`; the file holds paths only, never a secret.
 */
export function fluvioProfileToml(profile: FluvioProfile): string {
  const cluster = `cluster.${tomlKey(profile.name)}`;
  return [
    `version = "2.0"`,
    `current_profile = ${tomlString(profile.name)}`,
    ``,
    `[profile.${tomlKey(profile.name)}]`,
    `cluster = ${tomlString(profile.name)}`,
    ``,
    `[${cluster}]`,
    `endpoint = ${tomlString(profile.endpoint)}`,
    `use_spu_local_address = ${profile.useSpuLocalAddress}`,
    ``,
    ...(profile.installation ? [`[${cluster}.metadata]`, `installation = ${tomlString(profile.installation)}`, ``] : []),
    `[${cluster}.tls]`,
    ...tlsLines(cluster, profile),
    ``,
  ].join("\n");
}

/** Which client a profile is for, and (with TLS) where it keeps its files. */
export interface ClientProfileOptions {
  /** false: clients on the host; true: clients inside containers. */
  inContainer: boolean;
  /** Required when the plan's encryption is SSL: the profile is then `verified`. */
  tls?: ClientTlsSettings;
}

/**
 * The client config for this cluster. `inContainer: false` is for clients on the host (SC
 * public endpoint, SPUs at their public endpoints); `inContainer: true` for clients inside
 * containers (SC through its local endpoint, `use_spu_local_address = true`, so each SPU is
 * reached at its `publicEndpointLocal`). With TLS the profile is always `verified`, with the
 * files of the matching client directory: a server with `--enable-client-cert` refuses clients
 * without a certificate, and 0.18.1's rustls anonymous connector very likely cannot connect at all.
 */
export function clientProfile(plan: ClusterPlan, options: ClientProfileOptions): string {
  if (plan.encryption === "SSL" && !options.tls) throw new Error("clientProfile: the plan uses TLS, so the profile needs tls settings (clientTlsSettings)");
  const tls = plan.encryption === "SSL" ? options.tls : undefined;
  return fluvioProfileToml({
    name: plan.namePrefix,
    endpoint: options.inContainer ? (plan.sc.local ?? plan.sc.public) : plan.sc.public,
    useSpuLocalAddress: options.inContainer && plan.spus.some((spu) => spu.local !== null),
    encryption: plan.encryption,
    installation: installationType(plan.target),
    ...(tls ? { tlsFiles: clientTlsFiles(tls.domain, options.inContainer ? tls.containerDir : tls.hostDir) } : {}),
  });
}

function tlsLines(cluster: string, profile: FluvioProfile): string[] {
  if (profile.encryption === "PLAINTEXT") return [`tls_policy = "disabled"`];
  if (!profile.tlsFiles) return [`tls_policy = "anonymous"`];
  return [
    `tls_policy = "verified"`,
    `tls_source = "files"`,
    ``,
    `[${cluster}.tls.certs]`,
    `domain = ${tomlString(profile.tlsFiles.domain)}`,
    `key = ${tomlString(profile.tlsFiles.clientKey)}`,
    `cert = ${tomlString(profile.tlsFiles.clientCert)}`,
    `ca_cert = ${tomlString(profile.tlsFiles.caCert)}`,
  ];
}

function tomlString(value: string): string {
  return JSON.stringify(value);
}

function tomlKey(value: string): string {
  return /^[A-Za-z0-9_-]+$/.test(value) ? value : JSON.stringify(value);
}
