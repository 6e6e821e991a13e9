import { ConfigError, type ConfigIssue } from "../errors";
import { joinHostPort } from "../config/hosts";
import { stackOf } from "../config/stack-name";
import {
  activeRoles,
  alertsOn,
  defaultSpuName,
  explicitLocalPorts,
  isClusterSpec,
  parseClusterSpec,
  pinField,
  type ClusterSpec,
  type Encryption,
  type LocalEndpointPolicy,
  type SpuSpec,
} from "../config/schema";
import {
  allocatePorts,
  type AllocationFailure,
  type AllocationNotice,
  type AvoidedPorts,
  type BlockedPorts,
  type PortAssignment,
  type PortRequest,
} from "../ports/allocator";
import { FIRST_UNPRIVILEGED_PORT, MAX_PORT, formatRange, rangeIntersection, rangeSize, type PortRange, type PortRole } from "../ports/range";
import {
  EMPTY_REGISTRY,
  claimApplies,
  findRecord,
  hostsShareMachine,
  validateRegistry,
  type PortRegistry,
  type RecordedPorts,
} from "../ports/registry";
import { WELL_KNOWN_OWNERS } from "../ports/well-known";
import { CONTAINER_PATHS, LOG_LEVEL_ENV, METRICS_SOCKET_ENV } from "./layout";
import { AUTO_HOST, planHostAccess, type HostAccessPlan, type HostFactsAnswer } from "./host-access";
import { PROMETHEUS_OWNER, planMonitoring, probeFlags, probeTargets } from "./monitoring";
import { nodeLabel, nodeNames, spuKey, type NodeNames } from "./names";
import type { ClusterPlan, DockerPlan, Endpoint, KubernetesPlan, PlannedPort, ScPlan, SpuPlan, TlsPlan } from "./types";

/** What a plan depends on besides the spec: which stack and project, and what the registry and host say. */
export interface PlanContext {
  stack: string;
  /** The Pulumi project: the `part-of` label of every object. Default `fluvio-spu`. */
  project?: string;
  /** The port registry (`stacks/ports.registry.yaml`): claims and recorded assignments. Checked like the file (`validateRegistry`). */
  registry?: PortRegistry;
  /** The host's ephemeral port range (`net.ipv4.ip_local_port_range`); Linux's default when absent. */
  ephemeralRange?: PortRange;
  /**
   * What the container engine said it is (`GET /info`, `GET /version`), asked once by the edge;
   * it decides `hostAccess`. Absent: not asked (Docker Engine on Linux's choice, silently);
   * `{ ok: false }`: asked in vain (the same choice, with a warning).
   */
  hostFacts?: HostFactsAnswer;
  /**
   * `strategy: isolated`: ports taken on this host or planned by the project's other stacks,
   * gathered by the edge (`fluvio-ports`); derived ports step around them. Ignored by the other
   * strategies, which stay independent of the host.
   */
  occupied?: OccupiedPort[];
  /**
   * This machine's own names (host name, interface addresses), read by the edge: a registry
   * entry or stack on any of them is on `localhost` (`machineKey`). Absent: only the loopback
   * spellings are known to be this machine.
   */
  machineNames?: readonly string[];
  /**
   * Clusters this program declared before this one (in declaration order): their ports are
   * planned around on a machine they share, as another stack's record is, so two clusters of
   * one program never share a port.
   */
  siblings?: readonly SiblingCluster[];
}

/** A cluster declared earlier in the same program, with the ports it planned. */
export interface SiblingCluster {
  /** Its resource name (`new SpuCluster("orders", ...)`). */
  resource: string;
  cluster: string;
  host: string;
  ports: readonly { port: number; owner: string; role: PortRole }[];
}

/** A port the edge found taken (a live listener, a published port, another stack's plan), and by whom. */
export interface OccupiedPort {
  port: number;
  holder: string;
}

