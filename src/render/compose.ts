/**
 * The Docker target as a Compose file: the very `DockerClusterSpec` the Pulumi Docker target
 * creates containers from (`buildDockerSpecs`), written in Compose's words. Nothing is mapped
 * here: every port, argv, mount, label and dependency is read from the spec.
 *
 * Format: the Compose Specification with no `version` key, in the subset Debian's
 * `docker-compose` 1.29.2 accepts too (so the file works with Compose v1 and v2): ports in the
 * short syntax `IP:published:target/tcp` (1.29.2 has no `host_ip` in the long syntax),
 * `depends_on` with conditions, `user`, `cap_drop`, `read_only` and `security_opt` for the exporters.
 */
import type { ClusterPlan } from "../plan/types";
import { HOST_GATEWAY } from "../targets/docker/addresses";
import {
  buildDockerSpecs,
  type ContainerDependency,
  type ContainerSecurity,
  type DockerClusterSpec,
  type DockerContainerSpec,
  type DockerSpecOptions,
  type ImageRole,
  type PortPublication,
  type SecretFile,
} from "../targets/docker/spec";
import { toYaml, yamlComment } from "./yaml";
import { PROMETHEUS_FILES } from "../plan/monitoring";

/**
 * The variable a Compose user sets to the Docker bridge gateway address, where the Pulumi
 * target publishes public ports for `host.docker.internal` clients. The Pulumi target asks the
 * engine; a file cannot, so it names the variable with Docker's default as fallback.
 */
export const HOST_GATEWAY_VARIABLE = "FLUVIO_SPU_HOST_GATEWAY";

/**
 * The command that prints the bridge gateway on the engine's host, Docker 20.10 included (whose
 * `docker network inspect bridge` shows a subnet and no gateway): the address of the bridge's
 * own interface, which is where `host-gateway` points by default.
 */
export const BRIDGE_GATEWAY_COMMAND = `ip -4 -o addr show "$(docker network inspect bridge --format '{{index .Options "com.docker.network.bridge.name"}}')" | awk '{split($4, a, "/"); print a[1]}'`;

/** Docker's default bridge gateway (docker0), the fallback of `HOST_GATEWAY_VARIABLE`. */
export const DEFAULT_BRIDGE_GATEWAY = "172.17.0.1";

/** Where the Compose file expects the TLS files, relative to itself (never their content). */
export const COMPOSE_TLS_FILES: Record<SecretFile["secret"], string> = {
  serverCert: "./tls/server.crt",
  serverKey: "./tls/server.key",
  caCert: "./tls/ca.crt",
  clientCert: "./tls/client.crt",
  clientKey: "./tls/client.key",
};

/** Choices that are not in the plan: those of the Pulumi Docker target. */
export type RenderComposeOptions = DockerSpecOptions;

/** A Compose file as plain data (the parts this renderer writes). */
export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks: Record<string, ComposeNetwork>;
  volumes: Record<string, ComposeVolume>;
  secrets?: Record<string, { file: string }>;
}

/** One Compose service: one container of the Docker spec. */
export interface ComposeService {
  container_name: string;
  image: string;
  command: string[];
  environment?: Record<string, string>;
  ports?: string[];
  extra_hosts?: string[];
  networks: Record<string, { aliases?: string[] }>;
  user?: string;
  cap_drop?: string[];
  read_only?: boolean;
  security_opt?: string[];
  volumes?: ({ type: "volume"; source: string; target: string; read_only: boolean } | { type: "bind"; source: string; target: string; read_only: true })[];
  secrets?: { source: string; target: string }[];
  healthcheck?: { test: string[]; interval: string; timeout: string; start_period: string; retries: number };
  labels: Record<string, string>;
  restart: "unless-stopped" | "no";
  init?: true;
  depends_on?: Record<string, { condition: ComposeCondition }>;
}

/** Compose's names for the states a dependency must reach. */
export type ComposeCondition = "service_healthy" | "service_started" | "service_completed_successfully";

export interface ComposeNetwork {
  name: string;
  external?: true;
  labels?: Record<string, string>;
}

export interface ComposeVolume {
  name: string;
  labels: Record<string, string>;
}

const CONDITIONS: Record<ContainerDependency["condition"], ComposeCondition> = {
  healthy: "service_healthy",
  started: "service_started",
  completed: "service_completed_successfully",
};

