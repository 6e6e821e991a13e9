/**
 * The Docker target's plain data: what containers, volumes and network a plan becomes, with no
 * Pulumi type in sight, so the same spec can be applied by Pulumi (index.ts), by the live
 * tier's engine adapter, or rendered to a Compose file. Every port is read from the plan.
 */
import { CONTAINER_PATHS, EXPORTER_HEALTH_PATH, HOST_GATEWAY, LABELS } from "../../plan/layout";
import type { ClusterPlan, DockerPlan, SpuPlan } from "../../plan/types";
import type { TlsMaterial } from "../contract";
import { listeningCheck } from "../../plan/health";
import { registrationCommand, registrationEnvironment, syncCommand, syncEnvironment } from "./registration";
import { PROMETHEUS_FILES, PROMETHEUS_PATHS, prometheusConfigYaml, prometheusRulesYaml, type PrometheusPlan } from "../../plan/monitoring";

/** Which configured image a container runs: `images.fluvio`, `images.cli`, `images.exporter`, or `monitoring.image` (the plan's Prometheus). */
export type ImageRole = "fluvio" | "cli" | "exporter" | "prometheus";

/** What a container is for; long-running nodes, one-shot registration jobs, and the optional Prometheus. */
export type ContainerRole = "sc" | "spu" | "exporter" | "registration" | "sync" | "prometheus";

/**
 * A plain (not secret) file written into a container before it starts: the Pulumi target
 * uploads `content`, a Compose file mounts `file`, which `render` writes beside it.
 */
export interface ConfigFile {
  path: string;
  content: string;
  /** The file's name beside the Compose file. */
  file: string;
}

/**
 * One published port: host port `external` on host address `ip`, to `internal` in the
 * container. `external === internal` always (port rule 5). `ip` may be `host-gateway`
 * (HOST_GATEWAY): the Docker bridge gateway, resolved when the spec is applied.
 */
export interface PortPublication {
  internal: number;
  external: number;
  ip: string;
  protocol: "tcp";
}

/** A named volume mounted into a container. */
export interface VolumeMount {
  /** The volume's name (one of `DockerClusterSpec.volumes`). */
  volume: string;
  target: string;
  readOnly: boolean;
}

/**
 * A file written into the container before it starts, whose content is one piece of the TLS
 * material. Only the name of the piece is here: the content is a secret the deployment holds.
 */
export interface SecretFile {
  path: string;
  secret: keyof TlsMaterial;
  /** Octal permissions. */
  mode: string;
}

/** A Docker health check (`test` in Docker's `["CMD", ...]` form). */
export interface HealthCheck {
  test: string[];
  interval: string;
  timeout: string;
  startPeriod: string;
  retries: number;
}

/** A network a container joins, with the names other containers reach it by. */
export interface NetworkAttachment {
  network: string;
  aliases: string[];
}

/**
 * Another container that must be in a state before this one is created: `healthy` (its health
 * check passes), `started`, or `completed` (a job that has exited).
 */
export interface ContainerDependency {
  container: string;
  condition: "healthy" | "started" | "completed";
}

/**
 * Who a container's process runs as and what it may do, when the spec narrows Docker's
 * defaults (the exporter: see `exporterContainer` for why it runs as root, and how little root
 * may do there).
 */
export interface ContainerSecurity {
  /** `uid:gid` the process runs as (numeric: an image need not know the name). */
  user: string;
  /** Linux capabilities dropped from Docker's default set (`ALL`: none is left). */
  dropCapabilities: string[];
  /** Mount the container's root filesystem read-only (volumes keep their own `readOnly`). */
  readOnlyRootFilesystem: boolean;
  /** `no-new-privileges`: no setuid binary or file capability can raise the process's privileges. */
  noNewPrivileges: boolean;
}

/** One container, complete: everything Docker needs, every port from the plan. */
export interface DockerContainerSpec {
  /** Short, stable key: `sc`, `spu-<id>`, `exporter-<id>`, `register-<id>` (also the node label). */
  key: string;
  /** The container name (`<cluster>-<stack>-...`). */
  name: string;
  role: ContainerRole;
  image: ImageRole;
  command: string[];
  env: Record<string, string>;
  ports: PortPublication[];
  /** Extra `/etc/hosts` entries; `host-gateway` is Docker's name for the host. */
  hosts: { host: string; ip: string }[];
  labels: Record<string, string>;
  mounts: VolumeMount[];
  files: SecretFile[];
  /** Plain config files (the Prometheus config and rules); absent: none. */
  configFiles?: ConfigFile[];
  healthcheck: HealthCheck | null;
  /** Networks joined, with this container's aliases on each. Every container has its own network namespace. */
  networks: NetworkAttachment[];
  /** The process's user and privileges; null: the image's user and Docker's defaults. */
  security: ContainerSecurity | null;
  restart: "unless-stopped" | "no";
  /**
   * Run an init as PID 1 that forwards signals (Docker's `--init`, Compose's `init: true`).
   * `fluvio-run` installs no signal handler, and PID 1 ignores SIGTERM unless it handles it:
   * without an init `docker stop` waits its whole timeout and kills (exit 137).
   */
  init: boolean;
  /** A job: runs once to completion (the deployment waits for its exit and reads its exit code). */
  runsOnce: boolean;
  /** Wait for the health check to pass before anything depending on this is created. */
  waitHealthy: boolean;
  dependsOn: ContainerDependency[];
}