/** Linux's default `net.ipv4.ip_local_port_range`. */
const LINUX_EPHEMERAL_RANGE: PortRange = { from: 32768, to: 60999 };

/** The project name when none is given: this package's own program. */
export const DEFAULT_PROJECT = "fluvio-spu";

/**
 * Plans one cluster for one stack: every port, endpoint, command, registration and target
 * decision, from a validated spec (`parseClusterSpec`; raw config is validated first) and the
 * registry. Pure: the same input gives a byte-identical plan on any machine. Throws
 * `ConfigError` for anything a user must fix.
 */
export function planCluster(spec: ClusterSpec | unknown, context: PlanContext): ClusterPlan {
  const cluster = isClusterSpec(spec) ? spec : parseClusterSpec(spec);
  if (typeof context?.stack !== "string" || context.stack.length === 0) {
    throw new ConfigError({ path: "stack", message: "is missing: plan for a named stack, for example --stack dev" });
  }
  if (stackOf(context.stack) !== context.stack) {
    throw new ConfigError({ path: "stack", message: `'${context.stack}' is a qualified name: plan for the stack part '${stackOf(context.stack)}', as pulumi.getStack() gives it` });
  }
  const registry = context.registry === undefined ? EMPTY_REGISTRY : validateRegistry(context.registry, "registry");
  const project = context.project ?? DEFAULT_PROJECT;
  const names = nodeNames(cluster, context.stack, project);
  if (names.issues.length > 0) throw new ConfigError(names.issues);

  const here = context.machineNames === undefined ? undefined : new Set(context.machineNames.map((name) => name.toLowerCase()));
  const roles = activeRoles(cluster);
  const record = findRecord(registry, context.stack, cluster.name);
  const requests = portRequests(cluster, roles, record?.nodes ?? {});
  const ranges = Object.fromEntries(roles.map((role) => [role, cluster.ports[role]])) as Record<PortRole, PortRange>;
  const allocation = allocatePorts({
    requests: requests.map((entry) => entry.request),
    ranges: { ...cluster.ports, ...ranges },
    blocked: [...blockedPorts(cluster, registry, context.stack, here), ...siblingPorts(cluster, registry, context.siblings, here), ...occupiedPorts(cluster, context.occupied)],
    avoided: avoidedPorts(registry, cluster.host, here),
    // `isolated` places like `stack-hash`; what sets it apart is what it is blocked from (occupied ports).
    strategy: cluster.strategy === "sequential" ? "sequential" : "stack-hash",
    seed: `${context.stack}/${cluster.name}`,
  });
  const configPaths = new Map(requests.map((entry) => [entry.request, entry.configPath]));
  if (allocation.failures.length > 0) throw new ConfigError(allocation.failures.map((failure) => failureIssue(failure, configPaths)));
  const localIssues = localPortIssues(
    cluster,
    allocation.assignments,
    new Map(requests.map((entry) => [`${entry.request.owner}/${entry.request.role}`, entry.configPath])),
  );
  if (localIssues.length > 0) throw new ConfigError(localIssues);
  const byOwner = new Map<string, Partial<Record<PortRole, number>>>();
  for (const row of allocation.assignments) byOwner.set(row.owner, { ...byOwner.get(row.owner), [row.role]: row.port });
  const portsOf = (owner: string): Partial<Record<PortRole, number>> => byOwner.get(owner) ?? {};
  const pathOf = new Map(requests.map((entry) => [`${entry.request.owner}/${entry.request.role}`, entry.configPath]));

  const encryption: Encryption = cluster.tls.enabled ? "SSL" : "PLAINTEXT";
  const host = planHostAccess(cluster, context.hostFacts);
  const sc = planSc(cluster, names, portsOf("sc"), encryption, host.access);
  const registered = registeredEncryption(cluster.target, encryption);
  const spus = [...cluster.spus].sort((a, b) => a.id - b.id).map((spu) => planSpu(cluster, names, spu, portsOf(spuKey(spu.id)), sc, registered, host.access));
  const monitoring = planMonitoring({
    spec: cluster,
    stack: context.stack,
    names,
    spus: spus.map((spu) => ({ id: spu.id, metricsPort: spu.ports.metrics })),
    prometheusPort: portsOf(PROMETHEUS_OWNER).metrics,
  });

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
    ports: allocation.assignments.map((row) => withConfigPath(row, pathOf.get(`${row.owner}/${row.role}`) as string)),
    hostPorts: hostPorts(cluster, allocation.assignments),
    images: { ...cluster.images },
    tls: tlsPlan(cluster),
    metrics: { enabled: cluster.metrics.enabled, publish: cluster.metrics.publish },
    docker: cluster.target === "docker" ? dockerPlan(cluster, names, host.access) : null,
    kubernetes: cluster.target === "kubernetes" ? kubernetesPlan(cluster) : null,
    hostAccess: host.access,
    monitoring,
    warnings: [
      ...ephemeralWarnings(ranges, context.ephemeralRange ?? LINUX_EPHEMERAL_RANGE),
      ...allocation.notices.map(noticeWarning),
      ...host.warnings,
      ...isolationWarnings(cluster, context, record !== undefined),
      ...exposureWarnings(cluster, allocation.assignments),
    ],
  };
}