/** The cluster as a Compose file. Pure: the same plan gives the same text. */
export function renderCompose(plan: ClusterPlan, options: RenderComposeOptions = {}): string {
  const docker = buildDockerSpecs(plan, options);
  return `${yamlComment(composeHeader(plan, docker))}${toYaml(composeFile(docker, planImages(plan)))}`;
}

/** Every image a plan's containers run, the Docker Prometheus's included. */
export function planImages(plan: ClusterPlan): Record<ImageRole, string> {
  return { ...plan.images, prometheus: plan.monitoring.prometheus?.image ?? "" };
}

function composeHeader(plan: ClusterPlan, docker: DockerClusterSpec): string[] {
  const all = [...docker.containers, ...docker.registrations];
  const usesGateway = all.some((container) => container.ports.some((port) => port.ip === HOST_GATEWAY));
  const tlsSecrets = [...new Set(all.flatMap((container) => container.files.map((file) => file.secret)))];
  return [
    `Fluvio cluster ${plan.cluster}, stack ${plan.stack}: rendered by \`fluvio-ports render --stack ${plan.stack}\`.`,
    `The same containers, volumes and network the Pulumi Docker target creates, every port from the stack's plan (plan.json).`,
    `Do not edit: change the stack config and render again.`,
    ``,
    `Start:  docker-compose -p ${plan.namePrefix} up -d     (or: docker compose -p ${plan.namePrefix} up -d)`,
    `The register-<id> services run once, after the SC is healthy, and register each SPU with its endpoints;`,
    `Compose does not fail when one of them fails: \`docker-compose -p ${plan.namePrefix} ps\` must show them exited with code 0.`,
    `Stop:   docker-compose -p ${plan.namePrefix} down      (keeps the data volumes; \`down -v\` deletes them)`,
    ...(docker.network.create ? [] : [``, `The cluster joins the existing network ${docker.network.name}: create it first.`]),
    ...(plan.monitoring.prometheus
      ? [``, `Prometheus (alert rules: ./${PROMETHEUS_FILES.rules}, config: ./${PROMETHEUS_FILES.config}, both beside this file): http://${plan.monitoring.prometheus.address}/alerts`]
      : []),
    ...(usesGateway
      ? [
          ``,
          `Public ports are published on loopback and on the Docker bridge gateway, where containers reach`,
          `${plan.hostAccess.localHost}. The gateway is \${${HOST_GATEWAY_VARIABLE}}, ${DEFAULT_BRIDGE_GATEWAY} (Docker's default) when unset; find yours with`,
          `(Docker 20.10 leaves the gateway out of the bridge's IPAM config: this reads the bridge interface's own address)`,
          `  ${BRIDGE_GATEWAY_COMMAND}`,
        ]
      : []),
    ...(tlsSecrets.length > 0
      ? [
          ``,
          `TLS: certificates and keys are secrets and are never rendered. Put your PEM files at these paths,`,
          `relative to this file (Compose secrets, mounted read-only where the SC, the SPUs and the registration jobs read them):`,
          ...tlsSecrets.map((secret) => `  ${COMPOSE_TLS_FILES[secret]}`),
          ...(docker.registrations.some((job) => job.files.length > 0)
            ? [
                `The register-<id> jobs use verified TLS: they present ${COMPOSE_TLS_FILES.clientCert} (an admin client`,
                `certificate signed by ${COMPOSE_TLS_FILES.caCert}) and verify the SC's certificate for the name ${plan.sc.host}, which it must carry.`,
              ]
            : []),
        ]
      : []),
  ];
}

/** The Compose file of a Docker spec, as plain data. Service keys are the containers' `key`s. */
export function composeFile(docker: DockerClusterSpec, images: Record<ImageRole, string>): ComposeFile {
  const all = [...docker.containers, ...docker.registrations];
  const names: ComposeNames = { serviceKey: keyByName(all, "container"), volumeKey: keyByName(docker.volumes, "volume") };
  const services = Object.fromEntries(all.map((container) => [container.key, composeService(container, images, names)]));
  const secretNames = [...new Set(all.flatMap((container) => container.files.map((file) => file.secret)))];
  return {
    services,
    networks: { [docker.network.name]: composeNetwork(docker) },
    volumes: Object.fromEntries(docker.volumes.map((volume) => [volume.key, { name: volume.name, labels: escapeAll(volume.labels) }])),
    ...(secretNames.length > 0 ? { secrets: Object.fromEntries(secretNames.map((secret) => [tlsSecretKey(secret), { file: COMPOSE_TLS_FILES[secret] }])) } : {}),
  };
}

