/**
 * The Docker target's Pulumi edge: the plain spec (spec.ts) wrapped in @pulumi/docker
 * resources, and nothing decided here that the spec does not say. Every resource is a child
 * of the component.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type * as docker from "@pulumi/docker";
import { ConfigError, isConfigError, isHostError } from "../../errors";
import type { ClusterPlan } from "../../plan/types";
import type { TargetDeployment, TargetInputs, TlsMaterial } from "../contract";
import { dockerSdk } from "../sdk";
import { HOST_GATEWAY, bridgeGatewayAddress } from "./addresses";
import { checkPorts } from "../../preflight";
import { DEFAULT_DOCKER_SOCKET, localEngineSocket } from "../../preflight/docker";
import { engineIsLocal, runPreflight, type PortChecker } from "./preflight";
import { containerLogTail, inspectContainers, type LiveContainer } from "../../preflight/containers";
import { checkImagesStart, imageStartError, type ImageEntry } from "../../preflight/images";
import { componentOf, findOrphans, orphanLine } from "../../preflight/orphans";
import { readStackState } from "../../deploy/state";
import { providerPortOrder } from "./port-order";
import { buildDockerSpecs, creationOrder, type ContainerSecurity, type DockerClusterSpec, type DockerContainerSpec, type DockerVolumeSpec } from "./spec";

export { buildDockerSpecs, creationOrder, volumeNames, HOST_DOCKER_INTERNAL, EXPORTER_SECURITY } from "./spec";
export type {
  DockerClusterSpec,
  DockerContainerSpec,
  DockerVolumeSpec,
  DockerNetworkSpec,
  DockerSpecOptions,
  PortPublication,
  VolumeMount,
  SecretFile,
  HealthCheck,
  NetworkAttachment,
  ContainerDependency,
  ContainerRole,
  ContainerSecurity,
  ConfigFile,
  ImageRole,
  VolumeContent,
} from "./spec";
export { HOST_GATEWAY, bridgeGatewayAddress } from "./addresses";
export { preflightError, runPreflight, engineIsLocal, type PortChecker } from "./preflight";
export { REGISTRATION_SCRIPT, REGISTERED_MARKER, registrationProfile } from "./registration";

/** Docker-only inputs a program may pass. */
export interface DockerTargetOptions {
  /** Join this network (for example another resource's output) instead of creating one. */
  network?: pulumi.Input<string>;
  /** The provider of the engine to deploy to (default: the default provider, DOCKER_HOST). */
  provider?: docker.Provider;
  /**
   * Check the plan's host ports before creating anything, and fail with `fluvio-ports check`'s
   * message when one is taken or could not be checked. It checks the engine the provider points
   * at (its unix socket); for an engine on another machine (tcp://, ssh://) it is skipped with one
   * info line, since this machine's ports say nothing about that one.
   */
  preflight: boolean;
  /** The port check to run (tests); default `checkPorts` on this host. */
  checkPorts?: PortChecker;
}

/** How long `pulumi up` waits for a health check that the spec awaits (the SC), in seconds. */
const HEALTH_WAIT_SECONDS = 90;

/** Stands for a network the program passes as an output, in the plain spec. */
const PROGRAM_NETWORK = "(the network the program passes)";

/**
 * Deploys the plan as containers on one Docker engine: the cluster network (or the one given),
 * the SC and SPUs with their named volumes, an exporter per SPU when metrics are on, and one
 * registration job per SPU. Ready once every SPU is registered.
 *
 * Nothing is registered before the preflight has passed (and the bridge gateway, when a port is
 * published on `host-gateway`, is known): a preflight failure ends in ONE error on the component,
 * never one per container, and leaves no network or volume behind.
 */
export function deployDocker(inputs: TargetInputs, options: DockerTargetOptions): TargetDeployment {
  const { plan, parent } = inputs;
  const plain = buildDockerSpecs(plan, networkChoice(options.network));
  const opts: pulumi.CustomResourceOptions = { parent, ...(options.provider ? { provider: options.provider } : {}) };
  const socket = engineHost(options.provider).apply((engine) => (engineIsLocal(engine) ? (engineSocket(engine) ?? DEFAULT_DOCKER_SOCKET) : undefined));
  const checked = options.preflight ? preflightGate(plan, options, parent, inputs, plain, socket) : pulumi.output(true);
  return {
    ready: pulumi.all([checked, socket]).apply(async ([passed, where]) => {
      if (!passed) return failed();
      // What the engine already runs of this cluster: the order it reports published ports in
      // (so that a second `up` compares equal lists) and, in a preview, the orphans it holds.
      const seen = where === undefined || underMocks() ? undefined : await liveCluster(where, plain);
      if (seen !== undefined && !(await refuseOrphans(inputs, plain, seen))) return failed();
      if (seen !== undefined) warnStopped(plan, plain, seen, parent);
      return createCluster(inputs, options, plain, opts, seen).ready;
    }),
  };
}

