import { ConfigError, type ConfigIssue } from "../config/errors";
import { joinHostPort } from "../config/hosts";
import { DEFAULT_LOCAL_HOST } from "../config/presets";
import {
  activeRoles,
  defaultSpuName,
  parseClusterSpec,
  pinField,
  type ClusterSpec,
  type Encryption,
  type LocalEndpointPolicy,
  type SpuSpec,
} from "../config/schema";
import { allocatePorts, type AvoidedPorts, type BlockedPorts, type PortAssignment, type PortRequest } from "../ports/allocator";
import { FIRST_UNPRIVILEGED_PORT, MAX_PORT, formatRange, rangeIntersection, type PortRange, type PortRole } from "../ports/range";
import {
  EMPTY_REGISTRY,
  claimApplies,
  findRecord,
  hostsShareMachine,
  type PortClaim,
  type PortRegistry,
  type RecordedPorts,
  type StackRecord,
} from "../ports/registry";
import { WELL_KNOWN_OWNERS } from "../ports/well-known";
import { CONTAINER_PATHS, METRICS_SOCKET_ENV } from "./layout";
import { nodeNames, type NodeNames } from "./names";
import type { ClusterPlan, Endpoint, ScPlan, SpuPlan } from "./types";

/** What a plan depends on besides the spec: which stack, and what the registry and host say. */
export interface PlanContext {
  stack: string;
  project?: string;
  /** The port registry (`stacks/ports.registry.yaml`): claims and recorded assignments. */
  registry?: PortRegistry;
  /** The host's ephemeral port range (`net.ipv4.ip_local_port_range`); Linux's default when absent. */
  ephemeralRange?: PortRange;
}

/** Linux's default `net.ipv4.ip_local_port_range`. */
export const LINUX_EPHEMERAL_RANGE: PortRange = { from: 32768, to: 60999 };

/**
 * Plans one cluster for one stack: every port, endpoint, command and registration, from the
 * spec (raw config is parsed first) and the registry. Pure: the same input gives a
 * byte-identical plan on any machine. Throws `ConfigError` for anything a user must fix.
 */
export function planCluster(spec: ClusterSpec | unknown, context: PlanContext): ClusterPlan {
  const cluster = parseClusterSpec(spec);
  if (typeof context?.stack !== "string" || context.stack.length === 0) {
    throw new ConfigError({ path: "stack", message: "is missing: plan for a named stack, for example --stack dev" });
  }
  const registry = context.registry ?? EMPTY_REGISTRY;
  const project = context.project ?? "fluvio-spu";
  const names = nodeNames(cluster, context.stack);
  const issues: ConfigIssue[] = [...names.issues];
  checkTargetEndpoints(cluster, issues);
  if (issues.length > 0) throw new ConfigError(issues);

  const roles = activeRoles(cluster);
  const record = findRecord(registry, context.stack, cluster.name);
  const requests = portRequests(cluster, roles, record?.nodes ?? {});
  const ranges = Object.fromEntries(roles.map((role) => [role, cluster.ports[role]])) as Record<PortRole, PortRange>;
  const allocation = allocatePorts({
    requests,
    ranges: { ...cluster.ports, ...ranges },
    blocked: blockedPorts(cluster, registry, context.stack),
    avoided: avoidedPorts(registry, cluster.host),
    strategy: cluster.strategy,
    seed: `${context.stack}/${cluster.name}`,
  });
  const byOwner = new Map<string, Partial<Record<PortRole, number>>>();
  for (const row of allocation.assignments) byOwner.set(row.owner, { ...byOwner.get(row.owner), [row.role]: row.port });
  const portsOf = (owner: string): Partial<Record<PortRole, number>> => byOwner.get(owner) ?? {};

  const encryption: Encryption = cluster.tls.enabled ? "SSL" : "PLAINTEXT";
  const sc = planSc(cluster, names, portsOf("sc"), encryption);
  const spus = [...cluster.spus].sort((a, b) => a.id - b.id).map((spu) => planSpu(cluster, names, spu, portsOf(spuKey(spu.id)), sc, encryption));

  return {
    stack: context.stack,
    project,
    cluster: cluster.name,
    target: cluster.target,
    host: cluster.host,
    strategy: cluster.strategy,
    namePrefix: names.prefix,
    namespace: cluster.target === "kubernetes" ? cluster.kubernetes.namespace : null,
    serviceType: cluster.target === "kubernetes" ? cluster.kubernetes.serviceType : null,
    encryption,
    ranges,
    sc,
    spus,
    ports: allocation.assignments,
    hostPorts: hostPorts(cluster, allocation.assignments),
    warnings: [...ephemeralWarnings(ranges, context.ephemeralRange ?? LINUX_EPHEMERAL_RANGE), ...allocation.warnings],
  };
}

