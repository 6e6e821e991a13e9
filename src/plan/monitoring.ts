/**
 * Pure: the monitoring part of a plan (issue 12). Which ports each exporter probes, the alert
 * rules (Prometheus rule groups as plain data, the same for every target), and on Docker the
 * Prometheus that scrapes every exporter and evaluates them. Targets and `render` read
 * `ClusterPlan.monitoring` only; the text of the files comes from the helpers at the end.
 */
import { stringify } from "yaml";
import { joinHostPort } from "../config/hosts";
import { alertsOn, criticalSpuIds, type ClusterSpec } from "../config/schema";
import { LABELS } from "./layout";
import type { NodeNames } from "./names";

/** Which of an SPU's own ports a probe connects to. */
export type ProbeRole = "public" | "private";

/** One TCP probe the exporter beside an SPU runs on every scrape: `--probe <role>=<host>:<port>`. */
export interface ProbeTarget {
  role: ProbeRole;
  host: string;
  port: number;
}

/** One Prometheus alerting rule, in the field names of Prometheus's rule files. */
export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A Prometheus rule group (`groups[]` of a rule file, `spec.groups[]` of a `PrometheusRule`). */
export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** One exporter Prometheus scrapes, with the `spu` label its `up` series carries. */
export interface ScrapeTarget {
  spu: number;
  /** `host:port` as Prometheus reaches it (on Docker: the exporter's alias on the cluster network). */
  address: string;
}

/** Where the Docker Prometheus finds its files inside its container. */
export const PROMETHEUS_PATHS = {
  config: "/etc/prometheus/prometheus.yml",
  rules: "/etc/prometheus/fluvio-spu-rules.yaml",
  data: "/prometheus",
} as const;

/** The file names `render` writes beside the Compose file. */
export const PROMETHEUS_FILES = { rules: "prometheus-rules.yaml", config: "prometheus.yml" } as const;

/** The Prometheus container of the Docker target. */
export interface PrometheusPlan {
  /** Container name and network alias (`<cluster>-<stack>-prometheus`). */
  name: string;
  /** The planned port (role `metrics`, owner `prometheus`): listen port = host port on loopback. */
  port: number;
  /** `localhost:<port>`: the web UI and API from the host (when `metrics.publish`), else `<name>:<port>`. */
  address: string;
  image: string;
  /** Arguments to the image's entrypoint (`/bin/prometheus`). */
  args: string[];
  scrapeInterval: string;
  targets: ScrapeTarget[];
  /** Alertmanagers (`host:port`) it sends alerts to (`monitoring.alertmanagers`). */
  alertmanagers: string[];
}

/** Everything monitoring adds to a plan. */
export interface MonitoringPlan {
  /** Alert rules shipped and SPU ports probed (`monitoring.alerts`, default on with a Prometheus or ServiceMonitor). */
  alerts: boolean;
  /** The `job` label of every exporter series: the Docker scrape job, the Kubernetes ServiceMonitor's `jobLabel` value. */
  job: string;
  /** SPU ids whose alerts carry `severity: critical` (the others: `warning`). */
  critical: number[];
  /** `for:` of every alert. */
  alertAfter: string;
  /** The alert rules, as a rule file's `groups` (none when `alerts` is off). */
  rules: RuleGroup[];
  /** The Docker Prometheus, or null (Kubernetes, or `monitoring.prometheus` off). */
  prometheus: PrometheusPlan | null;
}

export { PROMETHEUS_OWNER } from "./names";

/**
 * The probes of one SPU's exporter: its public and private ports, at an address that reaches
 * them from where the exporter runs. Docker: the exporter is a container of its own on the
 * cluster network, so the SPU's alias (the very address the SC uses for the private port).
 * Kubernetes: the exporter is a sidecar sharing the SPU pod's network namespace, so loopback
 * (the SPU binds 0.0.0.0, and NetworkPolicies do not filter a pod's own loopback).
 */
export function probeTargets(target: ClusterSpec["target"], spuHost: string, ports: { public: number; private: number }): ProbeTarget[] {
  const host = target === "kubernetes" ? "127.0.0.1" : spuHost;
  return [
    { role: "public", host, port: ports.public },
    { role: "private", host, port: ports.private },
  ];
}