/** What a volume keeps; data volumes outlive `pulumi destroy` unless the user opts in. */
export type VolumeContent = "sc-metadata" | "spu-data" | "metrics-socket";

/** One named volume. Its fields depend only on the cluster's name and the node, never on ports or images. */
export interface DockerVolumeSpec {
  key: string;
  name: string;
  holds: VolumeContent;
  labels: Record<string, string>;
  /** Keep the volume (and its data) when the stack is destroyed or the volume is dropped from the program. */
  retainOnDelete: boolean;
}

/** The cluster's network: created for it, or an existing one it joins. */
export interface DockerNetworkSpec {
  name: string;
  create: boolean;
  labels: Record<string, string>;
}

/** The whole cluster as Docker objects: the plain spec every Docker backend applies. */
export interface DockerClusterSpec {
  network: DockerNetworkSpec;
  volumes: DockerVolumeSpec[];
  /** Long-running containers: the SC, the SPUs and their exporters. */
  containers: DockerContainerSpec[];
  /**
   * One job per SPU that registers it with the SC, then the job that unregisters every SPU the
   * SC holds and the plan no longer has (`sync-registrations`, after all the others).
   */
  registrations: DockerContainerSpec[];
}

/** Choices that are not in the plan: those only a program makes. */
export interface DockerSpecOptions {
  /** An existing network to join (wins over the plan's network). */
  network?: string;
}

/** Docker Engine on Linux's extra host, so local endpoints resolve there as on Docker Desktop (`PLATFORM_ACCESS` in src/plan/host-access.ts decides per platform). */
export const HOST_DOCKER_INTERNAL = { host: "host.docker.internal", ip: HOST_GATEWAY } as const;

/** Health checks' timing (the check itself: `listeningCheck`, which makes no connection and so no log line). */
const HEALTH_TIMING = { interval: "5s", timeout: "3s", startPeriod: "10s", retries: 5 } as const;

/**
 * The plain Docker spec of a plan: network, volumes, long-running containers and registration
 * jobs. Pure, and reads the plan alone: every setting was validated when the plan was made.
 */
export function buildDockerSpecs(plan: ClusterPlan, options: DockerSpecOptions = {}): DockerClusterSpec {
  const docker = dockerPlanOf(plan);
  const network = clusterNetwork(plan, docker, options);
  const volumes = clusterVolumes(plan, docker);
  const sc = scContainer(plan, docker, network.name);
  const spus = plan.spus.map((spu) => spuContainer(plan, docker, spu, network.name));
  const exporters = plan.spus.flatMap((spu) => (spu.exporterCommand ? [exporterContainer(plan, docker, spu, spu.exporterCommand, network.name)] : []));
  const registrations = plan.spus.map((spu) => registrationJob(plan, spu, network.name));
  registrations.push(syncJob(plan, registrations, network.name));
  const prometheus = plan.monitoring.prometheus ? [prometheusContainer(plan, docker, plan.monitoring.prometheus, network.name)] : [];
  return { network, volumes, containers: [sc, ...spus, ...exporters, ...prometheus], registrations };
}

/** The plan's Docker decisions; a plan for another target here is a bug in the caller. */
function dockerPlanOf(plan: ClusterPlan): DockerPlan {
  if (plan.docker === null) throw new Error(`the Docker target was handed a plan for target ${plan.target}`);
  return plan.docker;
}

function clusterNetwork(plan: ClusterPlan, docker: DockerPlan, options: DockerSpecOptions): DockerNetworkSpec {
  const name = options.network ?? docker.network.name;
  return { name, create: options.network === undefined && docker.network.create, labels: clusterLabels(plan) };
}

function clusterLabels(plan: ClusterPlan): Record<string, string> {
  return { [LABELS.cluster]: plan.namePrefix, [LABELS.stack]: plan.stack };
}