/**
 * A port row with the config field that pins it. The field is not enumerable: it names the
 * user's own index into their SPU list, which must not make the plan's JSON depend on the
 * list's order (port rule 2); messages and preflight read it, `plan -o json` leaves it out.
 */
function withConfigPath(row: PortAssignment, configPath: string): PlannedPort {
  return Object.defineProperty({ ...row }, "configPath", { value: configPath, enumerable: false }) as PlannedPort;
}

/** Namespaces Kubernetes creates and owns itself: the cluster deploys into them but never creates them. */
const KUBERNETES_OWNED_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

function dockerPlan(cluster: ClusterSpec, names: NodeNames, access: HostAccessPlan): DockerPlan {
  const existing = cluster.docker.network;
  return {
    network: { name: existing ?? names.prefix, create: existing === undefined },
    publishAddresses: [...access.publishAddresses],
    publishPrivate: cluster.docker.publishPrivate,
    publishMetrics: cluster.metrics.enabled && cluster.metrics.publish,
    retainData: !cluster.docker.deleteDataOnDestroy,
  };
}

function kubernetesPlan(cluster: ClusterSpec): KubernetesPlan {
  const settings = cluster.kubernetes;
  return {
    namespace: settings.namespace,
    createNamespace: settings.createNamespace ?? !KUBERNETES_OWNED_NAMESPACES.includes(settings.namespace),
    serviceType: settings.serviceType,
    storage: { size: settings.storageSize, ...(settings.storageClass !== undefined ? { className: settings.storageClass } : {}) },
    installCrds: settings.installCrds,
    serviceMonitor: settings.serviceMonitor,
    metricsScrapers: cluster.metrics.scrapers === "anywhere" ? "anywhere" : { podLabels: { ...cluster.metrics.scrapers.podLabels }, namespaceLabels: { ...cluster.metrics.scrapers.namespaceLabels } },
  };
}

/**
 * The TLS files: the SC and SPUs mount the server certificate and key (and the CA that checks
 * client certificates with `tls.clientAuth`); on Docker each registration job reaches the SC
 * with a verified profile whenever TLS is on (Fluvio 0.18.1's anonymous TLS very likely cannot
 * connect, and an SC with `--enable-client-cert` refuses clients without a certificate), so it
 * mounts the CA and an admin client certificate and key.
 */