/**
 * A stopped SC, SPU or exporter does not go unnoticed: Docker never restarts a container
 * stopped by hand (`docker stop`, `docker kill`), whatever its restart policy, and the provider
 * only sees it on a refresh. One warning per node, with the two ways back.
 */
function warnStopped(plan: ClusterPlan, plain: DockerClusterSpec, live: Map<string, LiveContainer>, parent: pulumi.Resource): void {
  for (const container of plain.containers) {
    const seen = live.get(container.name);
    if (seen === undefined || seen.state === "running" || seen.state === "restarting") continue;
    pulumi.log.warn(
      `${container.name} is ${seen.state} (stopped by hand or killed: Docker does not restart it): \`npm run up -- ${plan.stack}\` starts it again, \`pulumi up --refresh\` re-creates it (its volume stays), \`docker start ${container.name}\` starts it by hand`,
      parent,
    );
  }
}

/**
 * Whether the program runs under Pulumi's mocks (unit and component tests): then no container
 * engine is asked anything beyond the port check the tests stand in for (the live cluster's
 * port order, the images, the orphans belong to a real deployment).
 */
function underMocks(): boolean {
  return pulumi.runtime.getMonitor() instanceof MockMonitor;
}

/** The cluster's containers on a local engine, by name (undefined when the engine does not answer: ports keep plan order). */
async function liveCluster(socket: string, plain: DockerClusterSpec): Promise<Map<string, LiveContainer> | undefined> {
  const answer = await inspectContainers(socket, [...plain.containers, ...plain.registrations].map((container) => container.name));
  return answer.ok ? answer.value : undefined;
}

/**
 * In a preview (which `pulumi up` runs first), refuses orphans: containers carrying the
 * cluster's labels that the stack's state does not track (an `up` killed after the engine
 * created them and before Pulumi recorded them), which `up` would otherwise stop on with the
 * provider's raw `Conflict`. A program knows its state only through the CLI: it is read with
 * `pulumi stack export` (src/deploy/state.ts), and only when the engine holds containers of
 * the cluster at all. When the state cannot be read, or does not hold this component (another
 * backend than `npm run up`'s), nothing is refused: `npm run up` makes the same comparison
 * before `pulumi up` (src/deploy/recover.ts). Gives false after reporting them.
 */
async function refuseOrphans(inputs: TargetInputs, plain: DockerClusterSpec, live: Map<string, LiveContainer>): Promise<boolean> {
  if (!pulumi.runtime.isDryRun() || live.size === 0) return true;
  const { plan, parent, name } = inputs;
  const answer = await readStackState(plan.stack);
  if (!answer.ok) return true;
  const component = componentOf(answer.state);
  if (component === undefined || component.name !== name) return true;
  const planned = [...plain.containers, ...plain.registrations].map((container) => ({ name: container.name, node: container.key, image: "" }));
  const orphans = findOrphans([...live.values()], answer.state, { cluster: plan.namePrefix, stack: plan.stack }, planned, name);
  if (orphans.length === 0) return true;
  reportOnce(
    new pulumi.ResourceError(
      `${orphans.length} container${orphans.length === 1 ? "" : "s"} of cluster ${plan.namePrefix} ${orphans.length === 1 ? "is" : "are"} on the engine but not in the stack's state; nothing was changed:\n  ${orphans.map((orphan) => orphanLine(orphan, plan.stack, component)).join("\n  ")}`,
      parent,
      true,
    ),
  );
  return false;
}

/** What never resolves: the deployment after a failure already reported on the component. */
function failed(): pulumi.Output<never> {
  return pulumi.output(new Promise<never>(() => undefined));
}

