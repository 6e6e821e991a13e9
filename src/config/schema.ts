import { z } from "zod";
import { ConfigError, type ConfigIssue } from "../errors";
import {
  DEFAULT_FIRST_SPU_ID,
  DEFAULT_LOCAL_HOST,
  ENVIRONMENTS,
  FLUVIO_VERSION,
  KUBERNETES_NODE_PORT_RANGE,
  RANGE_PRESETS,
  type Environment,
} from "./presets";
import { hostProblem, publishAddressIssues } from "./hosts";
import { dropUndefined } from "./objects";
import {
  FIRST_UNPRIVILEGED_PORT,
  MAX_PORT,
  formatRange,
  inRange,
  rangeIntersection,
  toRange,
  type PortRange,
  type PortRole,
} from "../ports/range";

/** Where the cluster runs: Docker containers on one host, or Kubernetes across many. */
export type Target = "docker" | "kubernetes";
/**
 * How derived ports are placed in a range. `sequential` takes the lowest free ports in SPU id
 * order (Fluvio's own habit, easy to read); `stack-hash` starts each SPU at a pseudo-random
 * offset seeded by the stack name, so many stacks sharing one range land apart without
 * coordination.
 */
export type Strategy = "sequential" | "stack-hash";
/** Fluvio's endpoint encryption, as the SPU spec stores it. */
export type Encryption = "PLAINTEXT" | "SSL";
/** The Kubernetes Service type that carries each SPU's public port. */
export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer";

/**
 * The local endpoint policy: what each SPU registers as `publicEndpointLocal`, the address
 * clients inside containers (with `use_spu_local_address = true`) connect to.
 * `host` defaults to `host.docker.internal`; `port` and `encryption` default to the SPU's
 * public ones (NodePort on Kubernetes NodePort Services), as Fluvio's proposed
 * `update-local` does. `inCluster: true` points at the SPU's in-cluster Service DNS name.
 */
export interface LocalEndpointPolicy {
  host?: string;
  port?: number;
  encryption?: Encryption;
  inCluster?: boolean;
}

/** One SPU as the user declared it (or as a count expanded): its id and any pins. */
export interface SpuSpec {
  id: number;
  /** Registration name; Fluvio's default is `custom-spu-<id>`. */
  name?: string;
  rack?: string;
  publicPort?: number;
  privatePort?: number;
  metricsPort?: number;
  nodePort?: number;
  /** Overrides the cluster's `localEndpoint` for this SPU. */
  localEndpoint?: LocalEndpointPolicy | false;
}

/** Pinned SC ports; unpinned ones are derived from the public and private ranges. */
export interface ScSpec {
  publicPort?: number;
  privatePort?: number;
}

/** Container images. `cli` must contain the `fluvio` CLI (the stock image has only `fluvio-run`). */
export interface ImageSpec {
  fluvio: string;
  cli: string;
  exporter: string;
}

/** Docker target settings. */
export interface DockerSpec {
  /** Join this existing network instead of creating one for the cluster. */
  network?: string;
  /**
   * Host addresses public ports are published on. Default: loopback plus the Docker bridge
   * gateway (`host-gateway`), which is exactly what host clients and containers going through
   * `host.docker.internal` reach, and nothing on the LAN. `0.0.0.0` publishes to every interface.
   */
  publishAddresses: string[];
  /** Publish private ports on the host too (default: they stay on the cluster network). */
  publishPrivate: boolean;
  /** Delete the data volumes on `pulumi destroy` (default false: data outlives the cluster). */
  deleteDataOnDestroy: boolean;
}

/** Kubernetes target settings. */
export interface KubernetesSpec {
  namespace: string;
  serviceType: ServiceType;
  /** The API server's `--service-node-port-range`; planned NodePorts must lie inside it. */
  allowedNodePortRange: PortRange;
  storageClass?: string;
  storageSize: string;
  /** Install the Fluvio CRDs (set false when they are already on the cluster). */
  installCrds: boolean;
  /** Create a Prometheus Operator `ServiceMonitor` (needs its CRD on the cluster). */
  serviceMonitor: boolean;
  /**
   * Create the namespace. Unset: created unless Kubernetes makes it itself (`default`, `kube-*`);
   * false when another team owns it.
   */
  createNamespace?: boolean;
}

/** TLS on the public endpoints (`encryption: SSL`); the certificate material comes as Pulumi secrets. */
export interface TlsSpec {
  enabled: boolean;
  /** Ask clients for a certificate signed by the CA (`--enable-client-cert`). */
  clientAuth: boolean;
}

