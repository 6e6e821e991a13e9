/**
 * `fluvio-ports plan` as a table: `-o wide` shows every column in full; the default table fits
 * `TABLE_WIDTH` columns. Pure: a plan in, text out.
 */
import type { ClusterPlan, SpuPlan } from "../plan/types";

/** The width the default table fits in. */
export const TABLE_WIDTH = 120;

const STATUS = "planned";
const TYPE = "custom";

/**
 * The plan as `fluvio cluster spu list` prints SPUs, with the LOCAL and METRICS columns, every
 * endpoint in full (`-o wide`). With NodePorts (Kubernetes), PUBLIC is the NodePort endpoint
 * clients use, so SERVICEPORT (the planned public port: Service port = containerPort) and
 * NODEPORT follow.
 */
export function formatPlanTable(plan: ClusterPlan): string {
  const withNodePorts = hasNodePorts(plan);
  const header = ["ID", "NAME", "STATUS", "TYPE", "RACK", "PUBLIC", "PRIVATE", "LOCAL", "METRICS", ...(withNodePorts ? ["SERVICEPORT", "NODEPORT"] : [])];
  const rows = plan.spus.map((spu) => [
    String(spu.id),
    spu.name,
    STATUS,
    TYPE,
    spu.rack ?? "-",
    spu.public,
    spu.private,
    spu.local ?? "-",
    spu.metrics ?? "-",
    ...(withNodePorts ? [String(spu.ports.public), String(spu.ports.nodePort ?? "-")] : []),
  ]);
  return `${[titleLine(plan), scLine(plan, false), ...prometheusLine(plan), "", ...alignColumns([header, ...rows])].join("\n")}\n`;
}

/**
 * The default table, within `TABLE_WIDTH` columns. Endpoints on names only the cluster resolves
 * (the Docker network's aliases, Kubernetes' in-cluster Services) show their port alone, and a
 * legend names the hosts; if the table is still too wide, STATUS and TYPE go (every planned SPU
 * is `planned` and `custom`). `-o wide` shows everything.
 */
export function formatCompactPlanTable(plan: ClusterPlan): string {
  const withNodePorts = hasNodePorts(plan);
  const columns: { head: string; cell: (spu: SpuPlan) => string; droppable?: true }[] = [
    { head: "ID", cell: (spu) => String(spu.id) },
    { head: "NAME", cell: (spu) => spu.name },
    { head: "STATUS", cell: () => STATUS, droppable: true },
    { head: "TYPE", cell: () => TYPE, droppable: true },
    { head: "RACK", cell: (spu) => spu.rack ?? "-" },
    { head: "PUBLIC", cell: (spu) => spu.public },
    { head: "PRIVATE", cell: (spu) => shortEndpoint(plan, spu.private) },
    { head: "LOCAL", cell: (spu) => spu.local ?? "-" },
    { head: "METRICS", cell: (spu) => (spu.metrics === null ? "-" : shortEndpoint(plan, spu.metrics)) },
    ...(withNodePorts
      ? [
          { head: "SERVICEPORT", cell: (spu: SpuPlan) => String(spu.ports.public) },
          { head: "NODEPORT", cell: (spu: SpuPlan) => String(spu.ports.nodePort ?? "-") },
        ]
      : []),
  ];
  const table = (kept: typeof columns): string[] => alignColumns([kept.map((column) => column.head), ...plan.spus.map((spu) => kept.map((column) => column.cell(spu)))]);
  let lines = table(columns);
  if (Math.max(...lines.map((line) => line.length)) > TABLE_WIDTH) lines = table(columns.filter((column) => !column.droppable));
  return `${[titleLine(plan), scLine(plan, true), ...prometheusLine(plan), ...legend(plan), "", ...lines].join("\n")}\n`;
}

function hasNodePorts(plan: ClusterPlan): boolean {
  return plan.spus.some((spu) => spu.ports.nodePort !== undefined);
}

function titleLine(plan: ClusterPlan): string {
  return `stack ${plan.stack} · cluster ${plan.cluster} · target ${plan.target}${plan.namespace ? ` (namespace ${plan.namespace}, ${plan.serviceType})` : ""} · host ${plan.host} · strategy ${plan.strategy}`;
}

