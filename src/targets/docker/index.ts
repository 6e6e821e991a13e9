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
   * Check the plan's host ports before creating containers, and fail with `fluvio-ports check`'s
   * message when one is taken. Skipped for a remote engine and for an explicit provider (this
   * machine's ports say nothing about where it points).
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
 */
export function deployDocker(inputs: TargetInputs, options: DockerTargetOptions): TargetDeployment {
  const docker = dockerSdk();
  const { plan, parent, tls } = inputs;
  const plain = buildDockerSpecs(plan, networkChoice(options.network));
  const opts: pulumi.CustomResourceOptions = { parent, ...(options.provider ? { provider: options.provider } : {}) };

  const gate = preflightGate(plan, options, parent);
  const network = clusterNetwork(inputs.name, plain, options.network, opts);
  const volumes = new Map(plain.volumes.map((volume) => [volume.name, dataVolume(inputs.name, volume, opts)]));
  const gateway = usesHostGateway(plain) ? hostGatewayAddress(parent, opts) : undefined;

  const created = new Map<string, docker.Container>();
  for (const container of creationOrder(plain)) {
    const resource = new docker.Container(
      `${inputs.name}-${container.key}`,
      containerArgs(container, {
        image: pulumi.all([gate, container.image === "prometheus" ? (plan.monitoring.prometheus?.image ?? "") : inputs.images[container.image]]).apply(([, image]) => image),
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
 * An output that resolves once preflight has passed (at once when it is skipped). Every
 * container's image waits on it, so no container is created (or previewed) on taken ports.
 */
function preflightGate(plan: ClusterPlan, options: DockerTargetOptions, parent: pulumi.Resource): pulumi.Output<boolean> {
  if (!options.preflight) return pulumi.output(true);
  if (options.provider) {
    pulumi.log.info("fluvio-spu: port preflight skipped: an explicit Docker provider may point at another machine; run `fluvio-ports check` there", parent);
    return pulumi.output(true);
  }
  const engine = new pulumi.Config("docker").get("host") ?? process.env.DOCKER_HOST;
  if (!engineIsLocal(engine)) {
    pulumi.log.info(`fluvio-spu: port preflight skipped: the Docker engine (${engine}) is remote; run \`fluvio-ports check\` on it`, parent);
    return pulumi.output(true);
  }
  return pulumi.output(
    runPreflight(plan, options.checkPorts).then(
      () => true,
      (error: unknown) => {
        throw userFacing(error, parent);
      },
    ),
  );
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

/** The engine's default bridge gateway: where `host-gateway` (host.docker.internal) points. */
function hostGatewayAddress(parent: pulumi.Resource, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
  const docker = dockerSdk();
  return docker.getNetworkOutput({ name: "bridge" }, { parent, ...(opts.provider ? { provider: opts.provider } : {}) }).apply((bridge) => {
    const address = bridgeGatewayAddress((bridge.ipamConfigs ?? []).map((entry) => ({ subnet: entry.subnet, gateway: entry.gateway })));
    if (address === undefined) {
      throw userFacing(
        new ConfigError({
          path: "docker.publishAddresses",
          message: `lists ${HOST_GATEWAY}, but the engine's bridge network has no IPv4 gateway to publish on: list the address host.docker.internal resolves to on this engine instead (for example 172.17.0.1)`,
        }),
        parent,
      );
    }
    return address;
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
    throw new pulumi.ResourceError(
      `${job.name} exited with ${exitCode}: the SPU is not registered.\n    ${tail}\n  Fix the cause, then \`docker rm ${job.name}\` and \`pulumi up --refresh\` to register it again.`,
      parent,
      true,
    );
  });
}
