import { z } from "zod";
import { ConfigError, type ConfigIssue } from "../errors";
import {
  DEFAULT_FIRST_SPU_ID,
  AUTO_LOCAL_HOST,
  DEFAULT_LOCAL_HOST,
  ENVIRONMENTS,
  FLUVIO_VERSION,
  KUBERNETES_NODE_PORT_RANGE,
  RANGE_PRESETS,
  type Environment,
} from "./presets";
import { endpointHostProblem, publishAddressIssues } from "./hosts";
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

// ---------------------------------------------------------------------------------------------
// The one schema: what a stack file may hold under `fluvio-spu:cluster` (and the plain part of
// `SpuCluster` args). Every field is documented here once, with its default; the TypeScript
// types below are derived from it, and `fluvio-ports schema` prints it as JSON Schema for editors.

/**
 * How a config is parsed: without zod's compiled fast path, which generates and compiles a
 * parser per object schema on its first use; a process parses a config once or twice, so the
 * compiling would cost more than it saves (the same answers either way).
 */
export const ONE_PARSE = { jitless: true } as const;

const port = z.number().int().min(1).max(MAX_PORT);
const rangeInput = z
  .union([
    z.strictObject({ from: port, to: port }),
    z.string().regex(/^\s*\d+\s*(-\s*\d+\s*)?$/, "must read like 9000-9100"),
    port,
  ])
  .describe("An inclusive port range: { from: 9000, to: 9100 }, '9000-9100' or a single port.");
const encryption = z.enum(["PLAINTEXT", "SSL"]).describe("Fluvio's endpoint encryption, as the SPU spec stores it.");
const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "use lowercase letters, digits and '-' (not at either end)")
  .max(40);

const localEndpointPolicy = z
  .strictObject({
    host: z
      .string()
      .optional()
      .describe("The host clients inside containers reach the SPU by. Default auto: the name the container platform resolves to the host (host.docker.internal, host.containers.internal, ...)."),
    port: port.optional().describe("The local port. Default: the SPU's public port (its NodePort on Kubernetes NodePort Services)."),
    encryption: encryption.optional().describe("Default: the public endpoint's encryption."),
    inCluster: z.boolean().optional().describe("Kubernetes: point at the SPU's in-cluster Service DNS name instead of host."),
  })
  .describe("The local endpoint policy: what each SPU registers as publicEndpointLocal, which clients with use_spu_local_address = true connect to.");
const localEndpointInput = z
  .union([z.literal(false), localEndpointPolicy])
  .describe("The local endpoint of every SPU, or false for none. Default { host: auto }.");

const spuInput = z
  .strictObject({
    id: z.number().int().min(0).max(2_147_483_647).describe("The SPU id, as Fluvio keys SPUs (required in the list form)."),
    name: name.optional().describe("The registration name. Default custom-spu-<id>, Fluvio's own."),
    rack: z.string().min(1).optional().describe("The rack, for Fluvio's replica placement."),
    publicPort: port.optional().describe("Pin the public port (inside ports.public)."),
    privatePort: port.optional().describe("Pin the private port (inside ports.private)."),
    metricsPort: port.optional().describe("Pin the exporter's metrics port (inside ports.metrics)."),
    nodePort: port.optional().describe("Pin the NodePort (Kubernetes NodePort Services, inside ports.nodePort)."),
    localEndpoint: localEndpointInput.optional().describe("This SPU's local endpoint; overrides the cluster's localEndpoint."),
    critical: z.boolean().optional().describe("Its alerts page at severity critical instead of warning (see monitoring.critical)."),
  })
  .describe("One SPU: its id and any pins.");

const spusInput = z
  .union([z.number().int().min(1).max(10_000), z.array(spuInput).min(1)])
  .describe("A count (ids from firstSpuId) or a list of SPUs ([{ id: 5001, rack: r1, publicPort: 9011 }, ...]). Required.");

