/**
 * The rules between fields of a cluster config, applied after its shape is read (`schema.ts`):
 * ranges that do not overlap, pins inside their ranges, SPU ids and names once each, local
 * endpoints that lead somewhere, monitoring that has something to watch. Each rule adds issues
 * (field path, values, fix) to one list, so every problem is reported at once.
 */
import type { ConfigIssue } from "../errors";
import { AUTO_LOCAL_HOST, DEFAULT_LOCAL_HOST } from "./presets";
import { endpointHostProblem, publishAddressIssues } from "./hosts";
import { FIRST_UNPRIVILEGED_PORT, MAX_PORT, formatRange, inRange, rangeIntersection, type PortRange, type PortRole } from "../ports/range";
import type { ClusterSpec, Encryption, LocalEndpointPolicy, TlsSpec } from "./types.generated";

/** The roles a spec actually plans ports for. */
export function activeRoles(spec: Pick<ClusterSpec, "target" | "metrics" | "kubernetes">): PortRole[] {
  const roles: PortRole[] = ["public", "private"];
  if (spec.metrics.enabled) roles.push("metrics");
  if (spec.target === "kubernetes" && spec.kubernetes.serviceType === "NodePort") roles.push("nodePort");
  return roles;
}

const PIN_FIELDS: Record<PortRole, "publicPort" | "privatePort" | "metricsPort" | "nodePort"> = {
  public: "publicPort",
  private: "privatePort",
  metrics: "metricsPort",
  nodePort: "nodePort",
};

/** The spec field a port of this role is pinned with. */
export function pinField(role: PortRole): "publicPort" | "privatePort" | "metricsPort" | "nodePort" {
  return PIN_FIELDS[role];
}

/** Every cross-field rule of a parsed spec, its problems added to `issues`. */
export function checkSpec(spec: ClusterSpec, issues: ConfigIssue[]): void {
  const roles = activeRoles(spec);
  checkRanges(spec, roles, issues);
  checkReserved(spec, issues);
  checkSpuIdentity(spec, issues);
  checkPins(spec, roles, issues);
  checkLocalEndpoints(spec, issues);
  checkLocalPorts(spec, issues);
  checkTargetEndpoints(spec, issues);
  checkHosts(spec, issues);
  if (spec.docker.publishAddresses !== undefined) issues.push(...publishAddressIssues(spec.docker.publishAddresses));
  checkServiceMonitor(spec, issues);
  checkMonitoring(spec, issues);
  checkClientTls(spec.tls, issues);
}

function checkMonitoring(spec: ClusterSpec, issues: ConfigIssue[]): void {
  const monitoring = spec.monitoring;
  const ids = new Set(spec.spus.map((spu) => spu.id));
  monitoring.critical.forEach((id, index) => {
    if (!ids.has(id)) {
      issues.push({ path: `monitoring.critical[${index}]`, message: `${id} is not an SPU of this cluster (ids: ${[...ids].sort((a, b) => a - b).join(", ")}): list SPU ids only, or mark the SPU with spus[].critical: true` });
    }
  });
  if (monitoring.prometheus && spec.target !== "docker") {
    issues.push({ path: "monitoring.prometheus", message: "runs a Prometheus container on the Docker target only: on Kubernetes set kubernetes.serviceMonitor: true (the PrometheusRule comes with it) and let your Prometheus Operator evaluate the rules" });
  }
  if (monitoring.prometheus && !spec.metrics.enabled) {
    issues.push({ path: "monitoring.prometheus", message: "is true, but metrics.enabled is false (there is no exporter to scrape): set metrics.enabled: true or drop monitoring.prometheus" });
  }
  if (monitoring.alerts === true && !spec.metrics.enabled) {
    issues.push({ path: "monitoring.alerts", message: "is true, but metrics.enabled is false (the alerts watch the exporters): set metrics.enabled: true or drop monitoring.alerts" });
  }
  if (monitoring.alertmanagers.length > 0 && !monitoring.prometheus) {
    issues.push({ path: "monitoring.alertmanagers", message: "are where the Docker Prometheus sends alerts, but monitoring.prometheus is false: set monitoring.prometheus: true, or give your own Prometheus the rules (prometheus-rules.yaml)" });
  }
  const pin = monitoring.prometheusPort;
  if (pin !== undefined && !monitoring.prometheus) {
    issues.push({ path: "monitoring.prometheusPort", message: `pins ${pin}, but monitoring.prometheus is false: set monitoring.prometheus: true or drop the pin` });
  } else if (pin !== undefined && !inRange(pin, spec.ports.metrics)) {
    issues.push({ path: "monitoring.prometheusPort", message: `${pin} is outside ports.metrics ${formatRange(spec.ports.metrics)}: pin a port inside the range, or widen the range to include ${pin}` });
  }
}