function hostPorts(cluster: ClusterSpec, assignments: PortAssignment[]): number[] {
  const published = (role: PortRole): boolean =>
    cluster.target === "kubernetes"
      ? role === "nodePort"
      : role === "public" || (role === "private" && cluster.docker.publishPrivate) || (role === "metrics" && cluster.metrics.publish);
  return assignments.filter((row) => published(row.role)).map((row) => row.port).sort((a, b) => a - b);
}

/** The registry key of an SPU. */
export function spuKey(id: number): string {
  return `spu-${id}`;
}

/** A node's key (`sc`, `spu-5001`) as messages name it: `SC`, `SPU 5001`. */
export function nodeLabel(owner: string): string {
  if (owner === "sc") return "SC";
  const id = /^spu-(\d+)$/.exec(owner)?.[1];
  return id === undefined ? owner : `SPU ${id}`;
}

function portRequests(cluster: ClusterSpec, roles: PortRole[], recorded: Record<string, RecordedPorts>): PortRequest[] {
  const requests: PortRequest[] = [];
  const scRoles = roles.filter((role) => role === "public" || role === "private" || role === "nodePort");
  for (const role of scRoles) {
    const pinned = role === "public" ? cluster.sc.publicPort : role === "private" ? cluster.sc.privatePort : undefined;
    requests.push(withOptional({ owner: "sc", label: nodeLabel("sc"), role, configPath: role === "nodePort" ? "ports.nodePort" : `sc.${pinField(role)}` }, pinned, recorded.sc?.[role]));
  }
  const byId = cluster.spus.map((spu, index) => ({ spu, index })).sort((a, b) => a.spu.id - b.spu.id);
  byId.forEach(({ spu, index }) => {
    for (const role of roles) {
      const owner = spuKey(spu.id);
      requests.push(withOptional({ owner, label: nodeLabel(owner), role, configPath: `spus[${index}].${pinField(role)}` }, spu[pinField(role)], recorded[owner]?.[role]));
    }
  });
  return requests;
}

function withOptional(request: PortRequest, pinned: number | undefined, recorded: number | undefined): PortRequest {
  return { ...request, ...(pinned !== undefined ? { pinned } : {}), ...(recorded !== undefined ? { recorded } : {}) };
}

/** Every blocked port; a holder's text is written only when a message names it (most never do). */
function blockedPorts(cluster: ClusterSpec, registry: PortRegistry, stack: string): BlockedPorts[] {
  const reserved = cluster.reserved.map((ports) => ({ ports, holder: `reserved (reserved: ${formatRange(ports)})`, fix: "take it off the reserved list" }));
  const claims = registry.claims.filter((claim) => claimApplies(registry, claim, cluster.host)).map((claim) => new ClaimBlock(claim));
  const otherStacks: BlockedPorts[] = [];
  for (const record of registry.records) {
    if ((record.stack === stack && record.cluster === cluster.name) || !hostsShareMachine(registry, record.host, cluster.host)) continue;
    for (const [node, ports] of Object.entries(record.nodes)) {
      for (const [role, port] of Object.entries(ports)) otherStacks.push(new RecordBlock(record, node, role, port as number));
    }
  }
  return [...reserved, ...claims, ...otherStacks];
}

/** Ports a registry claim holds. */
class ClaimBlock implements BlockedPorts {
  readonly ports: PortRange;
  readonly fix = "change the claim in stacks/ports.registry.yaml if it is stale";
  constructor(private readonly claim: PortClaim) {
    this.ports = claim.ports;
  }
  get holder(): string {
    return `${this.claim.owner} (a claim in the port registry for ${this.claim.hosts.join(", ")})`;
  }
}

/** A port another stack's record holds. */
class RecordBlock implements BlockedPorts {
  readonly ports: PortRange;
  readonly fix = "move that stack, or give this stack another host in the registry";
  constructor(
    private readonly record: StackRecord,
    private readonly node: string,
    private readonly role: string,
    port: number,
  ) {
    this.ports = { from: port, to: port };
  }
  get holder(): string {
    return `stack ${this.record.stack} (cluster ${this.record.cluster}, ${this.node} ${this.role}) on host ${this.record.host}`;
  }
}

function avoidedPorts(registry: PortRegistry, host: string): AvoidedPorts[] {
  return WELL_KNOWN_OWNERS.filter((claim) => claimApplies(registry, claim, host)).map((claim) => ({ ports: claim.ports, holder: claim.owner }));
}