/** The containers, volumes and network of a plan whose preflight passed. */
function createCluster(inputs: TargetInputs, options: DockerTargetOptions, plain: DockerClusterSpec, opts: pulumi.CustomResourceOptions, live: Map<string, LiveContainer> | undefined): TargetDeployment {
  const docker = dockerSdk();
  const { parent, tls } = inputs;
  const gateway = hostGatewayFor(plain, parent, opts);
  const network = clusterNetwork(inputs.name, plain, options.network, opts);
  const volumes = new Map(plain.volumes.map((volume) => [volume.name, dataVolume(inputs.name, volume, opts)]));

  const created = new Map<string, docker.Container>();
  for (const container of creationOrder(plain)) {
    const resource = new docker.Container(
      `${inputs.name}-${container.key}`,
      containerArgs(container, {
        image: container.image === "prometheus" ? (inputs.plan.monitoring.prometheus?.image ?? "") : inputs.images[container.image],
        network,
        volumes,
        gateway,
        tls,
        live: live?.get(container.name),
      }),
      {
        ...opts,
        // Fixed names and fixed host ports: a replacement must free them before it creates.
        deleteBeforeReplace: true,
        dependsOn: container.dependsOn.flatMap((dependency) => created.get(dependency.container) ?? []),
      },
    );
    created.set(container.name, resource);
  }

  const socket = engineHost(options.provider).apply((engine) => (engineIsLocal(engine) ? (engineSocket(engine) ?? DEFAULT_DOCKER_SOCKET) : undefined));
  const registrations = plain.registrations.map((job) => registrationOutcome(job, created.get(job.name) as docker.Container, parent, socket));
  const running: pulumi.Output<unknown>[] = plain.containers.map((container) => (created.get(container.name) as docker.Container).id);
  return { ready: pulumi.all([...running, ...registrations]).apply(() => true) };
}

function networkChoice(network: pulumi.Input<string> | undefined): { network?: string } {
  if (network === undefined) return {};
  return { network: typeof network === "string" ? network : PROGRAM_NETWORK };
}

/**
 * Whether preflight passed (at once true when it is skipped). A failure is reported here, once,
 * as an error on the component that Pulumi prints without a stack trace, and gives false: the
 * caller then registers nothing.
 */
function preflightGate(
  plan: ClusterPlan,
  options: DockerTargetOptions,
  parent: pulumi.Resource,
  inputs: TargetInputs,
  plain: DockerClusterSpec,
  local: pulumi.Output<string | undefined>,
): pulumi.Output<boolean> {
  return pulumi.all([engineHost(options.provider), local]).apply(async ([engine, socket]) => {
    if (socket === undefined) {
      pulumi.log.info(remoteEngineNote(plan, engine as string), parent);
      return true;
    }
    const given = engineSocket(engine);
    const check: PortChecker = options.checkPorts ?? ((target) => checkPorts(target, given ? { docker: { socketPath: given } } : {}));
    try {
      await runPreflight(plan, check);
      const unstartable = underMocks() ? [] : await checkImagesStart(socket, imageEntries(inputs, plain));
      const error = imageStartError(plan, unstartable);
      if (error) throw error;
      return true;
    } catch (error) {
      reportOnce(userFacing(error, parent));
      return false;
    }
  });
}

/** Each image the containers run with the program it starts (an absolute path, checked in the image). */
function imageEntries(inputs: TargetInputs, plain: DockerClusterSpec): ImageEntry[] {
  return [...plain.containers, ...plain.registrations].flatMap((container): ImageEntry[] => {
    const image = container.image === "prometheus" ? inputs.plan.monitoring.prometheus?.image : inputs.images[container.image];
    const program = container.command[0];
    return typeof image === "string" && image !== "" && program !== undefined && program.startsWith("/") ? [{ role: container.image, image, program, container: container.name }] : [];
  });
}

/**
 * The engine the containers go to: the given provider's `host` (else DOCKER_HOST, which such a
 * provider falls back on), or for the default provider `docker:host` (else DOCKER_HOST).
 */
function engineHost(provider: docker.Provider | undefined): pulumi.Output<string | undefined> {
  const fallback = (): string | undefined => process.env.DOCKER_HOST;
  if (provider) return provider.host.apply((host) => (host === undefined || host === null || host === "" ? fallback() : host));
  return pulumi.output(new pulumi.Config("docker").get("host") ?? fallback());
}

/** The socket of a local engine (`unix:///path`, `npipe:////./pipe/name`), or undefined for the default one. */
function engineSocket(engine: string | undefined): string | undefined {
  return engine === undefined ? undefined : localEngineSocket(engine);
}