/**
 * The spec refers to containers and volumes by name (`dependsOn`, mounts);
 * the Compose file keys services and volumes by the spec's short `key`s.
 */
interface ComposeNames {
  serviceKey(containerName: string): string;
  volumeKey(volumeName: string): string;
}

function keyByName(items: readonly { key: string; name: string }[], what: string): (name: string) => string {
  const keys = new Map(items.map((item) => [item.name, item.key]));
  return (name) => {
    const key = keys.get(name);
    if (key === undefined) throw new Error(`the Docker spec names ${what} ${name}, which it does not hold`);
    return key;
  };
}

function composeNetwork(docker: DockerClusterSpec): ComposeNetwork {
  if (!docker.network.create) return { name: docker.network.name, external: true };
  return { name: docker.network.name, labels: escapeAll(docker.network.labels) };
}

function composeService(container: DockerContainerSpec, images: Record<ImageRole, string>, names: ComposeNames): ComposeService {
  const environment = escapeAll(container.env);
  return {
    container_name: container.name,
    image: images[container.image],
    command: container.command.map(escapeDollars),
    ...(Object.keys(environment).length > 0 ? { environment } : {}),
    ...(container.ports.length > 0 ? { ports: container.ports.map(composePort) } : {}),
    ...(container.hosts.length > 0 ? { extra_hosts: container.hosts.map((entry) => `${entry.host}:${entry.ip}`) } : {}),
    networks: Object.fromEntries(container.networks.map((attachment) => [attachment.network, attachment.aliases.length > 0 ? { aliases: attachment.aliases } : {}])),
    ...(container.security ? composeSecurity(container.security) : {}),
    ...(container.mounts.length > 0 || (container.configFiles ?? []).length > 0
      ? {
          volumes: [
            ...container.mounts.map((mount) => ({ type: "volume" as const, source: names.volumeKey(mount.volume), target: mount.target, read_only: mount.readOnly })),
            // Plain config files (the Prometheus config and rules): render writes them beside the Compose file.
            ...(container.configFiles ?? []).map((file) => ({ type: "bind" as const, source: `./${file.file}`, target: file.path, read_only: true as const })),
          ],
        }
      : {}),
    ...(container.files.length > 0 ? { secrets: container.files.map((file) => ({ source: tlsSecretKey(file.secret), target: file.path })) } : {}),
    ...(container.healthcheck
      ? {
          healthcheck: {
            test: container.healthcheck.test.map(escapeDollars),
            interval: container.healthcheck.interval,
            timeout: container.healthcheck.timeout,
            start_period: container.healthcheck.startPeriod,
            retries: container.healthcheck.retries,
          },
        }
      : {}),
    labels: escapeAll(container.labels),
    restart: container.restart,
    ...(container.init ? { init: true as const } : {}),
    ...(container.dependsOn.length > 0
      ? { depends_on: Object.fromEntries(container.dependsOn.map((dependency) => [names.serviceKey(dependency.container), { condition: CONDITIONS[dependency.condition] }])) }
      : {}),
  };
}

/** A narrowed user and privileges in Compose's words (the same four settings the Pulumi target gives the provider). */
function composeSecurity(security: ContainerSecurity): Pick<ComposeService, "user" | "cap_drop" | "read_only" | "security_opt"> {
  return {
    user: security.user,
    cap_drop: [...security.dropCapabilities],
    read_only: security.readOnlyRootFilesystem,
    ...(security.noNewPrivileges ? { security_opt: ["no-new-privileges:true"] } : {}),
  };
}

/**
 * `IP:published:target/tcp`, published = target (port rule 5). `host-gateway` becomes the
 * bridge gateway variable (see `HOST_GATEWAY_VARIABLE`); IPv6 addresses are bracketed.
 */
export function composePort(port: PortPublication): string {
  const ip = port.ip === HOST_GATEWAY ? `\${${HOST_GATEWAY_VARIABLE}:-${DEFAULT_BRIDGE_GATEWAY}}` : port.ip.includes(":") ? `[${port.ip}]` : port.ip;
  return `${ip}:${port.external}:${port.internal}/${port.protocol}`;
}

function tlsSecretKey(secret: SecretFile["secret"]): string {
  return `tls-${secret.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** Compose reads `$NAME` in every value as a variable; a `$` the container should see is written `$$`. */
function escapeDollars(text: string): string {
  return text.replaceAll("$", "$$$$");
}

function escapeAll(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, escapeDollars(value)]));
}