function ephemeralWarnings(ranges: Partial<Record<PortRole, PortRange>>, ephemeral: PortRange): string[] {
  return (Object.entries(ranges) as [PortRole, PortRange][]).flatMap(([role, range]) => {
    if (role === "nodePort") return [];
    const shared = rangeIntersection(range, ephemeral);
    return shared
      ? [`ports.${role} ${formatRange(range)} overlaps the host's ephemeral port range ${formatRange(ephemeral)} on ${formatRange(shared)}: any outgoing connection may take one of these ports before the cluster starts; move the range below ${ephemeral.from}`]
      : [];
  });
}

function checkTargetEndpoints(cluster: ClusterSpec, issues: ConfigIssue[]): void {
  if (cluster.target !== "kubernetes") return;
  const type = cluster.kubernetes.serviceType;
  const check = (path: string, policy: LocalEndpointPolicy | false | undefined): void => {
    if (!policy || policy.inCluster) return;
    if (type === "ClusterIP" && policy.port === undefined) {
      issues.push({
        path: `${path}.host`,
        message: `${policy.host ?? DEFAULT_LOCAL_HOST} cannot reach an SPU behind a ClusterIP Service (it is reachable only inside the cluster): set kubernetes.serviceType: NodePort (or LoadBalancer), use localEndpoint: { inCluster: true }, or localEndpoint: false`,
      });
    }
  };
  check("localEndpoint", cluster.localEndpoint);
  cluster.spus.forEach((spu, index) => check(`spus[${index}].localEndpoint`, spu.localEndpoint));
}

function endpoint(host: string, port: number, encryption: Encryption): Endpoint {
  return { host, port, encryption };
}

function address(point: Endpoint): string {
  return joinHostPort(point.host, point.port);
}

function serviceDns(cluster: ClusterSpec, service: string): string {
  return `${service}.${cluster.kubernetes.namespace}.svc.cluster.local`;
}

function planSc(cluster: ClusterSpec, names: NodeNames, ports: Partial<Record<PortRole, number>>, encryption: Encryption): ScPlan {
  const publicPort = ports.public as number;
  const privatePort = ports.private as number;
  const onKubernetes = cluster.target === "kubernetes";
  const privateHost = onKubernetes ? serviceDns(cluster, names.scInternal) : names.sc;
  const publicEndpoint = onKubernetes ? kubernetesPublicEndpoint(cluster, names.sc, publicPort, ports.nodePort, encryption) : endpoint(cluster.publicHost, publicPort, encryption);
  const privateEndpoint = endpoint(privateHost, privatePort, "PLAINTEXT");
  const mode = onKubernetes ? ["--k8", "-n", cluster.kubernetes.namespace] : ["--local", CONTAINER_PATHS.scMetadata];
  const localEndpoint = planLocalEndpoint(cluster, cluster.localEndpoint, names.sc, publicPort, ports.nodePort, encryption);
  return {
    name: names.sc,
    host: names.sc,
    public: address(publicEndpoint),
    private: address(privateEndpoint),
    local: localEndpoint ? address(localEndpoint) : null,
    ports: { public: publicPort, private: privatePort, ...(ports.nodePort !== undefined ? { nodePort: ports.nodePort } : {}) },
    endpoints: { public: publicEndpoint, private: privateEndpoint },
    command: [
      CONTAINER_PATHS.fluvioRun,
      "sc",
      ...mode,
      "--bind-public",
      `0.0.0.0:${publicPort}`,
      "--bind-private",
      `0.0.0.0:${privatePort}`,
      ...tlsFlags(cluster, ports),
    ],
  };
}

function kubernetesPublicEndpoint(cluster: ClusterSpec, service: string, port: number, nodePort: number | undefined, encryption: Encryption): Endpoint {
  if (cluster.kubernetes.serviceType === "NodePort" && nodePort !== undefined) return endpoint(cluster.publicHost, nodePort, encryption);
  if (cluster.kubernetes.serviceType === "LoadBalancer") return endpoint(cluster.publicHost, port, encryption);
  return endpoint(serviceDns(cluster, service), port, encryption);
}