function tlsPlan(cluster: ClusterSpec): TlsPlan {
  const { enabled, clientAuth } = cluster.tls;
  if (!enabled) return { enabled, clientAuth, server: [], registration: [] };
  return {
    enabled,
    clientAuth,
    server: [
      { path: CONTAINER_PATHS.tlsServerCert, secret: "serverCert", mode: "0444" },
      { path: CONTAINER_PATHS.tlsServerKey, secret: "serverKey", mode: "0400" },
      ...(clientAuth ? [{ path: CONTAINER_PATHS.tlsCaCert, secret: "caCert" as const, mode: "0444" as const }] : []),
    ],
    registration: cluster.target === "docker"
      ? [
          { path: CONTAINER_PATHS.tlsCaCert, secret: "caCert", mode: "0444" },
          { path: CONTAINER_PATHS.tlsClientCert, secret: "clientCert", mode: "0444" },
          { path: CONTAINER_PATHS.tlsClientKey, secret: "clientKey", mode: "0400" },
        ]
      : [],
  };
}

/**
 * The encryption the SC stores for an SPU's public and local endpoints: what its registration
 * can say. On Docker the SPUs are registered with `fluvio cluster spu register`, which has no
 * encryption flag and always stores PLAINTEXT, so the plan says so whatever TLS does (clients
 * still use TLS as their profile's `tls_policy` says). On Kubernetes we write the `Spu`
 * resources ourselves, so they carry the cluster's own encryption.
 */
function registeredEncryption(target: ClusterSpec["target"], encryption: Encryption): Encryption {
  return target === "docker" ? "PLAINTEXT" : encryption;
}

function hostPorts(cluster: ClusterSpec, assignments: PortAssignment[]): number[] {
  const published = (role: PortRole): boolean =>
    cluster.target === "kubernetes"
      ? role === "nodePort"
      : role === "public" || (role === "private" && cluster.docker.publishPrivate) || (role === "metrics" && cluster.metrics.publish);
  return assignments.filter((row) => published(row.role)).map((row) => row.port).sort((a, b) => a - b);
}

/** A port request and the config field that pins it (the user's own index into `spus`). */
interface PathedRequest {
  request: PortRequest;
  configPath: string;
}

function portRequests(cluster: ClusterSpec, roles: PortRole[], recorded: Record<string, RecordedPorts>): PathedRequest[] {
  const requests: PathedRequest[] = [];
  const scRoles = roles.filter((role) => role === "public" || role === "private" || role === "nodePort");
  for (const role of scRoles) {
    const pinned = role === "public" ? cluster.sc.publicPort : role === "private" ? cluster.sc.privatePort : undefined;
    requests.push({ request: withOptional({ owner: "sc", role }, pinned, recorded.sc?.[role]), configPath: role === "nodePort" ? "ports.nodePort" : `sc.${pinField(role)}` });
  }
  const byId = cluster.spus.map((spu, index) => ({ spu, index })).sort((a, b) => a.spu.id - b.spu.id);
  byId.forEach(({ spu, index }) => {
    for (const role of roles) {
      const owner = spuKey(spu.id);
      requests.push({ request: withOptional({ owner, role }, spu[pinField(role)], recorded[owner]?.[role]), configPath: `spus[${index}].${pinField(role)}` });
    }
  });
  // Last, and from the top of the metrics range: SPUs never move for it, nor it for them.
  if (cluster.target === "docker" && cluster.monitoring.prometheus && roles.includes("metrics")) {
    const request = { owner: PROMETHEUS_OWNER, role: "metrics" as const, fromTop: true };
    requests.push({ request: withOptional(request, cluster.monitoring.prometheusPort, recorded[PROMETHEUS_OWNER]?.metrics), configPath: "monitoring.prometheusPort" });
  }
  return requests;
}

function withOptional(request: PortRequest, pinned: number | undefined, recorded: number | undefined): PortRequest {
  return { ...request, ...(pinned !== undefined ? { pinned } : {}), ...(recorded !== undefined ? { recorded } : {}) };
}

/**
 * Who holds a blocked port, and the fix to suggest when a pin lands there. Built only for the
 * ports a failure names: a large registry blocks thousands of ports, few of which are ever hit.
 */
