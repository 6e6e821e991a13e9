/**
 * The Docker target's Pulumi edge: the plain spec (spec.ts) wrapped in @pulumi/docker
 * resources, and nothing decided here that the spec does not say. Every resource is a child
 * of the component.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import { ConfigError, isConfigError, isHostError } from "../../errors";
import type { ClusterPlan } from "../../plan/types";
import type { TargetDeployment, TargetInputs, TlsMaterial } from "../contract";
import { dockerSdk } from "../sdk";
import { HOST_GATEWAY, bridgeGatewayAddress } from "./addresses";
import { checkPorts } from "../../preflight";
import { localEngineSocket } from "../../preflight/docker";
import { engineIsLocal, runPreflight, type PortChecker } from "./preflight";
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
  const create = (): pulumi.Output<unknown> => createCluster(inputs, options, plain, opts).ready;
  // No check to wait for: create at once (a program's resources register as it runs).
  if (!options.preflight) return { ready: create() };
  return { ready: preflightGate(plan, options, parent).apply((passed) => (passed ? create() : failed())) };
}

/** What never resolves: the deployment after a failure already reported on the component. */
function failed(): pulumi.Output<never> {
  return pulumi.output(new Promise<never>(() => undefined));
}

/** The containers, volumes and network of a plan whose preflight passed. */
function createCluster(inputs: TargetInputs, options: DockerTargetOptions, plain: DockerClusterSpec, opts: pulumi.CustomResourceOptions): TargetDeployment {
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

  const registrations = plain.registrations.map((job) => registrationOutcome(job, created.get(job.name) as docker.Container, parent));
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
function preflightGate(plan: ClusterPlan, options: DockerTargetOptions, parent: pulumi.Resource): pulumi.Output<boolean> {
  return engineHost(options.provider).apply(async (engine) => {
    if (!engineIsLocal(engine)) {
      pulumi.log.info(remoteEngineNote(plan, engine as string), parent);
      return true;
    }
    const socket = engineSocket(engine);
    const check: PortChecker = options.checkPorts ?? ((target) => checkPorts(target, socket ? { docker: { socketPath: socket } } : {}));
    try {
      await runPreflight(plan, check);
      return true;
    } catch (error) {
      reportOnce(userFacing(error, parent));
      return false;
    }
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
    ports: container.ports.map((port) => ({
      internal: port.internal,
      external: port.external,
      protocol: port.protocol,
      ip: port.ip === HOST_GATEWAY ? (resolved.gateway as pulumi.Output<string>) : port.ip,
    })),
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
    ...(container.runsOnce ? { mustRun: false, attach: true, logs: true, rm: false } : {}),
  };
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
 * Resolves once a registration job exited 0; fails the deployment with the job's last log lines
 * otherwise. (The provider waits for a job to exit but ignores its exit code.)
 */
function registrationOutcome(job: DockerContainerSpec, container: docker.Container, parent: pulumi.Resource): pulumi.Output<boolean> {
  return pulumi.all([container.exitCode, container.containerLogs]).apply(([exitCode, logs]) => {
    if (exitCode === undefined || exitCode === null || exitCode === 0) return true;
    const tail = (logs ?? "").trim().split("\n").slice(-5).join("\n    ");
    const outcome = job.role === "sync" ? "SPUs the plan no longer has may still be registered" : "the SPU is not registered";
    throw new pulumi.ResourceError(
      `${job.name} exited with ${exitCode}: ${outcome}.\n    ${tail}\n  Fix the cause, then \`docker rm ${job.name}\` and \`pulumi up --refresh\` to register it again.`,
      parent,
      true,
    );
  });
}
