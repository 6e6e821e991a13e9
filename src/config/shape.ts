/**
 * The shape of the config: what a stack file may hold under `fluvio-spu:cluster` (and the plain
 * part of `SpuCluster` args), each field with its description and default, the TypeScript types
 * derived from it, and its JSON Schema for editors. The rules between fields live in `rules.ts`;
 * `schema.ts` parses a config through both.
 */
import { z } from "zod";
import {
  DEFAULT_FIRST_SPU_ID,
  ENVIRONMENTS,
  FLUVIO_VERSION,
  KUBERNETES_NODE_PORT_RANGE,
  type Environment,
} from "./presets";
import { MAX_PORT, type PortRange, type PortRole } from "../ports/range";

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

/**
 * Text a table, a label or a container engine takes as one line: no newline, tab or other
 * control character (they break `fluvio-ports plan`'s table, and Docker refuses them much later).
 */
const ONE_LINE = /^[^\u0000-\u001f\u007f]*$/;
const ONE_LINE_MESSAGE = "must be one line of text: no newline, tab or other control character";
/** A string of one line (see `ONE_LINE`), at least one character long. */
const text = () => z.string().min(1).regex(ONE_LINE, ONE_LINE_MESSAGE);
/** A string of one line, possibly empty. */
const anyText = () => z.string().regex(ONE_LINE, ONE_LINE_MESSAGE);
const rangeInput = z
  .union([
    z.strictObject({ from: port.describe("The first port of the range."), to: port.describe("The last port of the range (inclusive).") }),
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
    host: anyText()
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

export const spuInput = z
  .strictObject({
    id: z.number().int().min(0).max(2_147_483_647).describe("The SPU id, as Fluvio keys SPUs (required in the list form)."),
    name: name.optional().describe("The registration name. Default custom-spu-<id>, Fluvio's own."),
    rack: text().optional().describe("The rack, for Fluvio's replica placement."),
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
    domain: anyText()
      .optional()
      .describe("The name client profiles verify the SC's certificate against (Fluvio's domain); SPU connections are verified against <spu name>.<domain>. Default: publicHost."),
    clientDir: anyText()
      .optional()
      .describe("Where clients on the host keep client.crt, client.key and ca.crt (absolute: Fluvio expands no ~). Default: .fluvio/tls in the home of whoever runs the program."),
    containerClientDir: anyText().optional().describe("The same inside client containers (absolute). Default: /etc/fluvio/tls."),
  })
  .default({ enabled: false, clientAuth: false })
  .describe("TLS on the public endpoints.");

const labelMap = z.record(z.string().min(1).max(317), text().max(63));
/** Who may reach the metrics port on Kubernetes by default: the Prometheus Operator's Prometheus pods, in any namespace. */
export const DEFAULT_SCRAPERS = { podLabels: { "app.kubernetes.io/name": "prometheus" }, namespaceLabels: {} as Record<string, string> };
const metricsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Run the metrics exporter beside each SPU. Default true."),
    publish: z.boolean().default(true).describe("Publish metrics ports on the host's loopback (Docker); never on other interfaces. Default true."),
    scrapers: z
      .union([
        z.literal("anywhere"),
        z.strictObject({
          podLabels: labelMap.describe("Labels of the pods that scrape (a NetworkPolicy podSelector)."),
          namespaceLabels: labelMap.default({}).describe("Labels of their namespaces; {} is every namespace."),
        }),
      ])
      .default(DEFAULT_SCRAPERS)
      .describe(
        "Kubernetes: who may reach each SPU's metrics port (its NetworkPolicy admits them alone; the kubelet's readiness probe is always let through). Default { podLabels: { app.kubernetes.io/name: prometheus }, namespaceLabels: {} }: the Prometheus Operator's Prometheus pods, in any namespace. anywhere: every peer.",
      ),
  })
  .default({ enabled: true, publish: true, scrapers: DEFAULT_SCRAPERS })
  .describe("The metrics exporter beside each SPU, serving Prometheus text on the SPU's metrics port.");

const imagesSchema = z
  .strictObject({
    fluvio: text().default(DEFAULT_IMAGES.fluvio).describe(`The image with /fluvio-run. Default ${DEFAULT_IMAGES.fluvio}.`),
    cli: text().default(DEFAULT_IMAGES.cli).describe(`An image with the fluvio CLI (registration jobs; the stock image has none). Default ${DEFAULT_IMAGES.cli}.`),
    exporter: text().default(DEFAULT_IMAGES.exporter).describe(`The metrics exporter image. Default ${DEFAULT_IMAGES.exporter}.`),
  })
  .default(DEFAULT_IMAGES)
  .describe("Container images.");

const dockerSchema = z
  .strictObject({
    network: text().optional().describe("Join this existing network instead of creating one for the cluster."),
    publishAddresses: z
      .array(text())
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
    storageClass: text().optional().describe("The StorageClass of the SPUs' volumes. Default: the cluster's default class."),
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
    image: text().default(DEFAULT_PROMETHEUS_IMAGE).describe(`The Prometheus image (Docker). Default ${DEFAULT_PROMETHEUS_IMAGE}.`),
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
  host: text().default("localhost").describe("The host (or host group) this stack deploys to, as the port registry names it. Default localhost."),
  publicHost: anyText().optional().describe("The host name clients use for public endpoints. Default localhost."),
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
export const clusterInput = z.strictObject({ ...clusterShape, spus: z.unknown() });

/**
 * The JSON Schema of the `fluvio-spu:cluster` value, for editors (YAML language servers map it
 * onto stack files): every field with its description and default. `io: "output"` describes
 * the value parsing returns instead (defaults applied): what the generated `ClusterSpec` types.
 */
export function clusterJsonSchema(io: "input" | "output" = "input"): Record<string, unknown> {
  const schema = z.toJSONSchema(clusterSchema, { io, unrepresentable: "any" }) as Record<string, unknown>;
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
// The types: plain interfaces generated from this schema (types.generated.ts, `npm run docs`), so
// that every field shows its description on hover and the emitted .d.ts needs no zod;
// test/unit/generated.test.ts checks that each is this schema's own input or output type.
// schema.ts, the config's front door, exports them.

/** The schemas the generated types are checked against (test/unit/generated.test.ts). */
export const SCHEMAS = { cluster: clusterSchema, spu: spuInput, kubernetes: kubernetesSchema } as const;

export type ClusterInput = z.infer<typeof clusterInput>;

/** The count form and the list form of `spus`, each checked on its own. */
export const spuCount = z.number().int().min(1).max(10_000);
export const spuList = z.array(spuInput).min(1);