function planSpu(
  cluster: ClusterSpec,
  names: NodeNames,
  spu: SpuSpec,
  ports: Partial<Record<PortRole, number>>,
  sc: ScPlan,
  encryption: Encryption,
): SpuPlan {
  const publicPort = ports.public as number;
  const privatePort = ports.private as number;
  const onKubernetes = cluster.target === "kubernetes";
  const service = names.spu(spu.id);
  const publicEndpoint = onKubernetes ? kubernetesPublicEndpoint(cluster, service, publicPort, ports.nodePort, encryption) : endpoint(cluster.publicHost, publicPort, encryption);
  const privateEndpoint = endpoint(onKubernetes ? serviceDns(cluster, names.spuInternal(spu.id)) : service, privatePort, "PLAINTEXT");
  const localEndpoint = planLocalEndpoint(cluster, spu.localEndpoint === undefined ? cluster.localEndpoint : spu.localEndpoint, service, publicPort, ports.nodePort, encryption);
  const metricsPort = ports.metrics;
  const metricsHost = onKubernetes ? serviceDns(cluster, names.spuInternal(spu.id)) : cluster.metrics.publish ? "localhost" : names.spuExporter(spu.id);
  const name = spu.name ?? defaultSpuName(spu.id);
  return {
    id: spu.id,
    name,
    type: "Custom",
    rack: spu.rack ?? null,
    host: service,
    public: address(publicEndpoint),
    private: address(privateEndpoint),
    local: localEndpoint ? address(localEndpoint) : null,
    metrics: metricsPort !== undefined ? joinHostPort(metricsHost, metricsPort) : null,
    ports: {
      public: publicPort,
      private: privatePort,
      ...(metricsPort !== undefined ? { metrics: metricsPort } : {}),
      ...(ports.nodePort !== undefined ? { nodePort: ports.nodePort } : {}),
    },
    endpoints: { public: publicEndpoint, private: privateEndpoint, local: localEndpoint },
    command: [
      CONTAINER_PATHS.fluvioRun,
      "spu",
      "-i",
      String(spu.id),
      "-p",
      `0.0.0.0:${publicPort}`,
      "-v",
      `0.0.0.0:${privatePort}`,
      "--sc-addr",
      sc.private,
      "--log-base-dir",
      CONTAINER_PATHS.spuData,
      ...tlsFlags(cluster, ports),
    ],
    register: [
      "cluster",
      "spu",
      "register",
      "--id",
      String(spu.id),
      "--name",
      name,
      ...(spu.rack ? ["--rack", spu.rack] : []),
      "--public-server",
      address(publicEndpoint),
      ...(localEndpoint ? ["--public-server-local", address(localEndpoint)] : []),
      "--private-server",
      address(privateEndpoint),
    ],
    exporterCommand:
      metricsPort !== undefined
        ? ["node", CONTAINER_PATHS.exporterMain, "--socket", CONTAINER_PATHS.metricsSocket, "--port", String(metricsPort), "--spu-id", String(spu.id)]
        : null,
  };
}

function planLocalEndpoint(
  cluster: ClusterSpec,
  policy: LocalEndpointPolicy | false,
  service: string,
  publicPort: number,
  nodePort: number | undefined,
  encryption: Encryption,
): Endpoint | null {
  if (policy === false) return null;
  const explicitPort = policy.port;
  const useEncryption = policy.encryption ?? encryption;
  if (policy.inCluster) return endpoint(serviceDns(cluster, service), explicitPort ?? publicPort, useEncryption);
  const host = policy.host ?? DEFAULT_LOCAL_HOST;
  const onNodePort = cluster.target === "kubernetes" && cluster.kubernetes.serviceType === "NodePort";
  return endpoint(host, explicitPort ?? (onNodePort && nodePort !== undefined ? nodePort : publicPort), useEncryption);
}

/**
 * Fluvio's TLS flags. With `--tls`, Fluvio serves TLS on the public address through a proxy in
 * front of a plaintext listener at `--bind-non-tls-public`; that listener stays on the
 * container's loopback, on the first port after the private one that the node does not use
 * (Fluvio's own installer takes private + 1 too), so it never reaches the host or the plan.
 */
function tlsFlags(cluster: ClusterSpec, ports: Partial<Record<PortRole, number>>): string[] {
  if (!cluster.tls.enabled) return [];
  const used = new Set(Object.values(ports));
  const next = (port: number): number => (port >= MAX_PORT ? FIRST_UNPRIVILEGED_PORT : port + 1);
  let loopbackPort = next(ports.private as number);
  while (used.has(loopbackPort)) loopbackPort = next(loopbackPort);
  return [
    "--tls",
    "--server-cert",
    CONTAINER_PATHS.tlsServerCert,
    "--server-key",
    CONTAINER_PATHS.tlsServerKey,
    ...(cluster.tls.clientAuth ? ["--enable-client-cert", "--ca-cert", CONTAINER_PATHS.tlsCaCert] : []),
    "--bind-non-tls-public",
    `127.0.0.1:${loopbackPort}`,
  ];
}

/** The environment an SPU container needs beside its command. */
export function spuEnvironment(plan: ClusterPlan, spu: SpuPlan): Record<string, string> {
  return spu.ports.metrics !== undefined ? { [METRICS_SOCKET_ENV]: CONTAINER_PATHS.metricsSocket } : {};
}

/** The plan's port rows for one owner (`sc`, `spu-<id>`). */
export function portsOfOwner(plan: ClusterPlan, owner: string): PortAssignment[] {
  return plan.ports.filter((row) => row.owner === owner);
}
