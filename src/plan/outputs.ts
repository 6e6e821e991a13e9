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

/** Where clients find their TLS files when the cluster asks for client certificates. */
export interface ClientTlsFiles {
  domain: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

/**
 * A Fluvio client config (`~/.fluvio/config`, TOML) for this cluster. `inContainer: false` is for
 * clients on the host (SC public endpoint, SPUs at their public endpoints); `inContainer: true`
 * for clients inside containers (SC through its local endpoint, `use_spu_local_address = true`,
 * so each SPU is reached at its `publicEndpointLocal`).
 */
export function clientProfile(plan: ClusterPlan, options: { inContainer: boolean; tlsFiles?: ClientTlsFiles }): string {
  const profile = plan.namePrefix;
  const endpoint = options.inContainer ? (plan.sc.local ?? plan.sc.public) : plan.sc.public;
  const useLocal = options.inContainer && plan.spus.some((spu) => spu.local !== null);
  return [
    `version = "2.0"`,
    `current_profile = ${tomlString(profile)}`,
    ``,
    `[profile.${tomlKey(profile)}]`,
    `cluster = ${tomlString(profile)}`,
    ``,
    `[cluster.${tomlKey(profile)}]`,
    `endpoint = ${tomlString(endpoint)}`,
    `use_spu_local_address = ${useLocal}`,
    ``,
    `[cluster.${tomlKey(profile)}.tls]`,
    ...tlsLines(plan, options.tlsFiles),
    ``,
  ].join("\n");
}

function tlsLines(plan: ClusterPlan, files: ClientTlsFiles | undefined): string[] {
  if (plan.encryption === "PLAINTEXT") return [`tls_policy = "disabled"`];
  if (!files) return [`tls_policy = "anonymous"`];
  return [
    `tls_policy = "verified"`,
    `domain = ${tomlString(files.domain)}`,
    `tls_source = "files"`,
    `ca_cert = ${tomlString(files.caCert)}`,
    `client_cert = ${tomlString(files.clientCert)}`,
    `client_key = ${tomlString(files.clientKey)}`,
  ];
}

function tomlString(value: string): string {
  return JSON.stringify(value);
}

function tomlKey(value: string): string {
  return /^[A-Za-z0-9_-]+$/.test(value) ? value : JSON.stringify(value);
}