function nodeLabels(plan: ClusterPlan, node: string): Record<string, string> {
  return { ...clusterLabels(plan), [LABELS.node]: node };
}

/** Volume names: `<prefix>-sc-metadata`, `<prefix>-spu-<id>-data`, `<prefix>-spu-<id>-metrics` (from the SPU's planned name). */
export function volumeNames(plan: ClusterPlan): { scMetadata: string; spuData(spu: Pick<SpuPlan, "host">): string; spuMetrics(spu: Pick<SpuPlan, "host">): string } {
  return {
    scMetadata: `${plan.sc.name}-metadata`,
    spuData: (spu) => `${spu.host}-data`,
    spuMetrics: (spu) => `${spu.host}-metrics`,
  };
}

function clusterVolumes(plan: ClusterPlan, docker: DockerPlan): DockerVolumeSpec[] {
  const names = volumeNames(plan);
  const retainOnDelete = docker.retainData;
  const sc: DockerVolumeSpec = { key: "sc-metadata", name: names.scMetadata, holds: "sc-metadata", labels: nodeLabels(plan, "sc"), retainOnDelete };
  const spus = plan.spus.flatMap((spu): DockerVolumeSpec[] => [
    { key: `spu-${spu.id}-data`, name: names.spuData(spu), holds: "spu-data", labels: nodeLabels(plan, spu.key), retainOnDelete },
    ...(spu.exporterCommand
      ? [{ key: `spu-${spu.id}-metrics`, name: names.spuMetrics(spu), holds: "metrics-socket" as const, labels: nodeLabels(plan, spu.key), retainOnDelete: false }]
      : []),
  ]);
  return [sc, ...spus];
}

/** The host addresses public ports are published on: the plan's (`docker.publishAddresses`, else the platform's). */
/** The extra hosts every container gets, so the local endpoints' name resolves (none where the platform defines it). */
function extraHosts(plan: ClusterPlan): { host: string; ip: string }[] {
  return plan.hostAccess.extraHosts.map((entry) => ({ ...entry }));
}

/** A port published on every configured public address (or on loopback only, for metrics). */
function publish(port: number, addresses: readonly string[]): PortPublication[] {
  return addresses.map((ip) => ({ internal: port, external: port, ip, protocol: "tcp" }));
}

/** Loopback in the family the public addresses use, so metrics never reach other interfaces. */
function loopbackLike(addresses: readonly string[]): string {
  return addresses.some((address) => address.includes(":")) ? "::1" : "127.0.0.1";
}

/** The node listens on its public port (see `listeningCheck`: TLS or not, nothing is logged). */
function portCheck(port: number): HealthCheck {
  return { test: ["CMD", ...listeningCheck(port)], ...HEALTH_TIMING };
}

function scContainer(plan: ClusterPlan, docker: DockerPlan, network: string): DockerContainerSpec {
  const addresses = docker.publishAddresses;
  return {
    key: "sc",
    name: plan.sc.name,
    role: "sc",
    image: "fluvio",
    command: [...plan.sc.command],
    env: { ...plan.sc.env },
    ports: [...publish(plan.sc.ports.public, addresses), ...(docker.publishPrivate ? publish(plan.sc.ports.private, addresses) : [])],
    hosts: extraHosts(plan),
    labels: nodeLabels(plan, "sc"),
    mounts: [{ volume: volumeNames(plan).scMetadata, target: CONTAINER_PATHS.scMetadata, readOnly: false }],
    files: plan.tls.server.map((file) => ({ ...file })),
    healthcheck: portCheck(plan.sc.ports.public),
    networks: [{ network, aliases: [plan.sc.host] }],
    security: null,
    restart: "unless-stopped",
    init: true,
    runsOnce: false,
    waitHealthy: true,
    dependsOn: [],
  };
}

/**
 * An SPU container. Its inputs hold the SPU's ports, command and mounts but never its local
 * endpoint: that lives in the registration job only, so changing it re-registers the SPU
 * without replacing the container. Its metrics port belongs to its exporter, a container of
 * its own: the SPU shares only the socket volume with it.
 */