/** The one line `preview`/`up` print when the engine is on another machine. */
function remoteEngineNote(plan: Pick<ClusterPlan, "stack">, engine: string): string {
  return `fluvio-spu: port preflight skipped: the Docker engine (${engine}) is on another machine, whose ports this one cannot see; run \`fluvio-ports check --stack ${plan.stack}\` there`;
}

/**
 * Fails the program with `error`, once: an unhandled rejection is how a Pulumi program reports a
 * failure (the language host prints a `ResourceError` with `hideStack` as its message alone, on
 * its resource, and exits non-zero). Only this one rejection is left unhandled.
 */
function reportOnce(error: unknown): void {
  void Promise.reject(error);
}

/**
 * A `ConfigError` or `HostError` as Pulumi should print it: the message alone, on the
 * component, without a stack trace (Pulumi prints `ResourceError`s with `hideStack` that way).
 */
function userFacing(error: unknown, resource: pulumi.Resource): unknown {
  return isConfigError(error) || isHostError(error) ? new pulumi.ResourceError(error.message, resource, true) : error;
}

function clusterNetwork(
  name: string,
  plain: DockerClusterSpec,
  given: pulumi.Input<string> | undefined,
  opts: pulumi.CustomResourceOptions,
): pulumi.Input<string> {
  if (given !== undefined) return given;
  if (!plain.network.create) return plain.network.name;
  const docker = dockerSdk();
  return new docker.Network(`${name}-network`, { name: plain.network.name, driver: "bridge", labels: labelList(plain.network.labels) }, opts).name;
}

/**
 * A named volume. Its inputs are its name and labels only (from the cluster name and the
 * node), so port and image changes never touch it; data volumes are retained on delete
 * unless `docker.deleteDataOnDestroy`.
 */
function dataVolume(name: string, volume: DockerVolumeSpec, opts: pulumi.CustomResourceOptions): docker.Volume {
  const docker = dockerSdk();
  return new docker.Volume(`${name}-${volume.key}`, { name: volume.name, labels: labelList(volume.labels) }, { ...opts, retainOnDelete: volume.retainOnDelete });
}

function usesHostGateway(plain: DockerClusterSpec): boolean {
  return [...plain.containers, ...plain.registrations].some((container) => container.ports.some((port) => port.ip === HOST_GATEWAY));
}

/**
 * The engine's default bridge gateway, where `host-gateway` (host.docker.internal) points, when
 * a port is published there; undefined when none is. A missing gateway is reported once (the
 * containers that publish on it then never reach the engine: one error, not one per container).
 */
function hostGatewayFor(plain: DockerClusterSpec, parent: pulumi.Resource, opts: pulumi.CustomResourceOptions): pulumi.Output<string> | undefined {
  if (!usesHostGateway(plain)) return undefined;
  const docker = dockerSdk();
  return docker.getNetworkOutput({ name: "bridge" }, { parent, ...(opts.provider ? { provider: opts.provider } : {}) }).apply((bridge) => {
    const address = bridgeGatewayAddress((bridge.ipamConfigs ?? []).map((entry) => ({ subnet: entry.subnet, gateway: entry.gateway })));
    if (address !== undefined) return pulumi.output(address);
    reportOnce(
      userFacing(
        new ConfigError({
          path: "docker.publishAddresses",
          message: `lists ${HOST_GATEWAY}, but the engine's bridge network has no IPv4 gateway to publish on: list the address host.docker.internal resolves to on this engine instead (for example 172.17.0.1)`,
        }),
        parent,
      ),
    );
    return failed();
  });
}

interface ResolvedInputs {
  /** The container as the engine runs it now, when it exists (its published ports' order). */
  live: LiveContainer | undefined;
  image: pulumi.Input<string>;
  network: pulumi.Input<string>;
  volumes: Map<string, docker.Volume>;
  gateway: pulumi.Output<string> | undefined;
  tls: TlsMaterial | undefined;
}

function labelList(labels: Record<string, string>): { label: string; value: string }[] {
  return Object.entries(labels).map(([label, value]) => ({ label, value }));
}