type Blocker = () => { holder: string; fix: string };

function blockedPorts(cluster: ClusterSpec, registry: PortRegistry, stack: string, here: ReadonlySet<string> | undefined): BlockedPorts<Blocker>[] {
  // The allocator marks blocked ports only inside the cluster's ranges and looks no further, so
  // claims and records that touch none of them are left out (of a registry of 1,000 records,
  // most): the same plan, without an entry and a message closure per recorded port.
  const planned = Object.values(cluster.ports);
  const touchesRanges = (from: number, to: number): boolean => planned.some((range) => from <= range.to && to >= range.from);
  // Whether a host (or group) shares this stack's machine, asked once per name (a registry names few).
  const shared = new Map<string, boolean>();
  const sharesMachine = (host: string): boolean => {
    let answer = shared.get(host);
    if (answer === undefined) shared.set(host, (answer = hostsShareMachine(registry, host, cluster.host, here)));
    return answer;
  };
  const reserved = cluster.reserved.map((ports) => ({ ports, holder: () => ({ holder: `reserved (reserved: ${formatRange(ports)})`, fix: "take it off the reserved list" }) }));
  const claims = registry.claims
    .filter((claim) => touchesRanges(claim.ports.from, claim.ports.to) && claim.hosts.some(sharesMachine))
    .map((claim) => ({
      ports: claim.ports,
      holder: () => ({ holder: `${claim.owner} (a claim in the port registry for ${claim.hosts.join(", ")})`, fix: "change the claim in stacks/ports.registry.yaml if it is stale" }),
    }));
  const otherStacks: BlockedPorts<Blocker>[] = [];
  for (const record of registry.records) {
    if ((record.stack === stack && record.cluster === cluster.name) || !sharesMachine(record.host)) continue;
    for (const node in record.nodes) {
      const ports = record.nodes[node] as RecordedPorts;
      for (const role in ports) {
        const port = ports[role as PortRole] as number;
        if (!touchesRanges(port, port)) continue;
        otherStacks.push({
          ports: { from: port, to: port },
          holder: () => ({ holder: `stack ${record.stack} (cluster ${record.cluster}, ${node} ${role}) on host ${record.host}`, fix: "move that stack, or give this stack another host in the registry" }),
        });
      }
    }
  }
  return [...reserved, ...claims, ...otherStacks];
}

/**
 * The ports of clusters this program declared earlier, on a machine this one shares: blocked, so
 * the later cluster plans around them (deterministic: declaration order); a pin on one is refused
 * naming both clusters.
 */
function siblingPorts(cluster: ClusterSpec, registry: PortRegistry, siblings: readonly SiblingCluster[] | undefined, here: ReadonlySet<string> | undefined): BlockedPorts<Blocker>[] {
  return (siblings ?? []).flatMap((sibling) => {
    if (!hostsShareMachine(registry, sibling.host, cluster.host, here)) return [];
    return sibling.ports.map((row) => ({
      ports: { from: row.port, to: row.port },
      holder: () => ({
        holder: `SpuCluster '${sibling.resource}' (cluster ${sibling.cluster}, ${nodeLabel(row.owner)} ${row.role}), declared earlier in this program on host ${sibling.host}`,
        fix: `give the two clusters separate ranges (ports:) or different hosts, so that cluster ${cluster.name} plans around cluster ${sibling.cluster}`,
      }),
    }));
  });
}

/** `strategy: isolated`: the edge's occupied ports become blocked ones (the others ignore them). */
function occupiedPorts(cluster: ClusterSpec, occupied: readonly OccupiedPort[] | undefined): BlockedPorts<Blocker>[] {
  if (cluster.strategy !== "isolated" || occupied === undefined) return [];
  return occupied.map((entry) => ({
    ports: { from: entry.port, to: entry.port },
    holder: () => ({ holder: `${entry.holder} (strategy isolated plans around it)`, fix: "free the port, or pin another one" }),
  }));
}

