import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import type * as k8s from "@pulumi/kubernetes";
import { planContext } from "./context";
import { ConfigError, isConfigError, type ConfigIssue } from "./errors";
import { printedWithoutStack, renameIssues, resourceNameIssues } from "./component-names";
import { dropUndefined } from "./config/objects";
import { parseClusterSpec, type ClusterConfig, type ClusterSpec } from "./config/schema";
import { tlsMaterialIssues } from "./config/tls";
import { planCluster } from "./plan/plan";
import { clientProfile, portRows, scRow, spuRows, type ScRow, type SpuRow } from "./plan/outputs";
import type { ClusterPlan } from "./plan/types";
import type { PortAssignment } from "./ports/allocator";
import type { PortRegistry } from "./ports/registry";
import type { ImageInputs, TargetDeployment, TargetInputs, TlsMaterial } from "./targets/contract";
import { deployDocker } from "./targets/docker";
import { deployKubernetes } from "./targets/kubernetes";

/** The component's type token. */
export const SPU_CLUSTER_TYPE = "fluvio:index:SpuCluster";

/**
 * Arguments of `SpuCluster`: the same object a stack file holds under `fluvio-spu:cluster`,
 * plus what only a program can pass (providers, a network or images as outputs of other
 * resources, TLS material as secrets, the port registry).
 */
export interface SpuClusterArgs extends Omit<ClusterConfig, "images"> {
  /** Images, as plain names or outputs (for example of a `docker.Image` build). */
  images?: Partial<ImageInputs>;
  /** Docker: join this network (for example another resource's output) instead of creating one. */
  network?: pulumi.Input<string>;
  /** Docker: the provider of the engine to deploy to. */
  dockerProvider?: docker.Provider;
  /** Kubernetes: the provider of the cluster to deploy to. */
  kubernetesProvider?: k8s.Provider;
  /**
   * TLS server certificate, key and CA (PEM), and, with `tls.clientAuth` on Docker, an admin
   * client certificate and key signed by the CA that the SPU registration jobs present to the
   * SC. Taken as secrets whatever the caller passes.
   */
  tlsCertificates?: {
    serverCert: pulumi.Input<string>;
    serverKey: pulumi.Input<string>;
    caCert?: pulumi.Input<string>;
    clientCert?: pulumi.Input<string>;
    clientKey?: pulumi.Input<string>;
  };
  /** The port registry (claims and records); the program loads `stacks/ports.registry.yaml`. */
  registry?: PortRegistry;
  /**
   * Docker: check before creating anything that every planned host port is free (or held by
   * this cluster), and fail with `fluvio-ports check`'s message otherwise. Default true.
   */
  preflight?: boolean;
}

/**
 * A Fluvio cluster, one SC and N SPUs, deployed from one port plan to Docker or Kubernetes.
 * Every port in every mapping, registration and client profile is read from `plan`.
 */
export class SpuCluster extends pulumi.ComponentResource {
  /** One row per SPU: `id, name, type, rack, public, private, local, metrics`. */
  readonly spus: pulumi.Output<SpuRow[]>;
  /** The SC's public and private endpoints. */
  readonly sc: pulumi.Output<ScRow>;
  /** Every planned port: `owner, role, port, source`. */
  readonly ports: pulumi.Output<PortAssignment[]>;
  /** Fluvio client config for clients on the host. */
  readonly clientProfile: pulumi.Output<string>;
  /** Fluvio client config for clients inside containers (local endpoints, `use_spu_local_address = true`). */
  readonly containerClientProfile: pulumi.Output<string>;
  /** The plan this cluster was deployed from (plain data). */
  readonly plan: ClusterPlan;