/** Whether the stack ships alert rules and probes its SPUs' ports (see `MonitoringSpec.alerts`). */
export function alertsOn(spec: Pick<ClusterSpec, "target" | "metrics" | "monitoring" | "kubernetes">): boolean {
  if (!spec.metrics.enabled) return false;
  return spec.monitoring.alerts ?? (spec.target === "docker" ? spec.monitoring.prometheus : spec.kubernetes.serviceMonitor);
}

/** The SPU ids whose alerts are critical: `monitoring.critical` and every `spus[].critical: true`, ascending. */
export function criticalSpuIds(spec: Pick<ClusterSpec, "spus" | "monitoring">): number[] {
  const ids = new Set([...spec.monitoring.critical, ...spec.spus.filter((spu) => spu.critical === true).map((spu) => spu.id)]);
  return [...ids].sort((a, b) => a - b);
}

/** A ServiceMonitor scrapes the exporters: without metrics there is nothing to scrape. */
function checkServiceMonitor(spec: ClusterSpec, issues: ConfigIssue[]): void {
  if (spec.kubernetes.serviceMonitor && !spec.metrics.enabled) {
    issues.push({
      path: "kubernetes.serviceMonitor",
      message: "asks for a ServiceMonitor, but metrics.enabled is false (there is no exporter to scrape): set metrics.enabled: true or drop kubernetes.serviceMonitor",
    });
  }
}

/** On Kubernetes, a local endpoint on the host needs Services the host can reach. */
function checkTargetEndpoints(spec: ClusterSpec, issues: ConfigIssue[]): void {
  if (spec.target !== "kubernetes") return;
  const type = spec.kubernetes.serviceType;
  const check = (path: string, policy: LocalEndpointPolicy | false | undefined): void => {
    if (!policy || policy.inCluster) return;
    if (type === "ClusterIP" && policy.port === undefined) {
      issues.push({
        path: `${path}.host`,
        message: `${policy.host === undefined || policy.host === AUTO_LOCAL_HOST ? DEFAULT_LOCAL_HOST : policy.host} cannot reach an SPU behind a ClusterIP Service (it is reachable only inside the cluster): set kubernetes.serviceType: NodePort (or LoadBalancer), use localEndpoint: { inCluster: true }, or localEndpoint: false`,
      });
    }
  };
  check("localEndpoint", spec.localEndpoint);
  spec.spus.forEach((spu, index) => check(`spus[${index}].localEndpoint`, spu.localEndpoint));
}

function checkRanges(spec: ClusterSpec, roles: PortRole[], issues: ConfigIssue[]): void {
  const valid: PortRole[] = [];
  for (const role of roles) {
    const range = spec.ports[role];
    if (range.to < range.from) {
      if (range.to >= 0) {
        issues.push({
          path: `ports.${role}`,
          message: `runs backwards (${range.from}-${range.to}): write it as { from: ${range.to}, to: ${range.from} }`,
        });
      }
      continue;
    }
    if (range.from < 1 || range.to > MAX_PORT) {
      issues.push({ path: `ports.${role}`, message: `${formatRange(range)} leaves 1-${MAX_PORT}: TCP ports end at ${MAX_PORT}` });
      continue;
    }
    if (range.from < FIRST_UNPRIVILEGED_PORT && !spec.allowPrivilegedPorts) {
      issues.push({
        path: `ports.${role}`,
        message: `${formatRange(range)} reaches below ${FIRST_UNPRIVILEGED_PORT} (ports that need root and belong to system services): start the range at ${FIRST_UNPRIVILEGED_PORT} or above, or set allowPrivilegedPorts: true`,
      });
    }
    valid.push(role);
  }
  for (let i = 0; i < valid.length; i++) {
    for (let j = i + 1; j < valid.length; j++) {
      const a = valid[i] as PortRole;
      const b = valid[j] as PortRole;
      const shared = rangeIntersection(spec.ports[a], spec.ports[b]);
      if (shared) {
        issues.push({
          path: `ports.${b}`,
          message: `${formatRange(spec.ports[b])} overlaps ports.${a} ${formatRange(spec.ports[a])} on ${formatRange(shared)}: each role needs its own ports; move one range so they do not meet`,
        });
      }
    }
  }
  if (roles.includes("nodePort")) {
    const allowed = spec.kubernetes.allowedNodePortRange;
    const range = spec.ports.nodePort;
    if (range.from <= range.to && (range.from < allowed.from || range.to > allowed.to)) {
      issues.push({
        path: "ports.nodePort",
        message: `${formatRange(range)} is not inside the cluster's NodePort range ${formatRange(allowed)} (the API server would answer "provided port is not in the valid range"): choose a range inside it, or set kubernetes.allowedNodePortRange to your API server's --service-node-port-range`,
      });
    }
  }
}