/**
 * NodePorts open on every node of the cluster, with TLS off: whoever reaches any node reaches the
 * SC and every SPU in plaintext. Said before anything is created, with the ports and the secure
 * alternatives.
 */
function exposureWarnings(cluster: ClusterSpec, assignments: readonly PortAssignment[]): string[] {
  if (cluster.target !== "kubernetes" || cluster.kubernetes.serviceType !== "NodePort" || cluster.tls.enabled) return [];
  const ports = assignments.filter((row) => row.role === "nodePort").map((row) => row.port).sort((a, b) => a - b);
  if (ports.length === 0) return [];
  return [
    `exposure: NodePorts ${ports.join(", ")} are opened on every node of the Kubernetes cluster with TLS off: anyone who reaches a node reaches the SC and every SPU in plaintext, without a certificate; set tls.enabled: true (with tlsCertificates), or kubernetes.serviceType: ClusterIP (in-cluster clients only) or LoadBalancer behind your firewall`,
  ];
}

/** An isolated stack planned without the host's view and without a record has only the registry to go by: say so. */
function isolationWarnings(cluster: ClusterSpec, context: PlanContext, recorded: boolean): string[] {
  if (cluster.strategy !== "isolated" || context.occupied !== undefined || recorded) return [];
  return [
    `strategy isolated: stack ${context.stack} has no record yet and was planned without this host's listeners and the other stacks' plans; run \`fluvio-ports plan --stack ${context.stack} --record\` on the host, which plans around them and keeps the result`,
  ];
}

/**
 * Local endpoints are ports like any other: an SPU's explicit local port may be its own public
 * port or NodePort (where its local endpoint leads by default), never a port the plan gives
 * another node, nor its own private or metrics port. Pins were checked with the spec; this
 * catches derived and recorded ports, naming both fields and the fixes.
 */
function localPortIssues(cluster: ClusterSpec, assignments: readonly PortAssignment[], pathOf: ReadonlyMap<string, string>): ConfigIssue[] {
  return explicitLocalPorts(cluster).flatMap((local) => {
    const own = spuKey(local.id);
    return assignments
      .filter((row) => row.port === local.port && row.source !== "pinned")
      .filter((row) => row.owner !== own || (row.role !== "public" && row.role !== "nodePort"))
      .map((row) => {
        const field = pathOf.get(`${row.owner}/${row.role}`) ?? `ports.${row.role}`;
        const whose = row.owner === own ? "this SPU's" : row.owner === "sc" ? "the SC's" : `${nodeLabel(row.owner)}'s`;
        return {
          path: local.path,
          message: `${local.port} is also ${whose} ${row.role} port (${field}, ${row.source}): clients using SPU ${local.id}'s local endpoint would reach it; choose another local port, pin ${field} elsewhere, or add ${local.port} to reserved so derived ports step around it`,
        };
      });
  });
}

function avoidedPorts(registry: PortRegistry, host: string, here: ReadonlySet<string> | undefined): AvoidedPorts<string>[] {
  return WELL_KNOWN_OWNERS.filter((claim) => claimApplies(registry, claim, host, here)).map((claim) => ({ ports: claim.ports, holder: claim.owner }));
}