const DEFAULT_IMAGES = {
  fluvio: `infinyon/fluvio:${FLUVIO_VERSION}`,
  cli: `fluvio-spu/fluvio-cli:${FLUVIO_VERSION}`,
  exporter: "fluvio-spu/metrics-exporter:0.1.0",
};
/** The SC's and SPUs' RUST_LOG unless `logLevel` says otherwise: a bind failure's span then names its address. */
const DEFAULT_LOG_LEVEL = "info";
const DEFAULT_DOCKER = { publishPrivate: false, deleteDataOnDestroy: false };
const DEFAULT_KUBERNETES = {
  namespace: "fluvio",
  serviceType: "NodePort" as const,
  allowedNodePortRange: KUBERNETES_NODE_PORT_RANGE,
  storageSize: "10Gi",
  installCrds: true,
  serviceMonitor: false,
};

const tlsSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Serve TLS on the public endpoints (encryption SSL). Default false; the certificate material comes as Pulumi secrets."),
    clientAuth: z.boolean().default(false).describe("Ask clients for a certificate signed by the CA (--enable-client-cert). Default false."),
    domain: z
      .string()
      .optional()
      .describe("The name client profiles verify the SC's certificate against (Fluvio's domain); SPU connections are verified against <spu name>.<domain>. Default: publicHost."),
    clientDir: z
      .string()
      .optional()
      .describe("Where clients on the host keep client.crt, client.key and ca.crt (absolute: Fluvio expands no ~). Default: .fluvio/tls in the home of whoever runs the program."),
    containerClientDir: z.string().optional().describe("The same inside client containers (absolute). Default: /etc/fluvio/tls."),
  })
  .default({ enabled: false, clientAuth: false })
  .describe("TLS on the public endpoints.");

const metricsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Run the metrics exporter beside each SPU. Default true."),
    publish: z.boolean().default(true).describe("Publish metrics ports on the host's loopback (Docker); never on other interfaces. Default true."),
  })
  .default({ enabled: true, publish: true })
  .describe("The metrics exporter beside each SPU, serving Prometheus text on the SPU's metrics port.");

const imagesSchema = z
  .strictObject({
    fluvio: z.string().min(1).default(DEFAULT_IMAGES.fluvio).describe(`The image with /fluvio-run. Default ${DEFAULT_IMAGES.fluvio}.`),
    cli: z.string().min(1).default(DEFAULT_IMAGES.cli).describe(`An image with the fluvio CLI (registration jobs; the stock image has none). Default ${DEFAULT_IMAGES.cli}.`),
    exporter: z.string().min(1).default(DEFAULT_IMAGES.exporter).describe(`The metrics exporter image. Default ${DEFAULT_IMAGES.exporter}.`),
  })
  .default(DEFAULT_IMAGES)
  .describe("Container images.");

const dockerSchema = z
  .strictObject({
    network: z.string().min(1).optional().describe("Join this existing network instead of creating one for the cluster."),
    publishAddresses: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe("Host addresses public ports are published on. Default: what the container platform needs (on Docker Engine [127.0.0.1, host-gateway]: loopback plus the bridge gateway, which host clients and containers going through host.docker.internal reach, and nothing on the LAN). 0.0.0.0 publishes to every interface."),
    publishPrivate: z.boolean().default(false).describe("Publish private ports on the host too. Default false: they stay on the cluster network."),
    deleteDataOnDestroy: z.boolean().default(false).describe("Delete the data volumes on pulumi destroy. Default false: data outlives the cluster."),
  })
  .default(DEFAULT_DOCKER)
  .describe("Docker target settings.");

const kubernetesSchema = z
  .strictObject({
    namespace: name.default(DEFAULT_KUBERNETES.namespace).describe("The namespace. Default fluvio."),
    serviceType: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).default(DEFAULT_KUBERNETES.serviceType).describe("The Service type that carries each SPU's public port. Default NodePort."),
    allowedNodePortRange: rangeInput.default(DEFAULT_KUBERNETES.allowedNodePortRange).describe("The API server's --service-node-port-range; planned NodePorts must lie inside it. Default 30000-32767."),
    storageClass: z.string().min(1).optional().describe("The StorageClass of the SPUs' volumes. Default: the cluster's default class."),
    storageSize: z
      .string()
      .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/, "must be a Kubernetes quantity such as 10Gi")
      .default(DEFAULT_KUBERNETES.storageSize)
      .describe("The size of each SPU's volume. Default 10Gi."),
    installCrds: z.boolean().default(true).describe("Install Fluvio's CRDs. Default true; false when they are already on the cluster."),
    serviceMonitor: z.boolean().default(false).describe("Create a Prometheus Operator ServiceMonitor (needs its CRD and metrics.enabled). Default false."),
    createNamespace: z.boolean().optional().describe("Create the namespace. Default: yes unless Kubernetes owns it (default, kube-*); false when another team owns it."),
  })
  .default(DEFAULT_KUBERNETES)
  .describe("Kubernetes target settings.");