  constructor(name: string, args: SpuClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Every config problem is found before anything is registered, and Pulumi prints it without a stack trace.
    const { spec, plan } = planComponent(name, args, opts);
    super(SPU_CLUSTER_TYPE, name, {}, opts);
    const { images, network, dockerProvider, kubernetesProvider, tlsCertificates, preflight } = args;
    this.plan = plan;
    // Moved records, well-known ports taken as a last resort, ranges in the ephemeral range:
    // `pulumi preview` and `up` show them on the component, as `fluvio-ports plan` prints them.
    for (const warning of plan.warnings) pulumi.log.warn(warning, this);

    const inputs: TargetInputs = {
      name,
      plan,
      images: { ...plan.images, ...dropUndefined(images ?? {}) },
      ...(tlsCertificates && plan.tls.enabled ? { tls: secretTls(tlsCertificates) } : {}),
      parent: this,
    };
    // A provider given the usual Pulumi way (`provider`, `providers` on this component or a parent) counts like dockerProvider / kubernetesProvider.
    const docker = dockerProvider ?? (this.getProvider("docker:index/container:Container") as DockerProvider | undefined);
    const kubernetes = kubernetesProvider ?? (this.getProvider("kubernetes:core/v1:Service") as KubernetesProvider | undefined);
    const deployment: TargetDeployment =
      spec.target === "docker"
        ? deployDocker(inputs, { ...(network !== undefined ? { network } : {}), ...(docker ? { provider: docker } : {}), preflight: preflight ?? true })
        : deployKubernetes(inputs, { ...(kubernetes ? { provider: kubernetes } : {}) });

    const whenReady = <T>(value: T): pulumi.Output<T> => deployment.ready.apply(() => value);
    this.spus = whenReady(spuRows(plan));
    this.sc = whenReady(scRow(plan));
    this.ports = whenReady(portRows(plan));
    this.clientProfile = whenReady(clientProfile(plan, { inContainer: false }));
    this.containerClientProfile = whenReady(clientProfile(plan, { inContainer: true }));
    this.registerOutputs({
      spus: this.spus,
      sc: this.sc,
      ports: this.ports,
      clientProfile: this.clientProfile,
      containerClientProfile: this.containerClientProfile,
    });
  }
}

type DockerProvider = NonNullable<SpuClusterArgs["dockerProvider"]>;
type KubernetesProvider = NonNullable<SpuClusterArgs["kubernetesProvider"]>;

/**
 * The validated spec and the plan of a `SpuCluster`: its args, its resource name (which names the
 * cluster unless `name` is set) and its aliases checked first. Throws a `ConfigError` that Pulumi
 * prints as it prints a user error: the message alone, no stack trace.
 */
function planComponent(name: string, args: SpuClusterArgs, opts: pulumi.ComponentResourceOptions | undefined): { spec: ClusterSpec; plan: ClusterPlan } {
  try {
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
      throw new ConfigError({ path: "(args)", message: `SpuCluster '${name}' takes an object such as { environment: "dev", spus: 3 }, not ${args === null ? "null" : Array.isArray(args) ? "a list" : typeof args}` });
    }
    const { images: _images, network: _network, dockerProvider: _docker, kubernetesProvider: _kubernetes, tlsCertificates, registry, preflight: _preflight, ...config } = args;
    const nameIssues = [...resourceNameIssues(name, config.name), ...renameIssues(name, config.name, opts?.aliases)];
    // Every problem at once: a refused resource name stands aside (as the default) while the rest is checked.
    const spec = withIssues(nameIssues, () => parseClusterSpec({ ...config, name: config.name ?? (nameIssues.length > 0 ? "fluvio" : name) }));
    const materialIssues = tlsMaterialIssues(spec, {
      serverCert: tlsCertificates?.serverCert !== undefined,
      serverKey: tlsCertificates?.serverKey !== undefined,
      caCert: tlsCertificates?.caCert !== undefined,
      clientCert: tlsCertificates?.clientCert !== undefined,
      clientKey: tlsCertificates?.clientKey !== undefined,
    });
    if (materialIssues.length > 0) throw new ConfigError(materialIssues);
    const plan = planCluster(spec, planContext({ stack: pulumi.getStack(), project: pulumi.getProject(), ...(registry ? { registry } : {}) }));
    return { spec, plan };
  } catch (error) {
    throw isConfigError(error) ? printedWithoutStack(error) : error;
  }
}

/** Runs `parse`, and throws one ConfigError with `earlier` and whatever it finds; `earlier` alone when it finds nothing. */
function withIssues<T>(earlier: readonly ConfigIssue[], parse: () => T): T {
  let value: T;
  try {
    value = parse();
  } catch (error) {
    if (isConfigError(error) && earlier.length > 0) throw new ConfigError([...earlier, ...error.issues]);
    throw error;
  }
  if (earlier.length > 0) throw new ConfigError([...earlier]);
  return value;
}

function secretTls(material: NonNullable<SpuClusterArgs["tlsCertificates"]>): TlsMaterial {
  return {
    serverCert: pulumi.secret(material.serverCert),
    serverKey: pulumi.secret(material.serverKey),
    ...(material.caCert !== undefined ? { caCert: pulumi.secret(material.caCert) } : {}),
    ...(material.clientCert !== undefined ? { clientCert: pulumi.secret(material.clientCert) } : {}),
    ...(material.clientKey !== undefined ? { clientKey: pulumi.secret(material.clientKey) } : {}),
  };
}