/** An allocation failure as the user reads it: the config field to edit, the numbers and the fix. */
function failureIssue(failure: AllocationFailure<Blocker>, configPaths: ReadonlyMap<PortRequest, string>): ConfigIssue {
  const label = (request: PortRequest): string => nodeLabel(request.owner);
  const path = (request: PortRequest): string => configPaths.get(request) ?? `ports.${request.role}`;
  switch (failure.kind) {
    case "recorded-pinned":
      return {
        path: path(failure.request),
        message: `${failure.port} is recorded in the port registry for ${label(failure.recordedFor)} ${failure.recordedFor.role}, which would have to move: pin another port, or run \`fluvio-ports plan --record\` after freeing ${failure.port} on purpose`,
      };
    case "range-full": {
      const { role, range, requests } = failure;
      const widen = failure.widenTo !== undefined ? `widen it to ${range.from}-${failure.widenTo} (to: ${failure.widenTo})` : "move it to a roomier part of the port space";
      const labels = requests.map(label);
      const owners = labels.length <= 4 ? labels.join(", ") : `${labels.slice(0, 3).join(", ")} and ${labels.length - 3} more`;
      return {
        path: `ports.${role}`,
        message: `${formatRange(range)} is too small: ${requests.length} ${role} port${requests.length === 1 ? "" : "s"} needed (${owners}) but only ${failure.usable} of its ${rangeSize(range)} ports are free (${failure.blocked} reserved or claimed, ${failure.taken} pinned or recorded): ${widen}, or plan fewer SPUs`,
      };
    }
    case "pin-outside-range":
      return {
        path: path(failure.request),
        message: `${failure.port} is outside ports.${failure.request.role} ${formatRange(failure.range)}: pin a port inside the range, or widen the range to include ${failure.port}`,
      };
    case "exhausted":
      return {
        path: `ports.${failure.request.role}`,
        message: `${formatRange(failure.range)} has no free port left for ${label(failure.request)} once the pinned ports are honoured: widen the range or pin fewer ports inside it`,
      };
    case "pin-taken": {
      const { request, port, holder } = failure;
      if (holder.kind === "blocked") {
        const blocker = holder.holder();
        return { path: path(request), message: `${port} is held by ${blocker.holder}: pin another port for ${label(request)} ${request.role}, or ${blocker.fix}` };
      }
      const other = holder.request;
      if (holder.source === "pinned") {
        return { path: path(request), message: `${port} is also pinned for ${label(other)} ${other.role} (${path(other)}): every port has one owner; pin another port` };
      }
      return {
        path: path(request),
        message: `${port} already went to ${label(other)} ${other.role} (${holder.source}; nodes are planned in id order, so that adding or removing SPUs never moves another): pin another port (\`fluvio-ports plan\` shows the taken ones), or pin ${label(other)}'s ${other.role} port elsewhere too`,
      };
    }
  }
}