// ----- monitoring (issue 12): one block -----------------------------------------------------

/** The Prometheus image the Docker target runs when `monitoring.prometheus` is on (pinned, like every default image). */
const DEFAULT_PROMETHEUS_IMAGE = "prom/prometheus:v2.53.1";

const promDuration = z.string().regex(/^[0-9]+(ms|s|m|h|d)$/, "must be a Prometheus duration such as 30s, 2m or 1h");
const MONITORING_DEFAULTS = { prometheus: false, image: DEFAULT_PROMETHEUS_IMAGE, alertAfter: "2m", scrapeInterval: "15s", alertmanagers: [] as string[], critical: [] as number[] };
const monitoringInput = z
  .strictObject({
    prometheus: z.boolean().default(false).describe("Docker: run a Prometheus on the cluster network with the alert rules and every exporter as a target. Default false."),
    image: z.string().min(1).default(DEFAULT_PROMETHEUS_IMAGE).describe(`The Prometheus image (Docker). Default ${DEFAULT_PROMETHEUS_IMAGE}.`),
    prometheusPort: port.optional().describe("Pin Prometheus's port (inside ports.metrics); derived from the top of that range otherwise."),
    alertAfter: promDuration.default("2m").describe("How long a condition must hold before its alert fires (for:), a Prometheus duration. Default 2m."),
    scrapeInterval: promDuration.default("15s").describe("Scrape and rule evaluation interval of the Docker Prometheus. Default 15s."),
    alertmanagers: z
      .array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, "must be host:port, for example alertmanager:9093"))
      .default([])
      .describe("Alertmanagers (host:port) the Docker Prometheus sends its alerts to. Default none (read them on its /alerts page)."),
    critical: z.array(z.number().int().min(0).max(2_147_483_647)).default([]).describe("SPU ids whose alerts page at severity critical (with every spus[].critical: true). Default []."),
    alerts: z
      .boolean()
      .optional()
      .describe("Alert rules, and the port probes they watch. Default: on with monitoring.prometheus (Docker) or kubernetes.serviceMonitor (Kubernetes), off otherwise."),
  })
  .default(MONITORING_DEFAULTS)
  .describe("Alerting on the exporters: the alert rules every target ships, and on Docker an optional Prometheus container.");

