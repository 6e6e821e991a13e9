import { homedir } from "node:os";
import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import type * as k8s from "@pulumi/kubernetes";
import { planContext } from "./context";
import { ConfigError, throwIfIssues, type ConfigIssue } from "./errors";
import { dropUndefined } from "./config/objects";
import { keyIssues } from "./config/pem";
import { parseClusterSpec, type ClusterConfig } from "./config/schema";
import { tlsMaterialIssues } from "./config/tls";
import { planCluster } from "./plan/plan";
import { clientProfile, clientTlsSettings, portRows, scRow, spuRows, type ScRow, type SpuRow } from "./plan/outputs";
import type { ClusterPlan } from "./plan/types";
import type { PortAssignment } from "./ports/allocator";
import type { PortRegistry } from "./ports/registry";
import type { HostFactsAnswer } from "./plan/host-access";
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
   * TLS server certificate, key and CA (PEM), and, with TLS on Docker, an admin client
   * certificate and key signed by the CA that the SPU registration jobs present to the SC
   * (their profile is verified). Taken as secrets whatever the caller passes.
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
  /** Fluvio client config for clients on the host (`verified` TLS with files in `tls.clientDir` when TLS is on). */
  readonly clientProfile: pulumi.Output<string>;
  /** Fluvio client config for clients inside containers (local endpoints, `use_spu_local_address = true`; TLS files in `tls.containerClientDir`). */
  readonly containerClientProfile: pulumi.Output<string>;
  /** The plan this cluster was deployed from (plain data). */
  readonly plan: ClusterPlan;

  constructor(name: string, args: SpuClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SPU_CLUSTER_TYPE, name, {}, opts);
    const { images, network, dockerProvider, kubernetesProvider, tlsCertificates, registry, preflight, hostFacts, ...config } = args;
    const spec = parseClusterSpec({ name, ...config });
    const materialIssues = tlsMaterialIssues(spec, {
      serverCert: tlsCertificates?.serverCert !== undefined,
      serverKey: tlsCertificates?.serverKey !== undefined,
      caCert: tlsCertificates?.caCert !== undefined,
      clientCert: tlsCertificates?.clientCert !== undefined,
      clientKey: tlsCertificates?.clientKey !== undefined,
    });
    // Keys given as plain strings are checked here too, so every TLS problem is reported at once.
    throwIfIssues([...materialIssues, ...(spec.tls.enabled && tlsCertificates ? plainKeyIssues(tlsCertificates) : [])]);
    const context = planContext({
      stack: pulumi.getStack(),
      project: pulumi.getProject(),
      target: spec.target,
      ...(registry ? { registry } : {}),
      ...(hostFacts ? { hostFacts } : {}),
      explicitProvider: dockerProvider !== undefined,
      // The engine Pulumi's Docker provider uses: `docker:host` config, else DOCKER_HOST (a remote one is not asked).
      dockerHost: new pulumi.Config("docker").get("host") ?? process.env.DOCKER_HOST,
    });
    const plan = planCluster(spec, context);
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
    const deployment: TargetDeployment =
      spec.target === "docker"
        ? deployDocker(inputs, { ...(network !== undefined ? { network } : {}), ...(dockerProvider ? { provider: dockerProvider } : {}), preflight: preflight ?? true })
        : deployKubernetes(inputs, { ...(kubernetesProvider ? { provider: kubernetesProvider } : {}) });

    const whenReady = <T>(value: T): pulumi.Output<T> => deployment.ready.apply(() => value);
    this.spus = whenReady(spuRows(plan));
    this.sc = whenReady(scRow(plan));
    this.ports = whenReady(portRows(plan));
    // With TLS both profiles are `verified`, naming files the user puts in place (tls.clientDir,
    // tls.containerClientDir); the host default lives in the home of whoever runs the program.
    const tlsSettings = clientTlsSettings(spec, homedir());
    const profileTls = tlsSettings ? { tls: tlsSettings } : {};
    this.clientProfile = whenReady(clientProfile(plan, { inContainer: false, ...profileTls }));
    this.containerClientProfile = whenReady(clientProfile(plan, { inContainer: true, ...profileTls }));
    this.registerOutputs({
      spus: this.spus,
      sc: this.sc,
      ports: this.ports,
      clientProfile: this.clientProfile,
      containerClientProfile: this.containerClientProfile,
    });
  }
}

/** Where a key comes from, as messages name it: the component arg and the program's config key. */
const KEY_SOURCES = {
  serverKey: "tlsCertificates.serverKey (config fluvio-spu:tlsServerKey)",
  clientKey: "tlsCertificates.clientKey (config fluvio-spu:tlsClientKey)",
} as const;

/**
 * The TLS material as secrets, each key checked to be PKCS#8 (what Fluvio 0.18.1 loads): a
 * plain string at once, so nothing is created; an output (a config secret, another resource's
 * output) inside an apply, so the deployment fails with the same ConfigError when it resolves.
 */
function secretTls(material: NonNullable<SpuClusterArgs["tlsCertificates"]>): TlsMaterial {
  return {
    serverCert: pulumi.secret(material.serverCert),
    serverKey: checkedKey(material.serverKey, KEY_SOURCES.serverKey),
    ...(material.caCert !== undefined ? { caCert: pulumi.secret(material.caCert) } : {}),
    ...(material.clientCert !== undefined ? { clientCert: pulumi.secret(material.clientCert) } : {}),
    ...(material.clientKey !== undefined ? { clientKey: checkedKey(material.clientKey, KEY_SOURCES.clientKey) } : {}),
  };
}

/** The PKCS#8 problems of the keys given as plain strings (outputs are checked when they resolve). */
function plainKeyIssues(material: NonNullable<SpuClusterArgs["tlsCertificates"]>): ConfigIssue[] {
  return (Object.keys(KEY_SOURCES) as (keyof typeof KEY_SOURCES)[]).flatMap((field) => {
    const key = material[field];
    return typeof key === "string" ? keyIssues(KEY_SOURCES[field], key) : [];
  });
}

function checkedKey(key: pulumi.Input<string>, source: string): pulumi.Output<string> {
  return pulumi.secret(key).apply((value) => checkedKeyValue(source, value));
}

/**
 * A resolved key, returned as it is when it is PKCS#8; otherwise a ConfigError naming `source`
 * and the fix, marked as Pulumi's RunError too (its `__pulumiRunError` tag), so that `pulumi up`
 * prints the message without a stack trace, as for the ConfigErrors the program throws itself.
 */
export function checkedKeyValue(source: string, value: string): string {
  const issues = keyIssues(source, value);
  if (issues.length > 0) throw Object.assign(new ConfigError(issues), { __pulumiRunError: true });
  return value;
}