/** The exporter flags of the probes: `--probe public=<host>:<port> --probe private=<host>:<port>`. */
export function probeFlags(probes: readonly ProbeTarget[]): string[] {
  return probes.flatMap((probe) => ["--probe", `${probe.role}=${joinHostPort(probe.host, probe.port)}`]);
}

/** What the monitoring plan needs from the rest of the plan. */
export interface MonitoringInputs {
  spec: ClusterSpec;
  stack: string;
  names: NodeNames;
  /** The SPUs with their metrics ports (only those with an exporter are scraped). */
  spus: readonly { id: number; metricsPort: number | undefined }[];
  /** The port planned for the Docker Prometheus, when it is on. */
  prometheusPort: number | undefined;
}

/** Builds `ClusterPlan.monitoring`. Pure. */
export function planMonitoring(inputs: MonitoringInputs): MonitoringPlan {
  const { spec, names } = inputs;
  const job = names.prefix;
  const critical = criticalSpuIds(spec);
  const scraped = inputs.spus.filter((spu) => spu.metricsPort !== undefined).map((spu) => spu.id);
  const alerts = alertsOn(spec);
  const rules = alerts ? alertRules({ job, stack: inputs.stack, cluster: names.prefix, critical, spuIds: scraped, alertAfter: spec.monitoring.alertAfter }) : [];
  const prometheus =
    spec.target === "docker" && spec.monitoring.prometheus && inputs.prometheusPort !== undefined
      ? prometheusPlan(spec, names, inputs.prometheusPort, inputs.spus)
      : null;
  return { alerts, job, critical, alertAfter: spec.monitoring.alertAfter, rules, prometheus };
}

function prometheusPlan(spec: ClusterSpec, names: NodeNames, port: number, spus: MonitoringInputs["spus"]): PrometheusPlan {
  const name = `${names.prefix}-prometheus`;
  return {
    name,
    port,
    address: joinHostPort(spec.metrics.publish ? "localhost" : name, port),
    image: spec.monitoring.image,
    args: [
      `--config.file=${PROMETHEUS_PATHS.config}`,
      `--storage.tsdb.path=${PROMETHEUS_PATHS.data}`,
      `--web.listen-address=0.0.0.0:${port}`,
    ],
    scrapeInterval: spec.monitoring.scrapeInterval,
    alertmanagers: [...spec.monitoring.alertmanagers],
    targets: spus.flatMap((spu) => (spu.metricsPort !== undefined ? [{ spu: spu.id, address: joinHostPort(names.spuExporter(spu.id), spu.metricsPort) }] : [])),
  };
}

interface RuleInputs {
  job: string;
  stack: string;
  cluster: string;
  critical: number[];
  spuIds: number[];
  alertAfter: string;
}

/** The three conditions, each an alert per severity class. */
const CONDITIONS = [
  {
    alert: "FluvioSpuDown",
    metric: "fluvio_spu_up",
    summary: "SPU {{ $labels.spu }} of {{ $labels.job }} is down",
    description:
      "The exporter beside SPU {{ $labels.spu }} has not read a valid metrics document from the SPU's socket for AFTER: the SPU process is not running or is stuck. Look at the SPU's container or pod and its logs.",
  },
  {
    alert: "FluvioSpuPortDown",
    metric: "fluvio_spu_port_up",
    summary: "SPU {{ $labels.spu }} {{ $labels.role }} port is not answering",
    description:
      "The {{ $labels.role }} port of SPU {{ $labels.spu }} ({{ $labels.job }}) has refused or timed out TCP connections from its exporter for AFTER. Clients (public) or the SC (private) cannot reach it: is the SPU running, and does it own its planned port? `fluvio-ports check --stack STACK` and `fluvio-ports who <port>` tell who holds it.",
  },
  {
    alert: "FluvioSpuScrapeFailing",
    metric: "up",
    summary: "Prometheus cannot scrape the exporter of SPU {{ $labels.spu }}",
    description:
      "Scrapes of {{ $labels.instance }} ({{ $labels.job }}, SPU {{ $labels.spu }}) have failed for AFTER: the exporter is down or its metrics port is unreachable, so the SPU's other alerts cannot fire either.",
  },
] as const;