const clusterShape = {
  name: name.default("fluvio").describe("The cluster name; every resource is named <name>-<stack>-... Default fluvio (SpuCluster: the resource name)."),
  target: z.enum(["docker", "kubernetes"]).default("docker").describe("Where the cluster runs: docker (containers on one host) or kubernetes (many hosts). Default docker."),
  environment: z.enum(ENVIRONMENTS).optional().describe("dev (9000 series) or prod (10000 series): the range presets. Without it, give every range in ports."),
  host: z.string().min(1).default("localhost").describe("The host (or host group) this stack deploys to, as the port registry names it. Default localhost."),
  publicHost: z.string().optional().describe("The host name clients use for public endpoints. Default localhost."),
  strategy: z
    .enum(["sequential", "stack-hash", "isolated"])
    .default("sequential")
    .describe("How derived ports are placed: sequential (the lowest free ports, in id order), stack-hash (a pseudo-random offset per stack, so many stacks sharing a range land apart) or isolated (like stack-hash and, where fluvio-ports plans it, around every other stack of the project, every registry record and claim and the host's live listeners; its record keeps the result, for a stack per pull request on a shared host). Default sequential."),
  firstSpuId: z.number().int().min(0).max(2_147_483_647).default(DEFAULT_FIRST_SPU_ID).describe(`The first id of a count. Default ${DEFAULT_FIRST_SPU_ID}, as Fluvio numbers SPUs.`),
  ports: z
    .strictObject({
      public: rangeInput.optional().describe("Public ports (clients to SC and SPUs)."),
      private: rangeInput.optional().describe("Private ports (SC and SPUs among themselves)."),
      metrics: rangeInput.optional().describe("Metrics exporter ports."),
      nodePort: rangeInput.optional().describe("Kubernetes NodePorts."),
    })
    .default({})
    .describe("Range policies per role, each overriding its preset alone; inclusive."),
  reserved: z.array(rangeInput).default([]).describe("Ports or ranges never assigned: [9090, '9092-9094']."),
  allowPrivilegedPorts: z.boolean().default(false).describe("Allow ports below 1024. Default false."),
  logLevel: z
    .string()
    .regex(/^[A-Za-z0-9_:=,.-]+$/, "must be a RUST_LOG value such as info, debug or info,fluvio_spu=debug")
    .default(DEFAULT_LOG_LEVEL)
    .describe(`RUST_LOG of the SC and SPUs: a level (error, warn, info, debug, trace) or Rust filter directives (info,fluvio_spu=debug). Default ${DEFAULT_LOG_LEVEL}: Fluvio's own Compose example's; without it Fluvio logs errors only.`),
  sc: z
    .strictObject({ publicPort: port.optional().describe("Pin the SC's public port."), privatePort: port.optional().describe("Pin the SC's private port.") })
    .default({})
    .describe("Pins for the SC; unpinned ports are derived."),
  spus: spusInput,
  localEndpoint: localEndpointInput.default({}),
  tls: tlsSchema,
  metrics: metricsSchema,
  images: imagesSchema,
  docker: dockerSchema,
  kubernetes: kubernetesSchema,
  monitoring: monitoringInput,
};

/** The stack file's schema, `spus` included: what `fluvio-ports schema` prints. */
const clusterSchema = z.strictObject(clusterShape).describe("A Fluvio cluster (one SC, N SPUs) and its port plan: the value of fluvio-spu:cluster.");

/** The same object, with `spus` checked on its own so that its errors name the entry and field (`spus[0].publicPort`), not the whole union. */
const clusterInput = z.strictObject({ ...clusterShape, spus: z.unknown() });

/**
 * The JSON Schema of the `fluvio-spu:cluster` value, for editors (YAML language servers map it
 * onto stack files): every field with its description and default.
 */
export function clusterJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(clusterSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { ...schema, title: "fluvio-spu:cluster" };
}

/**
 * The JSON Schema of a whole stack file (`Pulumi.<stack>.yaml`): its `config` map, with the
 * cluster value under `key` checked by `clusterJsonSchema` and every other key left open (other
 * packages' config, secrets). What a YAML language server maps onto `stacks/Pulumi.*.yaml`.
 */
export function stackFileJsonSchema(key: string): Record<string, unknown> {
  const { $schema, ...cluster } = clusterJsonSchema();
  return {
    $schema,
    title: "Pulumi stack file with a fluvio-spu cluster",
    type: "object",
    properties: {
      config: { type: "object", properties: { [key]: cluster }, additionalProperties: true },
      encryptionsalt: { type: "string" },
      secretsprovider: { type: "string" },
      encryptedkey: { type: "string" },
    },
    additionalProperties: true,
  };
}

// ---------------------------------------------------------------------------------------------
// The types, derived from the schema.

