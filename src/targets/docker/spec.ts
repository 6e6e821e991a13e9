/**
 * The Docker target's plain data: what containers, volumes and network a plan becomes, with no
 * Pulumi type in sight, so the same spec can be applied by Pulumi (index.ts), by the live
 * tier's engine adapter, or rendered to a Compose file. Every port is read from the plan.
 */
import { ConfigError } from "../../config/errors";
import type { ClusterSpec } from "../../config/schema";
import { CONTAINER_PATHS, EXPORTER_HEALTH_PATH, LABELS } from "../../plan/layout";
import { nodeNames } from "../../plan/names";
import type { ClusterPlan, SpuPlan } from "../../plan/types";
import type { TlsMaterial } from "../contract";
import { HOST_GATEWAY, publishAddressIssues } from "./addresses";
import { REGISTRATION_TLS_PATHS, registrationCommand, registrationEnvironment } from "./registration";
import { spuEnvironment, spuKey } from "../../plan/plan";

/** Which configured image a container runs: `images.fluvio`, `images.cli` or `images.exporter`. */
export type ImageRole = "fluvio" | "cli" | "exporter";

/** What a container is for; long-running nodes and one-shot registration jobs. */
export type ContainerRole = "sc" | "spu" | "exporter" | "registration";

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
  healthcheck: HealthCheck | null;
  /** Networks joined, with this container's aliases on each. Every container has its own network namespace. */
  networks: NetworkAttachment[];
  /** The process's user and privileges; null: the image's user and Docker's defaults. */
  security: ContainerSecurity | null;
  restart: "unless-stopped" | "no";
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
  /** One job per SPU that registers it with the SC. */
  registrations: DockerContainerSpec[];
}

/** Choices that are not in the cluster spec. */
export interface DockerSpecOptions {
  /** An existing network to join (wins over `docker.network`). */
  network?: string;
}

/** The extra host every container gets, so local endpoints resolve on Linux as on Docker Desktop. */
export const HOST_DOCKER_INTERNAL = { host: "host.docker.internal", ip: HOST_GATEWAY } as const;

/** Health checks: Fluvio's image is Alpine with busybox, whose `nc -z` tells whether a port accepts connections. */
const HEALTH_TIMING = { interval: "5s", timeout: "3s", startPeriod: "10s", retries: 5 } as const;

/**
 * The plain Docker spec of a plan: network, volumes, long-running containers and registration
 * jobs. Pure. Throws `ConfigError` for Docker settings that cannot work.
 */
export function buildDockerSpecs(plan: ClusterPlan, spec: ClusterSpec, options: DockerSpecOptions = {}): DockerClusterSpec {
  const issues = publishAddressIssues(spec.docker.publishAddresses);
  if (plan.target !== "docker") issues.push({ path: "target", message: `is ${plan.target}: the Docker target deploys only target: docker plans` });
  if (issues.length > 0) throw new ConfigError(issues);

  const network = clusterNetwork(plan, spec, options);
  const volumes = clusterVolumes(plan, spec);
  const sc = scContainer(plan, spec, network.name);
  const spus = plan.spus.map((spu) => spuContainer(plan, spec, spu, network.name));
  const exporters = plan.spus.flatMap((spu) => (spu.exporterCommand ? [exporterContainer(plan, spec, spu, spu.exporterCommand, network.name)] : []));
  const registrations = plan.spus.map((spu) => registrationJob(plan, spec, spu, network.name));
  return { network, volumes, containers: [sc, ...spus, ...exporters], registrations };
}

