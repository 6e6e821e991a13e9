import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import type * as k8s from "@pulumi/kubernetes";
import { dropUndefined } from "./config/objects";
import { parseClusterSpec, type ClusterConfig } from "./config/schema";
import { planCluster } from "./plan/plan";
import { clientProfile, portRows, scRow, spuRows, type ScRow, type SpuRow } from "./plan/outputs";
import type { ClusterPlan } from "./plan/types";
import type { PortAssignment } from "./ports/allocator";
import type { PortRegistry } from "./ports/registry";
import type { HostFactsAnswer } from "./plan/host-access";
import { askHostFacts } from "./preflight/host-facts";
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
  /**
   * Docker: what the container engine is (its `/info` and `/version`), which decides the local
   * endpoints' host, the extra hosts and the publish addresses (`plan.hostAccess`). Default: the
   * local engine is asked once; with `dockerProvider` it is not (the provider may point elsewhere)
   * and the plan warns that it uses Docker Engine on Linux's choice.
   */
  hostFacts?: HostFactsAnswer;
}

/** The engine's answer for a Docker plan: given, asked of the local engine, or none (explicit provider). */
function dockerHostFacts(args: Pick<SpuClusterArgs, "hostFacts" | "dockerProvider">): HostFactsAnswer {
  if (args.hostFacts) return args.hostFacts;
  if (args.dockerProvider) return { ok: false, reason: "an explicit Docker provider may point at another engine; pass hostFacts to SpuCluster" };
  // The engine Pulumi's Docker provider uses: `docker:host` config, else DOCKER_HOST (a remote one is not asked).
  const dockerHost = new pulumi.Config("docker").get("host") ?? process.env.DOCKER_HOST;
  return askHostFacts(dockerHost !== undefined ? { dockerHost } : {});
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
    super(SPU_CLUSTER_TYPE, name, {}, opts);
    const { images, network, dockerProvider, kubernetesProvider, tlsCertificates, registry, preflight, hostFacts, ...config } = args;
    const spec = parseClusterSpec({ name, ...config });
    const facts = spec.target === "docker" ? { hostFacts: dockerHostFacts({ ...(hostFacts ? { hostFacts } : {}), ...(dockerProvider ? { dockerProvider } : {}) }) } : {};
    const plan = planCluster(spec, { stack: pulumi.getStack(), project: pulumi.getProject(), ...(registry ? { registry } : {}), ...facts });
    this.plan = plan;
    // Moved records, well-known ports taken as a last resort, ranges in the ephemeral range:
    // `pulumi preview` and `up` show them on the component, as `fluvio-ports plan` prints them.
    for (const warning of plan.warnings) pulumi.log.warn(warning, this);

    const inputs: TargetInputs = {
      name,
      plan,
      spec,
      images: { ...spec.images, ...dropUndefined(images ?? {}) },
      ...(tlsCertificates ? { tls: secretTls(tlsCertificates) } : {}),
      parent: this,
    };
    const deployment: TargetDeployment =
      spec.target === "docker"
        ? deployDocker(inputs, { ...(network !== undefined ? { network } : {}), ...(dockerProvider ? { provider: dockerProvider } : {}), preflight: preflight ?? true })
        : deployKubernetes(inputs, { ...(kubernetesProvider ? { provider: kubernetesProvider } : {}) });

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

function secretTls(material: NonNullable<SpuClusterArgs["tlsCertificates"]>): TlsMaterial {
  return {
    serverCert: pulumi.secret(material.serverCert),
    serverKey: pulumi.secret(material.serverKey),
    ...(material.caCert !== undefined ? { caCert: pulumi.secret(material.caCert) } : {}),
    ...(material.clientCert !== undefined ? { clientCert: pulumi.secret(material.clientCert) } : {}),
    ...(material.clientKey !== undefined ? { clientKey: pulumi.secret(material.clientKey) } : {}),
  };
}