/** Where the cluster runs: Docker containers on one host, or Kubernetes across many. */
export type Target = z.output<typeof clusterShape.target>;
/** How derived ports are placed in a range (see the schema's `strategy`). */
export type Strategy = z.output<typeof clusterShape.strategy>;
/** Fluvio's endpoint encryption, as the SPU spec stores it. */
export type Encryption = z.output<typeof encryption>;
/** The Kubernetes Service type that carries each SPU's public port. */
export type ServiceType = z.output<typeof kubernetesSchema>["serviceType"];
/** The local endpoint policy (see the schema's `localEndpoint`). */
export type LocalEndpointPolicy = z.output<typeof localEndpointPolicy>;
/** One SPU as the user declared it (or as a count expanded): its id and any pins. */
export type SpuSpec = z.output<typeof spuInput>;
/** Pinned SC ports; unpinned ones are derived from the public and private ranges. */
export type ScSpec = z.output<typeof clusterShape.sc>;
/** Container images. `cli` must contain the `fluvio` CLI (the stock image has only `fluvio-run`). */
export type ImageSpec = z.output<typeof imagesSchema>;
/** Docker target settings. */
export type DockerSpec = z.output<typeof dockerSchema>;
/** Kubernetes target settings, with the NodePort range resolved. */
export type KubernetesSpec = Omit<z.output<typeof kubernetesSchema>, "allowedNodePortRange"> & { allowedNodePortRange: PortRange };
/** TLS on the public endpoints; the certificate material comes as Pulumi secrets. */
export type TlsSpec = z.output<typeof tlsSchema>;
/** The metrics exporter beside each SPU. */
export type MetricsSpec = z.output<typeof metricsSchema>;
/** Alerting on the exporters (see the schema's `monitoring`). */
export type MonitoringSpec = z.output<typeof monitoringInput>;

/**
 * A validated cluster config with every default applied: what `parseClusterSpec` returns and
 * `planCluster` reads. The schema's output, with the fields parsing resolves: ranges as
 * `{ from, to }` per role (presets applied), SPUs as a list in the user's order (so error paths
 * like `spus[2]` point at the right entry; plans sort by id) and the public host filled in.
 * It is itself valid input to `parseClusterSpec` (parsing is idempotent).
 */
export type ClusterSpec = Omit<z.output<typeof clusterSchema>, "ports" | "reserved" | "spus" | "publicHost" | "kubernetes" | "environment"> & {
  environment?: Environment;
  publicHost: string;
  ports: Record<PortRole, PortRange>;
  reserved: PortRange[];
  spus: SpuSpec[];
  kubernetes: KubernetesSpec;
};

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
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError({ path: "fluvio-spu:cluster", message: `must be an object such as { environment: dev, spus: 3 }, not ${describeValue(raw)}` });
  }
  const parsed = clusterInput.safeParse(raw, ONE_PARSE);
  if (!parsed.success) {
    // Report the SPU list's problems beside the others: every problem at once.
    const spuIssues: ConfigIssue[] = [];
    parseSpusValue((raw as { spus?: unknown }).spus, DEFAULT_FIRST_SPU_ID, spuIssues);
    throw new ConfigError([...parsed.error.issues.flatMap(toConfigIssues), ...spuIssues]);
  }
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
    logLevel: input.logLevel,
    sc: dropUndefined(input.sc),
    spus,
    localEndpoint: input.localEndpoint === false ? false : dropUndefined(input.localEndpoint),
    tls: dropUndefined(input.tls) as TlsSpec,
    metrics: input.metrics,
    images: input.images,
    docker: dropUndefined(input.docker) as DockerSpec,
    kubernetes: dropUndefined(kubernetes) as KubernetesSpec,
    monitoring: dropUndefined(input.monitoring) as MonitoringSpec,
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
  return parseSpusValue(input.spus, input.firstSpuId, issues);
}

/** The count form and the list form of `spus`, each checked on its own. */
const spuCount = z.number().int().min(1).max(10_000);
const spuList = z.array(spuInput).min(1);

/**
 * The SPU list, checked by the form the user chose, so that an error inside an entry names
 * that entry's field (`spus[0].publicPort: must be a whole number`) instead of the whole union.
 */
function parseSpusValue(value: unknown, firstSpuId: number, issues: ConfigIssue[]): SpuSpec[] {
  if (value === undefined || value === null) {
    issues.push({ path: "spus", message: "is missing: give a count (spus: 3) or a list ([{ id: 5001 }, ...])" });
    return [];
  }
  if (typeof value === "number") {
    const parsed = spuCount.safeParse(value, ONE_PARSE);
    if (!parsed.success) {
      issues.push({ path: "spus", message: `${value} is not a count of SPUs: give a whole number from 1 to 10000, or a list ([{ id: 5001 }, ...])` });
      return [];
    }
    return Array.from({ length: parsed.data }, (_, index) => ({ id: firstSpuId + index }));
  }
  if (!Array.isArray(value)) {
    issues.push({ path: "spus", message: `must be a count (spus: 3) or a list of SPUs ([{ id: 5001 }, ...]), not ${describeValue(value)}` });
    return [];
  }
  const parsed = spuList.safeParse(value, ONE_PARSE);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(...toConfigIssues({ ...issue, path: ["spus", ...issue.path] }));
    return [];
  }
  return parsed.data.map((spu) => dropUndefined(spu) as SpuSpec);
}