function scLine(plan: ClusterPlan, short: boolean): string {
  const sc = plan.sc;
  const privateEndpoint = short && isInternalHost(plan, sc.endpoints.private.host) ? String(sc.endpoints.private.port) : sc.private;
  return `SC  public ${sc.public}  private ${privateEndpoint}${sc.local ? `  local ${sc.local}` : ""}${sc.ports.nodePort !== undefined ? `  nodePort ${sc.ports.nodePort}` : ""}`;
}

/** The Docker Prometheus, when the plan runs one: where it answers, how many alert rules, which SPUs page as critical. */
function prometheusLine(plan: ClusterPlan): string[] {
  const prometheus = plan.monitoring.prometheus;
  if (!prometheus) return [];
  const rules = plan.monitoring.rules.reduce((sum, group) => sum + group.rules.length, 0);
  return [`Prometheus  ${prometheus.address}  (alert rules: ${rules}, critical SPUs: ${plan.monitoring.critical.join(", ") || "none"})`];
}

/** Hosts a client outside the cluster uses: the public and local endpoints' hosts. Every other host is the cluster's own. */
function outsideHosts(plan: ClusterPlan): Set<string> {
  const hosts = new Set<string>([plan.sc.endpoints.public.host]);
  for (const spu of plan.spus) {
    hosts.add(spu.endpoints.public.host);
    if (spu.endpoints.local) hosts.add(spu.endpoints.local.host);
  }
  return hosts;
}

function isInternalHost(plan: ClusterPlan, host: string): boolean {
  return !outsideHosts(plan).has(host);
}

/** `host:port` → `port` when the host is one only the cluster resolves. */
function shortEndpoint(plan: ClusterPlan, endpoint: string): string {
  const at = endpoint.lastIndexOf(":");
  const host = endpoint.slice(0, at);
  return at > 0 && isInternalHost(plan, host) ? endpoint.slice(at + 1) : endpoint;
}

/** Where the ports shown alone live: which columns, the SC's host and the SPUs' host pattern (`<id>` for the id). */
function legend(plan: ClusterPlan): string[] {
  const internal = (endpoint: string | null): string | undefined => {
    if (endpoint === null) return undefined;
    const host = endpoint.slice(0, endpoint.lastIndexOf(":"));
    return isInternalHost(plan, host) ? host : undefined;
  };
  const pattern = (host: string, id: number): string => {
    const at = host.lastIndexOf(String(id));
    return at < 0 ? host : `${host.slice(0, at)}<id>${host.slice(at + String(id).length)}`;
  };
  const scHost = internal(plan.sc.private);
  const privateHosts = plan.spus.flatMap((spu) => (internal(spu.private) ? [pattern(internal(spu.private) as string, spu.id)] : []));
  const metricsHosts = plan.spus.flatMap((spu) => (internal(spu.metrics) ? [pattern(internal(spu.metrics) as string, spu.id)] : []));
  const spuHosts = [...new Set([...privateHosts, ...metricsHosts])];
  if (scHost === undefined && spuHosts.length === 0) return [];
  const columns = [scHost !== undefined || privateHosts.length > 0 ? "PRIVATE" : undefined, metricsHosts.length > 0 ? "METRICS" : undefined].filter(Boolean).join(" and ");
  const where = plan.target === "kubernetes" ? `a Service in namespace ${plan.namespace}` : `an alias on the Docker network ${plan.docker?.network.name ?? plan.namePrefix}`;
  return [
    `${columns} show${columns.includes(" and ") ? "" : "s"} the port; the host is ${where} (-o wide shows both):`,
    `  ${[scHost ? `SC ${scHost}` : undefined, spuHosts.length > 0 ? `SPU ${spuHosts.join(", ")}` : undefined].filter(Boolean).join(" · ")}`,
  ];
}

/** Columns padded to the widest cell plus two spaces; the last column is not padded. */
export function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd((widths[column] ?? 0) + 2))).join("").trimEnd());
}
