import { homedir } from "node:os";
import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import type * as k8s from "@pulumi/kubernetes";
import { planContext } from "./context";
import { ConfigError, isConfigError, type ConfigIssue } from "./errors";
import { printedWithoutStack, renameIssues, resourceNameIssues } from "./component-names";
import { FORMER_SPU_CLUSTER_TYPES, SPU_CLUSTER_TYPE } from "./component-type";
import { dropUndefined } from "./config/objects";
import { keyIssues } from "./config/pem";
import { parseClusterSpec, type ClusterConfig, type ClusterSpec } from "./config/schema";
import type { ImagesConfig } from "./config/types.generated";
import { tlsMaterialIssues } from "./config/tls";
import { planCluster, type SiblingCluster } from "./plan/plan";
import { clientProfile, clientTlsSettings, portRows, scRow, spuRows, type ScRow, type SpuRow } from "./plan/outputs";
import type { ClusterPlan } from "./plan/types";
import type { PortAssignment } from "./ports/allocator";
import type { PortRegistry } from "./ports/registry";
import type { HostFactsAnswer } from "./plan/host-access";
import type { TargetDeployment, TargetInputs, TlsMaterial } from "./targets/contract";
import { deployDocker } from "./targets/docker";
import { deployKubernetes } from "./targets/kubernetes";

/**
 * A Docker provider as `SpuCluster` sees one: a Pulumi provider with the engine address it
 * deploys to (`host`, which the port preflight reads). `docker.Provider` is one.
 */
export interface DockerProviderLike extends pulumi.ProviderResource {
  readonly host: pulumi.Output<string | undefined>;
}

export { SPU_CLUSTER_TYPE, FORMER_SPU_CLUSTER_TYPES };

/**
 * Arguments of `SpuCluster`: the same object a stack file holds under `fluvio-spu:cluster`,
 * plus what only a program can pass (providers, a network or images as outputs of other
 * resources, TLS material as secrets, the port registry).
 */