function checkReserved(spec: ClusterSpec, issues: ConfigIssue[]): void {
  spec.reserved.forEach((range, index) => {
    if (range.to < range.from || range.from < 1 || range.to > MAX_PORT) {
      issues.push({ path: `reserved[${index}]`, message: `${range.from}-${range.to} is not a port range inside 1-${MAX_PORT}` });
    }
  });
}

/** Fluvio keys SPUs by an `i32`: the largest id there is. */
export const MAX_SPU_ID = 2_147_483_647;

function checkSpuIdentity(spec: ClusterSpec, issues: ConfigIssue[]): void {
  // The list form's ids are bounded by the shape; a count's run from firstSpuId and may pass the bound.
  const last = spec.spus.reduce((highest, spu) => Math.max(highest, spu.id), -1);
  if (last > MAX_SPU_ID) {
    const count = spec.spus.length;
    issues.push({
      path: "firstSpuId",
      message: `${spec.firstSpuId} with spus: ${count} numbers the SPUs up to ${last}, past Fluvio's largest SPU id ${MAX_SPU_ID} (an i32): set firstSpuId to at most ${MAX_SPU_ID - count + 1}, or give the SPUs as a list with their ids`,
    });
    return;
  }
  const byId = new Map<number, number>();
  const byName = new Map<string, number>();
  const list = spec.spus;
  list.forEach((spu, index) => {
    const earlier = byId.get(spu.id);
    if (earlier !== undefined) {
      issues.push({
        path: `spus[${index}].id`,
        message: `${spu.id} is also the id of spus[${earlier}]: every SPU needs its own id (Fluvio keys SPUs by id); change one of them`,
      });
      return;
    }
    byId.set(spu.id, index);
    const spuName = spu.name ?? defaultSpuName(spu.id);
    const sameName = byName.get(spuName);
    if (sameName !== undefined) {
      issues.push({ path: `spus[${index}].name`, message: `'${spuName}' is also the name of spus[${sameName}]: give each SPU its own name` });
    }
    byName.set(spuName, index);
  });
}

/** Fluvio's default registration name. */
export function defaultSpuName(id: number): string {
  return `custom-spu-${id}`;
}

function isReserved(spec: ClusterSpec, portNumber: number): PortRange | undefined {
  return spec.reserved.find((range) => inRange(portNumber, range));
}

function checkPins(spec: ClusterSpec, roles: PortRole[], issues: ConfigIssue[]): void {
  const seen = new Map<number, string>();
  const checkPin = (path: string, role: PortRole, value: number | undefined): void => {
    if (value === undefined) return;
    if (!roles.includes(role)) {
      issues.push({
        path,
        message: `pins a ${role} port (${value}) but this cluster plans no ${role} ports (${role === "metrics" ? "metrics.enabled is false" : "only Kubernetes NodePort Services have NodePorts"}): remove it`,
      });
      return;
    }
    const range = spec.ports[role];
    if (!inRange(value, range)) {
      issues.push({
        path,
        message: `${value} is outside ports.${role} ${formatRange(range)}: pin a port inside the range, or widen the range to include ${value}`,
      });
    }
    const reserved = isReserved(spec, value);
    if (reserved) {
      issues.push({
        path,
        message: `${value} is reserved (reserved: ${formatRange(reserved)}): pin another port, or take it off the reserved list`,
      });
    }
    if (value < FIRST_UNPRIVILEGED_PORT && !spec.allowPrivilegedPorts) {
      issues.push({ path, message: `${value} is below ${FIRST_UNPRIVILEGED_PORT}: pin a port of ${FIRST_UNPRIVILEGED_PORT} or above, or set allowPrivilegedPorts: true` });
    }
    const other = seen.get(value);
    if (other) issues.push({ path, message: `${value} is pinned twice (also by ${other}): every port has one owner; pin another port` });
    else seen.set(value, path);
  };
  checkPin("sc.publicPort", "public", spec.sc.publicPort);
  checkPin("sc.privatePort", "private", spec.sc.privatePort);
  spec.spus.forEach((spu, index) => {
    for (const role of ["public", "private", "metrics", "nodePort"] as const) {
      checkPin(`spus[${index}].${PIN_FIELDS[role]}`, role, spu[PIN_FIELDS[role]]);
    }
  });
}