function spuContainer(plan: ClusterPlan, docker: DockerPlan, spu: SpuPlan, network: string): DockerContainerSpec {
  const addresses = docker.publishAddresses;
  const names = volumeNames(plan);
  return {
    key: spu.key,
    name: spu.host,
    role: "spu",
    image: "fluvio",
    command: [...spu.command],
    env: { ...spu.env },
    ports: [
      ...publish(spu.ports.public, addresses),
      ...(docker.publishPrivate ? publish(spu.ports.private, addresses) : []),
    ],
    hosts: extraHosts(plan),
    labels: nodeLabels(plan, spu.key),
    mounts: [
      { volume: names.spuData(spu), target: CONTAINER_PATHS.spuData, readOnly: false },
      ...(spu.exporterCommand ? [{ volume: names.spuMetrics(spu), target: CONTAINER_PATHS.metricsDir, readOnly: false }] : []),
    ],
    files: plan.tls.server.map((file) => ({ ...file })),
    healthcheck: portCheck(spu.ports.public),
    networks: [{ network, aliases: [spu.host] }],
    security: null,
    restart: "unless-stopped",
    init: true,
    runsOnce: false,
    // Not awaited: Fluvio's SPU keeps retrying the SC until it is registered, and its
    // registration (which the deployment does await) comes after it.
    waitHealthy: false,
    dependsOn: [{ container: plan.sc.name, condition: "healthy" }],
  };
}

/**
 * How the exporter runs. The SPU (Fluvio's stock image runs as root) creates its metrics socket
 * owned by root with mode 0755 (umask 022), and connecting to a Unix socket needs write
 * permission on it: the exporter image's own user `node` (uid 1000) gets EACCES, whatever its
 * group (checked on a real engine: test/live/docker.test.ts). So the exporter runs as the SPU's
 * uid, root "0:0", and may connect as the socket's owner, which needs no capability: every
 * capability is dropped (CAP_DAC_OVERRIDE included; binding the metrics port needs none either,
 * since Docker 20.10 lets any process in a container bind any port), the root filesystem is
 * read-only (the exporter writes nothing), no-new-privileges is set, and the socket volume is
 * mounted read-only (connecting to a socket is not a write to its filesystem). Root with no
 * power left to exercise, rather than widening the SPU's socket (which we cannot: the stock
 * image creates it) or running the SPU as another user (its data volumes are root's).
 */
export const EXPORTER_SECURITY: Readonly<ContainerSecurity> = {
  user: "0:0",
  dropCapabilities: ["ALL"],
  readOnlyRootFilesystem: true,
  noNewPrivileges: true,
};

/**
 * The metrics exporter beside an SPU: a container of its own on the cluster network, reachable
 * by its alias (`names.spuExporter`, the plan's metrics endpoint when metrics are not
 * published), binding the planned metrics port itself (published on loopback only, host port =
 * container port, when `metrics.publish`). It shares nothing with its SPU but the socket
 * volume, so it keeps answering when the SPU restarts or is replaced (a shared network
 * namespace would die with the SPU's first one), and scrapes say `up 0` while the SPU is down.
 */
function exporterContainer(plan: ClusterPlan, docker: DockerPlan, spu: SpuPlan, command: string[], network: string): DockerContainerSpec {
  const metricsPort = spu.ports.metrics as number;
  const alias = spu.exporterHost as string;
  return {
    key: `exporter-${spu.id}`,
    name: alias,
    role: "exporter",
    image: "exporter",
    command: [...command],
    env: {},
    ports: docker.publishMetrics ? publish(metricsPort, [loopbackLike(docker.publishAddresses)]) : [],
    hosts: extraHosts(plan),
    labels: nodeLabels(plan, `exporter-${spu.id}`),
    mounts: [{ volume: volumeNames(plan).spuMetrics(spu), target: CONTAINER_PATHS.metricsDir, readOnly: true }],
    files: [],
    healthcheck: {
      test: [
        "CMD",
        "node",
        "-e",
        `require("http").get("http://127.0.0.1:${metricsPort}${EXPORTER_HEALTH_PATH}", (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on("error", () => process.exit(1))`,
      ],
      ...HEALTH_TIMING,
    },
    networks: [{ network, aliases: [alias] }],
    security: { ...EXPORTER_SECURITY, dropCapabilities: [...EXPORTER_SECURITY.dropCapabilities] },
    restart: "unless-stopped",
    // Node handles SIGTERM itself (the exporter closes its server on it).
    init: false,
    runsOnce: false,
    waitHealthy: false,
    // No dependency on the SPU: the socket volume is the only link, and the exporter reports
    // `up 0` until the SPU's socket answers.
    dependsOn: [],
  };
}

/**
 * The optional Prometheus (`monitoring.prometheus`): on the cluster network, scraping every
 * exporter by its alias, evaluating the plan's alert rules, its planned port published on
 * loopback like the metrics ports (`metrics.publish`). Its image runs as `nobody` already;
 * its data lives in the image's anonymous volume (alert state, not Fluvio data).
 */
