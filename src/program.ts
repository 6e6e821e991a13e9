/**
 * The Pulumi program at the project root (Pulumi.yaml `main: dist/main.js`): one `SpuCluster`
 * from the stack's `fluvio-spu:cluster` config and the project's port registry.
 */
import * as pulumi from "@pulumi/pulumi";
import { SpuCluster, type SpuClusterArgs } from "./component";
import type { ClusterConfig } from "./config/schema";
import { CONFIG_NAMESPACE, loadRegistry } from "./config/stack";

/** Config keys the program reads besides `cluster` (all optional). */
export const PROGRAM_CONFIG_KEYS = {
  /** The cluster config itself (required). */
  cluster: "cluster",
  /** TLS server certificate, key and CA (PEM), set with `pulumi config set --secret`. */
  tlsServerCert: "tlsServerCert",
  tlsServerKey: "tlsServerKey",
  tlsCaCert: "tlsCaCert",
  /**
   * An admin client certificate and key (PEM) signed by the CA, secrets too: with TLS on
   * Docker, the SPU registration jobs present them to the SC (their profile is verified).
   */
  tlsClientCert: "tlsClientCert",
  tlsClientKey: "tlsClientKey",
  /** `false` skips the port preflight (default true). */
  preflight: "preflight",
} as const;

/** What the program exports as stack outputs: the cluster's outputs. */
export interface ClusterOutputs {
  spus: SpuCluster["spus"];
  sc: SpuCluster["sc"];
  ports: SpuCluster["ports"];
  clientProfile: SpuCluster["clientProfile"];
  containerClientProfile: SpuCluster["containerClientProfile"];
}

/**
 * Declares the stack's cluster: reads `fluvio-spu:cluster` (and the optional TLS secrets and
 * `preflight` switch), loads `stacks/ports.registry.yaml` from the project directory (Pulumi
 * runs programs there), creates one `SpuCluster` and returns its outputs. Throws `ConfigError`
 * for bad config.
 */
export function declareCluster(): ClusterOutputs {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const cluster = config.requireObject<ClusterConfig>(PROGRAM_CONFIG_KEYS.cluster);
  const args: SpuClusterArgs = {
    ...cluster,
    registry: loadRegistry(process.cwd()),
    preflight: config.getBoolean(PROGRAM_CONFIG_KEYS.preflight) ?? true,
    ...tlsFromConfig(config),
  };
  const spuCluster = new SpuCluster(cluster.name ?? "fluvio", args);
  return {
    spus: spuCluster.spus,
    sc: spuCluster.sc,
    ports: spuCluster.ports,
    clientProfile: spuCluster.clientProfile,
    containerClientProfile: spuCluster.containerClientProfile,
  };
}

function tlsFromConfig(config: pulumi.Config): Pick<SpuClusterArgs, "tlsCertificates"> {
  const serverCert = config.getSecret(PROGRAM_CONFIG_KEYS.tlsServerCert);
  const serverKey = config.getSecret(PROGRAM_CONFIG_KEYS.tlsServerKey);
  const caCert = config.getSecret(PROGRAM_CONFIG_KEYS.tlsCaCert);
  const clientCert = config.getSecret(PROGRAM_CONFIG_KEYS.tlsClientCert);
  const clientKey = config.getSecret(PROGRAM_CONFIG_KEYS.tlsClientKey);
  if (serverCert === undefined || serverKey === undefined) return {};
  return {
    tlsCertificates: {
      serverCert,
      serverKey,
      ...(caCert !== undefined ? { caCert } : {}),
      ...(clientCert !== undefined ? { clientCert } : {}),
      ...(clientKey !== undefined ? { clientKey } : {}),
    },
  };
}