function checkLocalEndpoints(spec: ClusterSpec, issues: ConfigIssue[]): void {
  const publicEncryption: Encryption = spec.tls.enabled ? "SSL" : "PLAINTEXT";
  const check = (path: string, policy: LocalEndpointPolicy | false | undefined): void => {
    if (!policy) return;
    if (policy.inCluster && policy.host !== undefined) {
      issues.push({ path: `${path}.host`, message: `cannot be set together with inCluster: true (the host is then the SPU's Service DNS name): drop one` });
    }
    if (policy.inCluster && spec.target !== "kubernetes") {
      issues.push({ path: `${path}.inCluster`, message: `only applies to target: kubernetes; on Docker use host (default ${DEFAULT_LOCAL_HOST})` });
    }
    if (policy.host !== undefined) {
      const problem = endpointHostProblem(policy.host);
      if (problem) issues.push({ path: `${path}.host`, message: `'${policy.host}' ${problem}; for example host: ${DEFAULT_LOCAL_HOST}` });
    }
    if (policy.encryption === "SSL" && spec.target === "docker") {
      issues.push({
        path: `${path}.encryption`,
        message: `SSL cannot be registered on the Docker target: fluvio cluster spu register has no encryption flag and always stores PLAINTEXT (clients still use TLS as their profile says): drop encryption`,
      });
    } else if (policy.encryption !== undefined && spec.target !== "docker" && policy.encryption !== publicEncryption) {
      issues.push({
        path: `${path}.encryption`,
        message: `${policy.encryption} differs from the public endpoint's ${publicEncryption} (tls.enabled: ${spec.tls.enabled}); an SPU serves one encryption on its public port, which the local endpoint reaches: drop encryption or set tls.enabled: ${policy.encryption === "SSL"}`,
      });
    }
    if (policy.port !== undefined && policy.port < FIRST_UNPRIVILEGED_PORT && !spec.allowPrivilegedPorts) {
      issues.push({ path: `${path}.port`, message: `${policy.port} is below ${FIRST_UNPRIVILEGED_PORT}: use a port of ${FIRST_UNPRIVILEGED_PORT} or above, or set allowPrivilegedPorts: true` });
    }
  };
  check("localEndpoint", spec.localEndpoint);
  if (spec.localEndpoint && spec.localEndpoint.port !== undefined && spec.spus.length > 1) {
    issues.push({
      path: "localEndpoint.port",
      message: `${spec.localEndpoint.port} would be the local port of all ${spec.spus.length} SPUs, but each SPU needs its own: drop it (the local port then follows each SPU's public port) or set spus[i].localEndpoint.port per SPU`,
    });
  }
  spec.spus.forEach((spu, index) => check(`spus[${index}].localEndpoint`, spu.localEndpoint));
}

/**
 * A local port an SPU registers explicitly (`spus[i].localEndpoint.port`, or the cluster's
 * `localEndpoint.port` for a single SPU without its own policy), with the field that sets it.
 * In-cluster endpoints are left out: their host is the SPU's own Service name, not the host.
 */
export interface ExplicitLocalPort {
  /** The SPU's index in the user's list. */
  index: number;
  id: number;
  port: number;
  /** `spus[0].localEndpoint.port` or `localEndpoint.port`. */
  path: string;
}