/**
 * The alert rules: an SPU down (`fluvio_spu_up == 0`), a port not answering
 * (`fluvio_spu_port_up == 0`), and scrapes failing (`up == 0`), each holding for `alertAfter`.
 * With critical SPUs, each condition is two rules: `spu=~"<critical ids>"` at
 * `severity: critical`, and the rest at `severity: warning`.
 */
export function alertRules(inputs: RuleInputs): RuleGroup[] {
  const critical = inputs.critical.filter((id) => inputs.spuIds.includes(id));
  const others = inputs.spuIds.filter((id) => !critical.includes(id));
  const pattern = critical.join("|");
  const classes: { severity: "critical" | "warning"; matcher: string }[] = [
    ...(critical.length > 0 ? [{ severity: "critical" as const, matcher: `,spu=~"${pattern}"` }] : []),
    ...(others.length > 0 || critical.length === 0 ? [{ severity: "warning" as const, matcher: critical.length > 0 ? `,spu!~"${pattern}"` : "" }] : []),
  ];
  const rules = CONDITIONS.flatMap((condition) =>
    classes.map(
      (kind): AlertRule => ({
        alert: condition.alert,
        expr: `${condition.metric}{job="${inputs.job}"${kind.matcher}} == 0`,
        for: inputs.alertAfter,
        labels: { severity: kind.severity, cluster: inputs.cluster, stack: inputs.stack },
        annotations: {
          summary: condition.summary,
          description: condition.description.replaceAll("AFTER", inputs.alertAfter).replaceAll("STACK", inputs.stack),
        },
      }),
    ),
  );
  return [{ name: `fluvio-spu.${inputs.cluster}`, rules }];
}

/** A Prometheus rule file: `{ groups }`, as `promtool check rules` reads it. */
export function prometheusRulesYaml(monitoring: Pick<MonitoringPlan, "rules">): string {
  return `# Alert rules of a fluvio-spu cluster; generated from its plan (fluvio-ports render). Do not edit.\n${stringify({ groups: monitoring.rules }, { lineWidth: 0 })}`;
}

/** Choices of a Prometheus config that are not the plan's: where it reads the rules, its targets (tests run Prometheus on the host). */
export interface PrometheusConfigOptions {
  rulesFile?: string;
  targets?: ScrapeTarget[];
  scrapeInterval?: string;
  evaluationInterval?: string;
}

/**
 * The Docker Prometheus's config: one job (the plan's `job`) scraping every exporter with its
 * `spu` label, `honor_labels` so the exporter's own `spu` label is kept as is, and the rules file.
 */
export function prometheusConfigYaml(monitoring: MonitoringPlan, options: PrometheusConfigOptions = {}): string {
  const prometheus = monitoring.prometheus;
  const interval = options.scrapeInterval ?? prometheus?.scrapeInterval ?? "15s";
  const targets = options.targets ?? prometheus?.targets ?? [];
  const config = {
    global: { scrape_interval: interval, evaluation_interval: options.evaluationInterval ?? interval },
    rule_files: [options.rulesFile ?? PROMETHEUS_PATHS.rules],
    ...(prometheus && prometheus.alertmanagers.length > 0 ? { alerting: { alertmanagers: [{ static_configs: [{ targets: prometheus.alertmanagers }] }] } } : {}),
    scrape_configs: [
      {
        job_name: monitoring.job,
        honor_labels: true,
        metrics_path: "/metrics",
        static_configs: targets.map((target) => ({ targets: [target.address], labels: { spu: String(target.spu) } })),
      },
    ],
  };
  return `# Prometheus config of a fluvio-spu cluster; generated from its plan (fluvio-ports render). Do not edit.\n${stringify(config, { lineWidth: 0 })}`;
}

/** The label of the Kubernetes Services whose value names the SPU (`spu-<id>`): the ServiceMonitor relabels it into `spu`. */
export const SPU_NODE_LABEL = LABELS.node;