/** The metrics exporter beside each SPU, serving Prometheus text on the SPU's metrics port. */
export interface MetricsSpec {
  enabled: boolean;
  /** Publish metrics ports on the host's loopback (Docker); never on other interfaces. */
  publish: boolean;
}

/**
 * A validated cluster config with every default applied: what `parseClusterSpec` returns
 * and `planCluster` reads. It is itself valid input to `parseClusterSpec` (parsing is
 * idempotent), so a spec can be stored, diffed and parsed again.
 */
export interface ClusterSpec {
  /** Cluster name, the first part of every resource name. */
  name: string;
  target: Target;
  environment?: Environment;
  /** The host (or host group) this stack deploys to, as named in the port registry. */
  host: string;
  /** The host name clients use to reach public endpoints. */
  publicHost: string;
  strategy: Strategy;
  firstSpuId: number;
  /** The range policy of every role, presets and overrides resolved. */
  ports: Record<PortRole, PortRange>;
  /** Ports never assigned, as ranges. */
  reserved: PortRange[];
  /** Allow ports below 1024 (which need root and belong to system services). */
  allowPrivilegedPorts: boolean;
  sc: ScSpec;
  /** In the order the user listed them (so error paths like `spus[2]` point at the right entry); plans sort by id. */
  spus: SpuSpec[];
  localEndpoint: LocalEndpointPolicy | false;
  tls: TlsSpec;
  metrics: MetricsSpec;
  images: ImageSpec;
  docker: DockerSpec;
  kubernetes: KubernetesSpec;
}

// ---------------------------------------------------------------------------------------------
// The raw schema: what a stack file may hold under `fluvio-spu:cluster`.

const port = z.number().int().min(1).max(MAX_PORT);
const rangeInput = z.union([
  z.strictObject({ from: port, to: port }),
  z.string().regex(/^\s*\d+\s*(-\s*\d+\s*)?$/, "must read like 9000-9100"),
  port,
]);
const encryption = z.enum(["PLAINTEXT", "SSL"]);
const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "use lowercase letters, digits and '-' (not at either end)")
  .max(40);

const localEndpointInput = z.union([
  z.literal(false),
  z.strictObject({
    host: z.string().optional(),
    port: port.optional(),
    encryption: encryption.optional(),
    inCluster: z.boolean().optional(),
  }),
]);

const spuInput = z.strictObject({
  id: z.number().int().min(0).max(2_147_483_647),
  name: name.optional(),
  rack: z.string().min(1).optional(),
  publicPort: port.optional(),
  privatePort: port.optional(),
  metricsPort: port.optional(),
  nodePort: port.optional(),
  localEndpoint: localEndpointInput.optional(),
});

const spusInput = z.union([z.number().int().min(1).max(10_000), z.array(spuInput).min(1)]);

const clusterInput = z.strictObject({
  name: name.default("fluvio"),
  target: z.enum(["docker", "kubernetes"]).default("docker"),
  environment: z.enum(ENVIRONMENTS).optional(),
  host: z.string().min(1).default("localhost"),
  publicHost: z.string().optional(),
  strategy: z.enum(["sequential", "stack-hash"]).default("sequential"),
  firstSpuId: z.number().int().min(0).max(2_147_483_647).default(DEFAULT_FIRST_SPU_ID),
  ports: z
    .strictObject({
      public: rangeInput.optional(),
      private: rangeInput.optional(),
      metrics: rangeInput.optional(),
      nodePort: rangeInput.optional(),
    })
    .default({}),
  reserved: z.array(rangeInput).default([]),
  allowPrivilegedPorts: z.boolean().default(false),
  sc: z.strictObject({ publicPort: port.optional(), privatePort: port.optional() }).default({}),
  spus: z.unknown(),
  localEndpoint: localEndpointInput.default({}),
  tls: z
    .strictObject({ enabled: z.boolean().default(false), clientAuth: z.boolean().default(false) })
    .default({ enabled: false, clientAuth: false }),
  metrics: z
    .strictObject({ enabled: z.boolean().default(true), publish: z.boolean().default(true) })
    .default({ enabled: true, publish: true }),
  images: z
    .strictObject({
      fluvio: z.string().min(1).default(`infinyon/fluvio:${FLUVIO_VERSION}`),
      cli: z.string().min(1).default(`fluvio-spu/fluvio-cli:${FLUVIO_VERSION}`),
      exporter: z.string().min(1).default("fluvio-spu/metrics-exporter:0.1.0"),
    })
    .default({
      fluvio: `infinyon/fluvio:${FLUVIO_VERSION}`,
      cli: `fluvio-spu/fluvio-cli:${FLUVIO_VERSION}`,
      exporter: "fluvio-spu/metrics-exporter:0.1.0",
    }),
  docker: z
    .strictObject({
      network: z.string().min(1).optional(),
      publishAddresses: z.array(z.string().min(1)).min(1).default(["127.0.0.1", "host-gateway"]),
      publishPrivate: z.boolean().default(false),
      deleteDataOnDestroy: z.boolean().default(false),
    })
    .default({ publishAddresses: ["127.0.0.1", "host-gateway"], publishPrivate: false, deleteDataOnDestroy: false }),
  kubernetes: z
    .strictObject({
      namespace: name.default("fluvio"),
      serviceType: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).default("NodePort"),
      allowedNodePortRange: rangeInput.default(KUBERNETES_NODE_PORT_RANGE),
      storageClass: z.string().min(1).optional(),
      storageSize: z
        .string()
        .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/, "must be a Kubernetes quantity such as 10Gi")
        .default("10Gi"),
      installCrds: z.boolean().default(true),
      serviceMonitor: z.boolean().default(false),
      createNamespace: z.boolean().optional(),
    })
    .default({
      namespace: "fluvio",
      serviceType: "NodePort",
      allowedNodePortRange: KUBERNETES_NODE_PORT_RANGE,
      storageSize: "10Gi",
      installCrds: true,
      serviceMonitor: false,
    }),
});