/** Every explicit local port of the spec's SPUs (see `ExplicitLocalPort`), in list order. */
export function explicitLocalPorts(spec: Pick<ClusterSpec, "spus" | "localEndpoint">): ExplicitLocalPort[] {
  return spec.spus.flatMap((spu, index): ExplicitLocalPort[] => {
    const own = spu.localEndpoint !== undefined;
    const policy = own ? spu.localEndpoint : spec.localEndpoint;
    if (!policy || policy.inCluster || policy.port === undefined) return [];
    return [{ index, id: spu.id, port: policy.port, path: own ? `spus[${index}].localEndpoint.port` : "localEndpoint.port" }];
  });
}

/**
 * Local endpoints are ports like any other: two SPUs never share a local port, and a local port
 * is never a port pinned for another node (or for this SPU's private or metrics role). Its own
 * pinned public port or NodePort is fine: that is where the local endpoint leads by default.
 * Derived and recorded ports are checked against local ports when the plan is made.
 */
function checkLocalPorts(spec: ClusterSpec, issues: ConfigIssue[]): void {
  const locals = explicitLocalPorts(spec);
  const seen = new Map<number, ExplicitLocalPort>();
  for (const local of locals) {
    const other = seen.get(local.port);
    if (other !== undefined) {
      issues.push({
        path: local.path,
        message: `${local.port} is also the local port of SPU ${other.id} (${other.path}): a local endpoint leads to one SPU, so each SPU needs its own local port; change one of them, or drop both (the local port then follows each SPU's public port)`,
      });
      continue;
    }
    seen.set(local.port, local);
  }
  const pins: { path: string; port: number; owner: string; ownIndex?: number; role: PortRole }[] = [
    ...(spec.sc.publicPort !== undefined ? [{ path: "sc.publicPort", port: spec.sc.publicPort, owner: "the SC", role: "public" as const }] : []),
    ...(spec.sc.privatePort !== undefined ? [{ path: "sc.privatePort", port: spec.sc.privatePort, owner: "the SC", role: "private" as const }] : []),
    ...spec.spus.flatMap((spu, index) =>
      (["public", "private", "metrics", "nodePort"] as const).flatMap((role) => {
        const value = spu[PIN_FIELDS[role]];
        return value === undefined ? [] : [{ path: `spus[${index}].${PIN_FIELDS[role]}`, port: value, owner: `SPU ${spu.id}`, ownIndex: index, role }];
      }),
    ),
  ];
  for (const local of locals) {
    for (const pin of pins) {
      if (pin.port !== local.port) continue;
      const own = pin.ownIndex === local.index;
      if (own && (pin.role === "public" || pin.role === "nodePort")) continue;
      issues.push({
        path: local.path,
        message: own
          ? `${local.port} is also this SPU's ${pin.role} port (${pin.path}); the local endpoint must lead to its public server: use its public port (or drop the local port, which then follows it) or pin ${pin.path} elsewhere`
          : `${local.port} is also ${pin.owner}'s ${pin.role} port (${pin.path}): clients using SPU ${local.id}'s local endpoint would reach ${pin.owner}; change ${local.path} or pin ${pin.path} elsewhere`,
      });
    }
  }
}

function checkHosts(spec: ClusterSpec, issues: ConfigIssue[]): void {
  const problem = endpointHostProblem(spec.publicHost);
  if (problem) issues.push({ path: "publicHost", message: `'${spec.publicHost}' ${problem}; for example publicHost: localhost` });
}

/**
 * The client TLS settings: `domain` must be a name a certificate can carry (no IPv6 literal),
 * and the client directories absolute, since Fluvio reads the profile's paths as they are
 * (no `~`, relative to the client's working directory).
 */
function checkClientTls(tls: TlsSpec, issues: ConfigIssue[]): void {
  if (tls.domain !== undefined) {
    const problem = endpointHostProblem(tls.domain);
    if (problem) issues.push({ path: "tls.domain", message: `'${tls.domain}' ${problem}; for example domain: fluvio.example.com` });
  }
  for (const field of ["clientDir", "containerClientDir"] as const) {
    const dir = tls[field];
    if (dir !== undefined && !dir.startsWith("/")) {
      issues.push({
        path: `tls.${field}`,
        message: `'${dir}' is not an absolute path: Fluvio reads profile paths as written (no ~ expansion, relative to the client's working directory); give one starting with /, for example /home/me/.fluvio/tls`,
      });
    }
  }
}