/** The @pulumi/docker inputs of one plain container. */
function containerArgs(container: DockerContainerSpec, resolved: ResolvedInputs): docker.ContainerArgs {
  return {
    name: container.name,
    image: resolved.image,
    command: container.command,
    envs: Object.entries(container.env)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => `${key}=${value}`),
    ports: publishedPorts(container, resolved),
    hosts: container.hosts,
    labels: labelList(container.labels),
    mounts: container.mounts.map((mount) => ({
      type: "volume",
      source: (resolved.volumes.get(mount.volume) as docker.Volume).name,
      target: mount.target,
      readOnly: mount.readOnly,
    })),
    uploads: [
      ...container.files.map((file) => ({
        file: file.path,
        content: (resolved.tls as TlsMaterial)[file.secret] as pulumi.Output<string>,
        permissions: file.mode,
      })),
      ...(container.configFiles ?? []).map((file) => ({ file: file.path, content: file.content, permissions: "0444" })),
    ],
    ...(container.healthcheck
      ? {
          healthcheck: {
            tests: container.healthcheck.test,
            interval: container.healthcheck.interval,
            timeout: container.healthcheck.timeout,
            startPeriod: container.healthcheck.startPeriod,
            retries: container.healthcheck.retries,
          },
        }
      : {}),
    // networkMode names the first network too: otherwise the provider also attaches the default bridge.
    ...(container.networks.length > 0
      ? { networkMode: resolved.network, networksAdvanced: container.networks.map((attachment) => ({ name: resolved.network, aliases: attachment.aliases })) }
      : {}),
    ...(container.security ? securityArgs(container.security) : {}),
    restart: container.restart,
    ...(container.init ? { init: true } : {}),
    ...(container.waitHealthy ? { wait: true, waitTimeout: HEALTH_WAIT_SECONDS } : {}),
    // A job's output stays out of the state (`logs: false`): whatever the CLI prints, key
    // material included, would otherwise be saved there in plain text as `containerLogs`.
    ...(container.runsOnce ? { mustRun: false, attach: true, logs: false, rm: false } : {}),
  };
}

/**
 * The container's published ports, `host-gateway` resolved to the bridge gateway, in the order
 * the provider reads them back from the engine (port-order.ts): a second `up` then finds no
 * difference and replaces nothing.
 */
function publishedPorts(container: DockerContainerSpec, resolved: ResolvedInputs): pulumi.Input<docker.types.input.ContainerPort[]> {
  const order = (gateway: string | undefined): docker.types.input.ContainerPort[] =>
    providerPortOrder(
      container.ports.map((port) => ({ internal: port.internal, external: port.external, protocol: port.protocol, ip: port.ip === HOST_GATEWAY ? (gateway ?? "") : port.ip })),
      resolved.live?.bindings,
    );
  if (!container.ports.some((port) => port.ip === HOST_GATEWAY)) return order(undefined);
  return (resolved.gateway as pulumi.Output<string>).apply(order);
}

/** The provider's words for a narrowed user and privileges. */
function securityArgs(security: ContainerSecurity): Pick<docker.ContainerArgs, "user" | "capabilities" | "readOnly" | "securityOpts"> {
  return {
    user: security.user,
    capabilities: { drops: security.dropCapabilities },
    readOnly: security.readOnlyRootFilesystem,
    ...(security.noNewPrivileges ? { securityOpts: ["no-new-privileges:true"] } : {}),
  };
}

/**
 * Resolves once a registration job exited 0; fails the deployment otherwise, with the job's last
 * log lines read from the engine for the message only (never saved in the state), and the
 * command that shows them all. (The provider waits for a job to exit but ignores its exit code.)
 */
function registrationOutcome(job: DockerContainerSpec, container: docker.Container, parent: pulumi.Resource, socket: pulumi.Output<string | undefined>): pulumi.Output<boolean> {
  return pulumi.all([container.exitCode, socket]).apply(async ([exitCode, where]) => {
    if (exitCode === undefined || exitCode === null || exitCode === 0) return true;
    const tail = where === undefined ? [] : await containerLogTail(where, job.name, 5);
    const shown = tail.length > 0 ? `\n    ${tail.join("\n    ")}` : "";
    const outcome = job.role === "sync" ? "SPUs the plan no longer has may still be registered" : "the SPU is not registered";
    throw new pulumi.ResourceError(
      `${job.name} exited with ${exitCode}: ${outcome} (docker logs ${job.name} shows why).${shown}\n  Fix the cause, then \`docker rm ${job.name}\` and \`pulumi up --refresh\` to register it again.`,
      parent,
      true,
    );
  });
}