/** A short description of a value a user wrote where another kind was expected. */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value === "number" ? "the number" : `a ${typeof value}`} ${String(value)}`;
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

// ---------------------------------------------------------------------------------------------

/** One zod issue as the user reads it (a union whose matching branch knows the field gives that branch's issues). */
function toConfigIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return [
        {
          path,
          message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `'${key}'`).join(", ")}: check the spelling against the README's config reference (fields are camelCase)`,
        },
      ];
    case "invalid_value":
      return [{ path, message: `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}` }];
    case "invalid_type":
      if (issue.expected === "object" && issue.path.length > 0 && isSpuEntryPath(issue.path)) {
        return [{ path, message: "must be an SPU such as { id: 5001 } (the list form needs an object per SPU with its id)" }];
      }
      if (/received undefined$/.test(issue.message)) {
        return [{ path, message: `is missing: ${path.startsWith("spus[") && path.endsWith(".id") ? "every SPU in the list form needs its id (spus: [{ id: 5001 }, ...])" : `give ${expectedKind(issue.expected)}`}` }];
      }
      return [{ path, message: `must be ${expectedKind(issue.expected)}` }];
    case "too_small":
    case "too_big":
      return [{ path, message: boundMessage(issue, isPortPath(issue.path)) }];
    case "invalid_union": {
      // The branch whose shape matched (an object where an object may stand) knows the field.
      const matched = issue.errors.filter((branch) => branch.every((inner) => inner.path.length > 0));
      const only = matched.length === 1 ? matched[0] : undefined;
      if (only !== undefined && only.length > 0) return only.flatMap((inner) => toConfigIssues({ ...inner, path: [...issue.path, ...inner.path] }));
      return [{ path, message: unionMessage(path) }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

/** The kind a field expects, as a sentence reads it. */
function expectedKind(expected: string): string {
  // Every number in the config is a whole number (ports, ids, counts).
  if (expected === "int" || expected === "number") return "a whole number";
  if (expected === "object") return "an object";
  if (expected === "array") return "a list";
  return `a ${expected}`;
}

/** Whether a zod path points at an SPU entry itself (`spus[0]`). */
function isSpuEntryPath(path: readonly PropertyKey[]): boolean {
  return path.length === 2 && path[0] === "spus" && typeof path[1] === "number";
}

/** Fields that hold a port number: only these get the "ports run 1-65535" hint. */
const PORT_FIELDS = new Set(["publicPort", "privatePort", "metricsPort", "nodePort", "port", "from", "to"]);

function isPortPath(path: readonly PropertyKey[]): boolean {
  const last = [...path].reverse().find((part) => typeof part === "string");
  if (last !== undefined && PORT_FIELDS.has(String(last))) return true;
  return path[0] === "ports" || path[0] === "reserved" || path.includes("allowedNodePortRange");
}

/** A bound (too small / too big) as one sentence, with the port hint only where a port is meant. */
function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, isPort: boolean): string {
  const small = issue.code === "too_small";
  const limit = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
  const hint = isPort ? " (ports run 1-65535)" : "";
  switch (issue.origin) {
    case "number":
    case "int":
      return `must be ${small ? "at least" : "at most"} ${String(limit)}${hint}`;
    case "array":
      return `must hold ${small ? "at least" : "at most"} ${String(limit)} entr${Number(limit) === 1 ? "y" : "ies"}`;
    case "string":
      return `must be ${small ? "at least" : "at most"} ${String(limit)} character${Number(limit) === 1 ? "" : "s"} long`;
    default:
      return `${issue.message}${hint}`;
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
export type ClusterConfig = z.input<typeof clusterSchema>;