type ClusterInput = z.infer<typeof clusterInput>;

// ---------------------------------------------------------------------------------------------

/**
 * Validates raw cluster config (the value under `fluvio-spu:cluster` in a stack file, or the
 * args of `SpuCluster`) and applies every default. Throws a `ConfigError` listing every
 * problem, each with its field path, the values and the fix.
 */
export function parseClusterSpec(raw: unknown): ClusterSpec {
  if (raw === undefined || raw === null) {
    throw new ConfigError({
      path: "fluvio-spu:cluster",
      message: "is missing: set it in the stack file, for example `spus: 3` and `environment: dev`",
    });
  }
  const parsed = clusterInput.safeParse(raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map(toConfigIssue));
  const input = parsed.data;
  const issues: ConfigIssue[] = [];
  const spus = parseSpus(input, issues);
  const ports = resolveRanges(input, issues);
  const reserved = input.reserved.map((value) => toRange(value) as PortRange);
  const kubernetes = { ...input.kubernetes, allowedNodePortRange: toRange(input.kubernetes.allowedNodePortRange) as PortRange };
  const spec: ClusterSpec = {
    name: input.name,
    target: input.target,
    ...(input.environment ? { environment: input.environment } : {}),
    host: input.host,
    publicHost: input.publicHost ?? "localhost",
    strategy: input.strategy,
    firstSpuId: input.firstSpuId,
    ports,
    reserved,
    allowPrivilegedPorts: input.allowPrivilegedPorts,
    sc: dropUndefined(input.sc),
    spus,
    localEndpoint: input.localEndpoint === false ? false : dropUndefined(input.localEndpoint),
    tls: input.tls,
    metrics: input.metrics,
    images: input.images,
    docker: dropUndefined(input.docker) as DockerSpec,
    kubernetes: dropUndefined(kubernetes) as KubernetesSpec,
  };
  checkSpec(spec, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  Object.defineProperty(spec, VALIDATED, { value: true, enumerable: false });
  return spec;
}

/** Marks a spec `parseClusterSpec` returned, so that planning never validates it twice. Not enumerable: copies and JSON drop it. */
const VALIDATED = Symbol("fluvio-spu.validated");

/** Whether a value is a spec `parseClusterSpec` returned (and not a copy or raw config). */
export function isClusterSpec(value: unknown): value is ClusterSpec {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[VALIDATED] === true;
}

function parseSpus(input: ClusterInput, issues: ConfigIssue[]): SpuSpec[] {
  if (input.spus === undefined) {
    issues.push({ path: "spus", message: "is missing: give a count (spus: 3) or a list ([{ id: 5001 }, ...])" });
    return [];
  }
  const parsed = spusInput.safeParse(input.spus);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(toConfigIssue({ ...issue, path: ["spus", ...issue.path] }));
    return [];
  }
  if (typeof parsed.data === "number") {
    return Array.from({ length: parsed.data }, (_, index) => ({ id: input.firstSpuId + index }));
  }
  return parsed.data.map((spu) => dropUndefined(spu) as SpuSpec);
}