/** An allocation notice as the warning `plan`, `preview` and `up` print. */
function noticeWarning(notice: AllocationNotice<Blocker, string>): string {
  const who = `${nodeLabel(notice.request.owner)} ${notice.request.role}`;
  if (notice.kind === "avoided") {
    const holder = notice.holder ?? "well-known software";
    return notice.pinned
      ? `${who} port ${notice.port} is pinned on a port ${holder} usually holds; fine if nothing else listens there on this host`
      : `${who} got port ${notice.port}, which ${holder} usually holds: ports.${notice.request.role} ${formatRange(notice.range)} has no other free port; widen it to keep clear`;
  }
  const { reason } = notice;
  const why =
    reason.kind === "outside-range"
      ? `is outside ports.${notice.request.role} ${formatRange(notice.range)} now`
      : reason.kind === "blocked"
        ? `is now held by ${reason.holder?.().holder ?? "another owner"}`
        : `is recorded for ${reason.other ? nodeLabel(reason.other.owner) : "another node"} too`;
  return `${who}: recorded port ${notice.port} ${why}, so it moves; run \`fluvio-ports plan --record\` to record the new port`;
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

function endpoint(host: string, port: number, encryption: Encryption): Endpoint {
  return { host, port, encryption };
}

function address(point: Endpoint): string {
  return joinHostPort(point.host, point.port);
}

function serviceDns(cluster: ClusterSpec, service: string): string {
  return `${service}.${cluster.kubernetes.namespace}.svc.cluster.local`;
}

function planSc(cluster: ClusterSpec, names: NodeNames, ports: Partial<Record<PortRole, number>>, encryption: Encryption, access: HostAccessPlan): ScPlan {
  const publicPort = ports.public as number;
  const privatePort = ports.private as number;
  const onKubernetes = cluster.target === "kubernetes";
  const privateHost = onKubernetes ? serviceDns(cluster, names.scInternal) : names.sc;
  const publicEndpoint = onKubernetes ? kubernetesPublicEndpoint(cluster, names.sc, publicPort, ports.nodePort, encryption) : endpoint(cluster.publicHost, publicPort, encryption);
  const privateEndpoint = endpoint(privateHost, privatePort, "PLAINTEXT");
  const mode = onKubernetes ? ["--k8", "-n", cluster.kubernetes.namespace] : ["--local", CONTAINER_PATHS.scMetadata];
  // The cluster's local port (one SPU's) never becomes the SC's: the SC's local endpoint is its own port.
  const localEndpoint = planLocalEndpoint(cluster, withoutPort(cluster.localEndpoint), names.sc, publicPort, ports.nodePort, encryption, access);
  return {
    name: names.sc,
    host: names.sc,
    internalHost: onKubernetes ? names.scInternal : null,
    public: address(publicEndpoint),
    private: address(privateEndpoint),
    local: localEndpoint ? address(localEndpoint) : null,
    ports: { public: publicPort, private: privatePort, ...(ports.nodePort !== undefined ? { nodePort: ports.nodePort } : {}) },
    endpoints: { public: publicEndpoint, private: privateEndpoint },
    env: { [LOG_LEVEL_ENV]: cluster.logLevel },
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

/** A local endpoint policy without its explicit port. */
function withoutPort(policy: LocalEndpointPolicy | false): LocalEndpointPolicy | false {
  if (policy === false) return false;
  const { port: _port, ...rest } = policy;
  return rest;
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
  /** What the SPU's registration stores (`registeredEncryption`), not necessarily what its port serves. */
  encryption: Encryption,
  access: HostAccessPlan,
): SpuPlan {
  const publicPort = ports.public as number;
  const privatePort = ports.private as number;
  const onKubernetes = cluster.target === "kubernetes";
  const service = names.spu(spu.id);
  const publicEndpoint = onKubernetes ? kubernetesPublicEndpoint(cluster, service, publicPort, ports.nodePort, encryption) : endpoint(cluster.publicHost, publicPort, encryption);
  const privateEndpoint = endpoint(onKubernetes ? serviceDns(cluster, names.spuInternal(spu.id)) : service, privatePort, "PLAINTEXT");
  const localEndpoint = planLocalEndpoint(cluster, spu.localEndpoint === undefined ? cluster.localEndpoint : spu.localEndpoint, service, publicPort, ports.nodePort, encryption, access);
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
    key: spuKey(spu.id),
    internalHost: onKubernetes ? names.spuInternal(spu.id) : null,
    exporterHost: metricsPort !== undefined ? names.spuExporter(spu.id) : null,
    env: { [LOG_LEVEL_ENV]: cluster.logLevel, ...(metricsPort !== undefined ? { [METRICS_SOCKET_ENV]: CONTAINER_PATHS.metricsSocket } : {}) },
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
        ? [
            "node",
            CONTAINER_PATHS.exporterMain,
            "--socket",
            CONTAINER_PATHS.metricsSocket,
            "--port",
            String(metricsPort),
            "--spu-id",
            String(spu.id),
            ...(alertsOn(cluster) ? probeFlags(probeTargets(cluster.target, service, { public: publicPort, private: privatePort })) : []),
          ]
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
  access: HostAccessPlan,
): Endpoint | null {
  if (policy === false) return null;
  const explicitPort = policy.port;
  const useEncryption = policy.encryption ?? encryption;
  if (policy.inCluster) return endpoint(serviceDns(cluster, service), explicitPort ?? publicPort, useEncryption);
  const host = policy.host === undefined || policy.host === AUTO_HOST ? access.localHost : policy.host;
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