export interface SpuClusterArgs extends Omit<ClusterConfig, "images"> {
  /**
   * Container images. As plain names or outputs (for example a `docker.Image`'s `repoDigest`):
   * nothing in the port plan depends on them, so they may be known only when the program runs.
   */
  images?: { [Role in keyof ImagesConfig]?: pulumi.Input<NonNullable<ImagesConfig[Role]>> };
  /** Docker: join this network (for example another resource's output) instead of creating one. */
  network?: pulumi.Input<string>;
  /**
   * Docker: the provider of the engine to deploy to (a `docker.Provider`). Typed by what the
   * component reads of it, so that these types never need `@pulumi/docker` installed.
   */
  dockerProvider?: DockerProviderLike;
  /**
   * Kubernetes: the provider of the cluster to deploy to (a `k8s.Provider`). Typed as any Pulumi
   * provider, so that these types never need `@pulumi/kubernetes` installed.
   */
  kubernetesProvider?: pulumi.ProviderResource;
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
    // Every config problem is found before anything is registered, and Pulumi prints it without a stack trace.
    const { spec, plan } = planComponent(name, args, opts);
    super(SPU_CLUSTER_TYPE, name, {}, withFormerTypes(opts));
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
    const docker = (dockerProvider as DockerProvider | undefined) ?? (this.getProvider("docker:index/container:Container") as DockerProvider | undefined);
    const kubernetes = (kubernetesProvider as KubernetesProvider | undefined) ?? (this.getProvider("kubernetes:core/v1:Service") as KubernetesProvider | undefined);
    const deployment: TargetDeployment =
      spec.target === "docker"
        ? deployDocker(inputs, { ...(network !== undefined ? { network } : {}), ...(docker ? { provider: docker } : {}), preflight: preflight ?? true })
        : deployKubernetes(inputs, { ...(kubernetes ? { provider: kubernetes } : {}) });

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

/**
 * `opts` with an alias per former type token: one for this resource as it is, and one for each
 * alias object the caller gave (a rename made together with the token change keeps its URN too).
 */
function withFormerTypes(opts: pulumi.ComponentResourceOptions | undefined): pulumi.ComponentResourceOptions {
  const given = opts?.aliases ?? [];
  const specs = given.filter((alias): alias is pulumi.Alias => typeof alias === "object" && alias !== null && !pulumi.Output.isInstance(alias) && (alias as pulumi.Alias).type === undefined);
  const former = FORMER_SPU_CLUSTER_TYPES.flatMap((type) => [{ type }, ...specs.map((alias) => ({ ...alias, type }))]);
  return { ...opts, aliases: [...given, ...former] };
}

type DockerProvider = docker.Provider;
type KubernetesProvider = k8s.Provider;

/** Whether the program hands this component a Docker provider of its own, which may point at another engine than this machine's. */
function hasOwnDockerProvider(args: SpuClusterArgs, opts: pulumi.ComponentResourceOptions | undefined): boolean {
  if (args.dockerProvider !== undefined || opts?.provider !== undefined) return true;
  const providers = opts?.providers;
  if (providers === undefined) return false;
  return Array.isArray(providers) ? providers.length > 0 : Object.keys(providers).includes("docker");
}

/**
 * The validated spec and the plan of a `SpuCluster`: its args, its resource name (which names the
 * cluster unless `name` is set) and its aliases checked first, the TLS material (plain-string keys
 * included) with them. Throws a `ConfigError` that Pulumi prints as it prints a user error: the
 * message alone, no stack trace.
 */
function planComponent(name: string, args: SpuClusterArgs, opts: pulumi.ComponentResourceOptions | undefined): { spec: ClusterSpec; plan: ClusterPlan } {
  try {
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
      throw new ConfigError({ path: "(args)", message: `SpuCluster '${name}' takes an object such as { environment: "dev", spus: 3 }, not ${args === null ? "null" : Array.isArray(args) ? "a list" : typeof args}` });
    }
    const { images: _images, network: _network, dockerProvider: _docker, kubernetesProvider: _kubernetes, tlsCertificates, registry, preflight: _preflight, hostFacts, ...config } = args;
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
    // Keys given as plain strings are checked here too, so every TLS problem is reported at once.
    const keyProblems = spec.tls.enabled && tlsCertificates ? plainKeyIssues(tlsCertificates) : [];
    if (materialIssues.length + keyProblems.length > 0) throw new ConfigError([...materialIssues, ...keyProblems]);
    const context = planContext({
      siblings: declaredClusters(),
      stack: pulumi.getStack(),
      project: pulumi.getProject(),
      target: spec.target,
      ...(registry ? { registry } : {}),
      ...(hostFacts ? { hostFacts } : {}),
      explicitProvider: hasOwnDockerProvider(args, opts),
      // The engine Pulumi's Docker provider uses: `docker:host` config, else DOCKER_HOST (a remote one is not asked).
      dockerHost: new pulumi.Config("docker").get("host") ?? process.env.DOCKER_HOST,
    });
    const plan = planCluster(spec, context);
    declaredClusters().push({ resource: name, cluster: plan.cluster, host: plan.host, ports: plan.ports.map((row) => ({ port: row.port, owner: row.owner, role: row.role })) });
    return { spec, plan };
  } catch (error) {
    throw isConfigError(error) ? printedWithoutStack(error) : error;
  }
}

/** The clusters declared so far in this program run (one list per Pulumi run: keyed by its engine connection). */
const declaredByRun = new WeakMap<object, SiblingCluster[]>();
const noRun = {};

/**
 * The clusters this program declared before, in declaration order: each new one plans around
 * those on a machine it shares (`PlanContext.siblings`), so two clusters of one program never
 * share a port, and which one moves never depends on timing.
 */
function declaredClusters(): SiblingCluster[] {
  const run = (pulumi.runtime.getMonitor() as object | undefined) ?? noRun;
  let list = declaredByRun.get(run);
  if (!list) declaredByRun.set(run, (list = []));
  return list;
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
  if (issues.length > 0) throw printedWithoutStack(new ConfigError(issues));
  return value;
}
