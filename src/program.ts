/**
 * The Pulumi program at the project root (Pulumi.yaml `main: dist/main.js`): one `SpuCluster`
 * from the stack's `fluvio-spu:cluster` config and the project's port registry.
 */
import * as pulumi from "@pulumi/pulumi";
import { SpuCluster, type SpuClusterArgs } from "./component";
import { otherStackOverlaps, planContext } from "./context";
import { ConfigError } from "./errors";
import { parseClusterSpec, type ClusterConfig } from "./config/schema";
import { CONFIG_NAMESPACE, loadRegistry, stackFilePath } from "./config/stack";
import { planCluster } from "./plan/plan";
import type { ClusterPlan } from "./plan/types";
import { findRecord, type PortRegistry } from "./ports/registry";

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
  const registry = loadRegistry(process.cwd());
  refuseUnrecordedOverlaps(process.cwd(), cluster, registry);
  const args: SpuClusterArgs = {
    ...cluster,
    registry,
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

/**
 * Refuses, before anything is created, a stack that plans host ports another stack of the
 * project (its stack file in the stack folder) plans too on the same machine, when neither of
 * the two is recorded in the port registry: their `pulumi up`s would fight over the ports, and
 * neither cluster's preflight can tell the other apart from a stranger. Which stacks overlap is
 * what `fluvio-ports check` reports (`otherStackOverlaps`). Once one is recorded, the other
 * plans around its record and nothing is refused. A config that does not plan is left to the
 * component, which reports it.
 */
function refuseUnrecordedOverlaps(root: string, cluster: ClusterConfig, registry: PortRegistry): void {
  let plan: ClusterPlan;
  try {
    const spec = parseClusterSpec({ ...cluster, name: cluster.name ?? "fluvio" });
    plan = planCluster(spec, planContext({ stack: pulumi.getStack(), project: pulumi.getProject(), target: spec.target, registry, dockerHost: new pulumi.Config("docker").get("host") ?? process.env.DOCKER_HOST }));
  } catch {
    return;
  }
  if (findRecord(registry, plan.stack, plan.cluster)) return;
  const overlaps = otherStackOverlaps(root, plan, registry).overlaps.filter(({ other }) => !findRecord(registry, other.stack, other.cluster));
  const other = overlaps[0]?.other;
  if (other === undefined) return;
  const ports = overlaps.filter((overlap) => overlap.other.stack === other.stack).map((overlap) => overlap.port);
  throw new ConfigError(
    {
      path: stackFilePath(root, plan.stack),
      message: `stack ${plan.stack} and stack ${other.stack} (${stackFilePath(root, other.stack)}) both plan host port${ports.length === 1 ? "" : "s"} ${ports.join(", ")} on host ${other.host}, and neither is recorded in stacks/ports.registry.yaml: record one (npx fluvio-ports plan --stack ${other.stack} --record) so this one plans around it, give the two stacks separate port ranges (ports:), or set strategy: stack-hash (or isolated, then record it)`,
    },
    "fluvio-spu: two stacks on one machine plan the same ports",
  );
}