function resolveRanges(input: ClusterInput, issues: ConfigIssue[]): Record<PortRole, PortRange> {
  const preset = input.environment ? RANGE_PRESETS[input.environment] : undefined;
  const pick = (role: PortRole): PortRange => {
    const explicit = input.ports[role];
    if (explicit !== undefined) return toRange(explicit) as PortRange;
    if (preset) return preset[role];
    if (role === "nodePort") return RANGE_PRESETS.dev.nodePort;
    issues.push({
      path: `ports.${role}`,
      message: `has no range: set environment (${ENVIRONMENTS.join(" or ")}) for the preset, or give ports.${role}: { from, to }`,
    });
    return { from: 0, to: -1 };
  };
  return { public: pick("public"), private: pick("private"), metrics: pick("metrics"), nodePort: pick("nodePort") };
}

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

function checkSpec(spec: ClusterSpec, issues: ConfigIssue[]): void {
  const roles = activeRoles(spec);
  checkRanges(spec, roles, issues);
  checkReserved(spec, issues);
  checkSpuIdentity(spec, issues);
  checkPins(spec, roles, issues);
  checkLocalEndpoints(spec, issues);
  checkTargetEndpoints(spec, issues);
  checkHosts(spec, issues);
  issues.push(...publishAddressIssues(spec.docker.publishAddresses));
  checkMonitoring(spec, issues);
}

/** A ServiceMonitor scrapes the exporters: without metrics there is nothing to scrape. */
function checkMonitoring(spec: ClusterSpec, issues: ConfigIssue[]): void {
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
        message: `${policy.host ?? DEFAULT_LOCAL_HOST} cannot reach an SPU behind a ClusterIP Service (it is reachable only inside the cluster): set kubernetes.serviceType: NodePort (or LoadBalancer), use localEndpoint: { inCluster: true }, or localEndpoint: false`,
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

function checkSpuIdentity(spec: ClusterSpec, issues: ConfigIssue[]): void {
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
      const problem = hostProblem(policy.host);
      if (problem) issues.push({ path: `${path}.host`, message: `'${policy.host}' ${problem}; for example host: ${DEFAULT_LOCAL_HOST}` });
    }
    if (policy.encryption !== undefined && policy.encryption !== publicEncryption) {
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

function checkHosts(spec: ClusterSpec, issues: ConfigIssue[]): void {
  const problem = hostProblem(spec.publicHost);
  if (problem) issues.push({ path: "publicHost", message: `'${spec.publicHost}' ${problem}; for example publicHost: localhost` });
}

// ---------------------------------------------------------------------------------------------

function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return {
        path,
        message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `'${key}'`).join(", ")}: check the spelling against the README's config reference (fields are camelCase)`,
      };
    case "invalid_value":
      return { path, message: `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}` };
    case "invalid_type":
      return { path, message: `must be ${issue.expected === "int" ? "a whole number" : `a ${issue.expected}`}` };
    case "too_small":
      return { path, message: `${issue.message}${issue.origin === "number" ? " (ports run 1-65535)" : ""}` };
    case "too_big":
      return { path, message: `${issue.message}${issue.origin === "number" ? " (ports run 1-65535)" : ""}` };
    case "invalid_union":
      return { path, message: unionMessage(path) };
    default:
      return { path, message: issue.message };
  }
}

function unionMessage(path: string): string {
  if (path.endsWith("localEndpoint")) return "must be false or { host, port?, encryption? }";
  if (/^ports\.|reserved|allowedNodePortRange/.test(path)) return "must be a port range: { from: 9000, to: 9100 }, '9000-9100' or a single port";
  if (path === "spus") return "must be a count (spus: 3) or a list of SPUs ([{ id: 5001 }, ...])";
  return "has an unexpected shape";
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out.length === 0 ? String(part) : `.${String(part)}`;
  }
  return out;
}


/** One SPU as a stack file or `SpuCluster` args may give it. */
export type SpuConfig = z.input<typeof spuInput>;

/**
 * The raw cluster config: the shape of `fluvio-spu:cluster` in a stack file and of the plain
 * part of `SpuCluster` args. Every field but `spus` is optional.
 */
export type ClusterConfig = Omit<z.input<typeof clusterInput>, "spus"> & { spus: number | SpuConfig[] };

/** The cluster config value as a zod schema, `spus` included: what `clusterJsonSchema` describes. */
export const clusterConfigSchema = clusterInput.extend({ spus: spusInput });
