import type { ConfigIssue } from "../errors";
import type { ClusterSpec } from "../config/schema";

/** The names every target gives the cluster's nodes; derived once so targets cannot disagree. */
export interface NodeNames {
  /** `<cluster>-<stack>`. */
  prefix: string;
  /** SC container / public Service name. */
  sc: string;
  /** SC in-cluster Service (Kubernetes): the private port. */
  scInternal: string;
  /** SPU container / public Service name. */
  spu(id: number): string;
  /** SPU in-cluster Service (Kubernetes): private and metrics ports. */
  spuInternal(id: number): string;
  /** The metrics exporter container beside an SPU (Docker), reachable by this alias on the cluster network. */
  spuExporter(id: number): string;
  /** Names that cannot be used, with the reason (Kubernetes only; Docker names are normalised). */
  issues: ConfigIssue[];
}

/** Kubernetes label values: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The stack and project names land in every object's labels (`fluvio-spu.stack`, `app.kubernetes.io/part-of`). */
function labelValueIssues(values: { stack: string; project: string }): ConfigIssue[] {
  return (Object.entries(values) as ["stack" | "project", string][])
    .filter(([, value]) => !LABEL_VALUE.test(value) || value.length > DNS_LABEL_MAX)
    .map(([what, value]) => ({
      path: what === "stack" ? "stack" : "project",
      message: `'${value}' is not a valid Kubernetes label value (at most ${DNS_LABEL_MAX} letters, digits, '-', '_' or '.', starting and ending with a letter or digit), and the ${what} name labels every object: rename the ${what}`,
    }));
}

/** Kubernetes Service names are DNS-1035 labels. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_LABEL_MAX = 63;
/** An SPU's StatefulSet is named like its public Service; its pods' `controller-revision-hash` label adds 11 characters. */
export const STATEFUL_SET_NAME_MAX = DNS_LABEL_MAX - 11;

/**
 * Names of the SC and SPUs. Docker names are the stack name lower-cased with `_` and `.`
 * turned into `-` (stack `PR_42.a` → `fluvio-pr-42-a-spu-5001`); Kubernetes names must already
 * be valid DNS-1035 labels, since a renamed Service would break every endpoint pointing at it.
 */
export function nodeNames(spec: Pick<ClusterSpec, "name" | "target" | "spus">, stack: string, project: string): NodeNames {
  const onKubernetes = spec.target === "kubernetes";
  const prefix = onKubernetes ? `${spec.name}-${stack}` : `${spec.name}-${stack.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
  const names: NodeNames = {
    prefix,
    sc: `${prefix}-sc`,
    scInternal: `${prefix}-sc-internal`,
    spu: (id) => `${prefix}-spu-${id}`,
    spuInternal: (id) => `${prefix}-spu-${id}-internal`,
    spuExporter: (id) => `${prefix}-spu-${id}-exporter`,
    issues: [],
  };
  if (!onKubernetes) return names;
  names.issues.push(...labelValueIssues({ stack, project }));
  const highestId = spec.spus.reduce((max, spu) => Math.max(max, spu.id), 0);
  const longest = names.spuInternal(highestId);
  if (!DNS_1035_LABEL.test(prefix)) {
    names.issues.push({
      path: "name",
      message: `'${prefix}' (cluster name '${spec.name}' joined with stack name '${stack}') is not a valid Kubernetes name: Service names are DNS-1035 labels (lowercase letters, digits and '-', starting with a letter); rename the stack or set name`,
    });
  } else if (longest.length > DNS_LABEL_MAX) {
    names.issues.push({
      path: "name",
      message: `'${longest}' (cluster '${spec.name}', stack '${stack}', SPU ${highestId}) is ${longest.length} characters; Kubernetes Service names end at ${DNS_LABEL_MAX}: shorten the cluster name (name) or the stack name by ${longest.length - DNS_LABEL_MAX}`,
    });
  } else if (names.spu(highestId).length > STATEFUL_SET_NAME_MAX) {
    const workload = names.spu(highestId);
    names.issues.push({
      path: "name",
      message: `'${workload}' (cluster '${spec.name}', stack '${stack}', SPU ${highestId}) is ${workload.length} characters; it names the SPU's StatefulSet, whose pods carry the label controller-revision-hash: '<name>-<10-character hash>' (label values end at ${DNS_LABEL_MAX}), so it must end at ${STATEFUL_SET_NAME_MAX}: shorten the cluster name (name) or the stack name by ${workload.length - STATEFUL_SET_NAME_MAX}`,
    });
  }
  return names;
}

/** The registry key of an SPU (`spu-5001`), as records, port rows and labels name it. */
export function spuKey(id: number): string {
  return `spu-${id}`;
}

/** The registry key of the Docker Prometheus (`plan.ports` owner). */
export const PROMETHEUS_OWNER = "prometheus";

/** A node's key (`sc`, `spu-5001`, `prometheus`) as messages name it: `SC`, `SPU 5001`, `Prometheus`. */
export function nodeLabel(owner: string): string {
  if (owner === "sc") return "SC";
  if (owner === PROMETHEUS_OWNER) return "Prometheus";
  const id = /^spu-(\d+)$/.exec(owner)?.[1];
  return id === undefined ? owner : `SPU ${id}`;
}