function clusterNetwork(plan: ClusterPlan, spec: ClusterSpec, options: DockerSpecOptions): DockerNetworkSpec {
  const existing = options.network ?? spec.docker.network;
  return { name: existing ?? plan.namePrefix, create: existing === undefined, labels: clusterLabels(plan) };
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

function clusterVolumes(plan: ClusterPlan, spec: ClusterSpec): DockerVolumeSpec[] {
  const names = volumeNames(plan);
  const retainOnDelete = !spec.docker.deleteDataOnDestroy;
  const sc: DockerVolumeSpec = { key: "sc-metadata", name: names.scMetadata, holds: "sc-metadata", labels: nodeLabels(plan, "sc"), retainOnDelete };
  const spus = plan.spus.flatMap((spu): DockerVolumeSpec[] => [
    { key: `spu-${spu.id}-data`, name: names.spuData(spu), holds: "spu-data", labels: nodeLabels(plan, spuKey(spu.id)), retainOnDelete },
    ...(spu.exporterCommand
      ? [{ key: `spu-${spu.id}-metrics`, name: names.spuMetrics(spu), holds: "metrics-socket" as const, labels: nodeLabels(plan, spuKey(spu.id)), retainOnDelete: false }]
      : []),
  ]);
  return [sc, ...spus];
}

/** A port published on every configured public address (or on loopback only, for metrics). */
function publish(port: number, addresses: readonly string[]): PortPublication[] {
  return addresses.map((ip) => ({ internal: port, external: port, ip, protocol: "tcp" }));
}

/** Loopback in the family the public addresses use, so metrics never reach other interfaces. */
function loopbackLike(addresses: readonly string[]): string {
  return addresses.some((address) => address.includes(":")) ? "::1" : "127.0.0.1";
}

function portCheck(port: number): HealthCheck {
  return { test: ["CMD", "nc", "-z", "127.0.0.1", String(port)], ...HEALTH_TIMING };
}

function tlsFiles(spec: ClusterSpec): SecretFile[] {
  if (!spec.tls.enabled) return [];
  return [
    { path: CONTAINER_PATHS.tlsServerCert, secret: "serverCert", mode: "0444" },
    { path: CONTAINER_PATHS.tlsServerKey, secret: "serverKey", mode: "0400" },
    ...(spec.tls.clientAuth ? [{ path: CONTAINER_PATHS.tlsCaCert, secret: "caCert" as const, mode: "0444" }] : []),
  ];
}

function scContainer(plan: ClusterPlan, spec: ClusterSpec, network: string): DockerContainerSpec {
  const addresses = spec.docker.publishAddresses;
  return {
    key: "sc",
    name: plan.sc.name,
    role: "sc",
    image: "fluvio",
    command: [...plan.sc.command],
    env: {},
    ports: [...publish(plan.sc.ports.public, addresses), ...(spec.docker.publishPrivate ? publish(plan.sc.ports.private, addresses) : [])],
    hosts: [{ ...HOST_DOCKER_INTERNAL }],
    labels: nodeLabels(plan, "sc"),
    mounts: [{ volume: volumeNames(plan).scMetadata, target: CONTAINER_PATHS.scMetadata, readOnly: false }],
    files: tlsFiles(spec),
    healthcheck: portCheck(plan.sc.ports.public),
    networks: [{ network, aliases: [plan.sc.host] }],
    security: null,
    restart: "unless-stopped",
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
function spuContainer(plan: ClusterPlan, spec: ClusterSpec, spu: SpuPlan, network: string): DockerContainerSpec {
  const addresses = spec.docker.publishAddresses;
  const names = volumeNames(plan);
  return {
    key: spuKey(spu.id),
    name: spu.host,
    role: "spu",
    image: "fluvio",
    command: [...spu.command],
    env: spuEnvironment(plan, spu),
    ports: [
      ...publish(spu.ports.public, addresses),
      ...(spec.docker.publishPrivate ? publish(spu.ports.private, addresses) : []),
    ],
    hosts: [{ ...HOST_DOCKER_INTERNAL }],
    labels: nodeLabels(plan, spuKey(spu.id)),
    mounts: [
      { volume: names.spuData(spu), target: CONTAINER_PATHS.spuData, readOnly: false },
      ...(spu.exporterCommand ? [{ volume: names.spuMetrics(spu), target: CONTAINER_PATHS.metricsDir, readOnly: false }] : []),
    ],
    files: tlsFiles(spec),
    healthcheck: portCheck(spu.ports.public),
    networks: [{ network, aliases: [spu.host] }],
    security: null,
    restart: "unless-stopped",
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
function exporterContainer(plan: ClusterPlan, spec: ClusterSpec, spu: SpuPlan, command: string[], network: string): DockerContainerSpec {
  const metricsPort = spu.ports.metrics as number;
  const alias = nodeNames(spec, plan.stack).spuExporter(spu.id);
  return {
    key: `exporter-${spu.id}`,
    name: alias,
    role: "exporter",
    image: "exporter",
    command: [...command],
    env: {},
    ports: spec.metrics.publish ? publish(metricsPort, [loopbackLike(spec.docker.publishAddresses)]) : [],
    hosts: [{ ...HOST_DOCKER_INTERNAL }],
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
    runsOnce: false,
    waitHealthy: false,
    // No dependency on the SPU: the socket volume is the only link, and the exporter reports
    // `up 0` until the SPU's socket answers.
    dependsOn: [],
  };
}

function registrationName(spu: SpuPlan): string {
  return `${spu.host}-register`;
}

/**
 * The files of a registration job's verified TLS profile whenever TLS is on: the CA and the
 * admin client certificate and key (none in plaintext).
 */
function registrationTlsFiles(spec: ClusterSpec): SecretFile[] {
  if (!spec.tls.enabled) return [];
  return [
    { path: REGISTRATION_TLS_PATHS.caCert, secret: "caCert", mode: "0444" },
    { path: REGISTRATION_TLS_PATHS.clientCert, secret: "clientCert", mode: "0444" },
    { path: REGISTRATION_TLS_PATHS.clientKey, secret: "clientKey", mode: "0400" },
  ];
}

/**
 * The job that registers one SPU with the SC through the `fluvio` CLI image, once the SPU has
 * started (Fluvio's custom SPUs may start before or after their registration): waits for the SC,
 * unregisters the SPU if present, registers it with the plan's `register` argv (public, local
 * and private endpoints). Its inputs carry the local endpoint, so a local-endpoint change
 * replaces this job (a re-registration) and nothing else.
 */
function registrationJob(plan: ClusterPlan, spec: ClusterSpec, spu: SpuPlan, network: string): DockerContainerSpec {
  return {
    key: `register-${spu.id}`,
    name: registrationName(spu),
    role: "registration",
    image: "cli",
    command: registrationCommand(spu),
    env: registrationEnvironment(plan, spu),
    ports: [],
    hosts: [{ ...HOST_DOCKER_INTERNAL }],
    labels: nodeLabels(plan, `register-${spu.id}`),
    mounts: [],
    files: registrationTlsFiles(spec),
    healthcheck: null,
    networks: [{ network, aliases: [] }],
    security: null,
    restart: "no",
    runsOnce: true,
    waitHealthy: false,
    dependsOn: [
      { container: plan.sc.name, condition: "healthy" },
      { container: spu.host, condition: "started" },
    ],
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