function prometheusContainer(plan: ClusterPlan, docker: DockerPlan, prometheus: PrometheusPlan, network: string): DockerContainerSpec {
  return {
    key: "prometheus",
    name: prometheus.name,
    role: "prometheus",
    image: "prometheus",
    command: [...prometheus.args],
    env: {},
    ports: docker.publishMetrics ? publish(prometheus.port, [loopbackLike(docker.publishAddresses)]) : [],
    hosts: [],
    labels: nodeLabels(plan, "prometheus"),
    mounts: [],
    files: [],
    configFiles: [
      { path: PROMETHEUS_PATHS.config, content: prometheusConfigYaml(plan.monitoring), file: PROMETHEUS_FILES.config },
      { path: PROMETHEUS_PATHS.rules, content: prometheusRulesYaml(plan.monitoring), file: PROMETHEUS_FILES.rules },
    ],
    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${prometheus.port}/-/ready`], ...HEALTH_TIMING },
    networks: [{ network, aliases: [prometheus.name] }],
    security: null,
    restart: "unless-stopped",
    // Prometheus handles SIGTERM itself.
    init: false,
    runsOnce: false,
    waitHealthy: false,
    dependsOn: [],
  };
}

function registrationName(spu: SpuPlan): string {
  return `${spu.host}-register`;
}

/**
 * The job that registers one SPU with the SC through the `fluvio` CLI image, once the SPU has
 * started (Fluvio's custom SPUs may start before or after their registration): waits for the SC,
 * unregisters the SPU if present, registers it with the plan's `register` argv (public, local
 * and private endpoints). Its inputs carry the local endpoint, so a local-endpoint change
 * replaces this job (a re-registration) and nothing else.
 */
function registrationJob(plan: ClusterPlan, spu: SpuPlan, network: string): DockerContainerSpec {
  return cliJob(plan, network, {
    key: `register-${spu.id}`,
    name: registrationName(spu),
    role: "registration",
    command: registrationCommand(spu),
    env: registrationEnvironment(plan, spu),
    dependsOn: [
      { container: plan.sc.name, condition: "healthy" },
      { container: spu.host, condition: "started" },
    ],
  });
}

/**
 * The job that makes the SC's registrations match the plan: once every registration job has
 * exited 0, it lists the SPUs the SC holds and unregisters each one the plan no longer has
 * (scaled down, or renumbered). Its inputs carry the planned ids, so a change of the SPU set
 * replaces it, which runs it again; nothing else does. Without it a removed SPU stays
 * registered and `Offline`, and clients are still handed its endpoints.
 */
function syncJob(plan: ClusterPlan, registrations: readonly DockerContainerSpec[], network: string): DockerContainerSpec {
  return cliJob(plan, network, {
    key: "sync-registrations",
    name: `${plan.namePrefix}-spu-sync`,
    role: "sync",
    command: syncCommand(),
    env: syncEnvironment(plan),
    dependsOn: [{ container: plan.sc.name, condition: "healthy" }, ...registrations.map((job) => ({ container: job.name, condition: "completed" as const }))],
  });
}

/**
 * A job of the `fluvio` CLI image on the cluster network (registration or sync): runs once,
 * with the registration profile's TLS files and the host entries, and an init, since `sh` as
 * PID 1 ignores SIGTERM too (a job stopped while it waits for the SC stops at once).
 */
function cliJob(
  plan: ClusterPlan,
  network: string,
  job: Pick<DockerContainerSpec, "key" | "name" | "role" | "command" | "env" | "dependsOn">,
): DockerContainerSpec {
  return {
    ...job,
    image: "cli",
    ports: [],
    hosts: extraHosts(plan),
    labels: nodeLabels(plan, job.key),
    mounts: [],
    files: plan.tls.registration.map((file) => ({ ...file })),
    healthcheck: null,
    networks: [{ network, aliases: [] }],
    security: null,
    restart: "no",
    init: true,
    runsOnce: true,
    waitHealthy: false,
  };
}

/** The containers in an order that honours every `dependsOn` (SC, SPUs, exporters, then the registrations). */
export function creationOrder(spec: DockerClusterSpec): DockerContainerSpec[] {
  const all = [...spec.containers, ...spec.registrations];
  const byName = new Map(all.map((container) => [container.name, container]));
  const ordered: DockerContainerSpec[] = [];
  const visit = (container: DockerContainerSpec, path: string[]): void => {
    if (ordered.includes(container)) return;
    if (path.includes(container.name)) throw new Error(`dependency cycle: ${[...path, container.name].join(" → ")}`);
    for (const dependency of container.dependsOn) {
      const target = byName.get(dependency.container);
      if (target) visit(target, [...path, container.name]);
    }
    ordered.push(container);
  };
  all.forEach((container) => visit(container, []));
  return ordered;
}
