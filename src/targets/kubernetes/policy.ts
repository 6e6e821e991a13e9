import type { ClusterPlan } from "../../plan/types";
import { clusterPodSelector } from "./labels";
import type { EmptySelector, LabelSelector, NetworkPolicy, StringMap } from "./model";

/** One pod's ports, split by who may reach them. */
export interface PodPorts {
  name: string;
  labels: StringMap;
  podSelector: StringMap;
  /** Reachable from anywhere: public ports (clients, NodePorts) and the metrics port (Prometheus). */
  openPorts: number[];
  /** Reachable only from this cluster's SC and SPU pods. */
  privatePorts: number[];
  /** Reachable from the scrapers `metrics.scrapers` names (Prometheus), or from anywhere. */
  metricsPorts?: number[];
}

/**
 * A NetworkPolicy for one pod: its open ports from anywhere, its private ports only from the
 * SC and SPU pods of this cluster, every other port closed. One policy per pod, so adding or
 * removing an SPU leaves the other pods' policies untouched.
 */
export function privatePortPolicy(plan: ClusterPlan, pod: PodPorts): NetworkPolicy {
  const port = (number: number) => ({ protocol: "TCP" as const, port: number });
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: pod.name, namespace: plan.namespace as string, labels: pod.labels },
    spec: {
      podSelector: { matchLabels: pod.podSelector },
      policyTypes: ["Ingress"],
      ingress: [
        { ports: pod.openPorts.map(port) },
        { from: [{ podSelector: { matchLabels: clusterPodSelector(plan) } }], ports: pod.privatePorts.map(port) },
        ...metricsRules(plan, (pod.metricsPorts ?? []).map(port)),
      ],
    },
  };
}

/** The metrics ports' rule: from the scrapers the plan names (`metrics.scrapers`), or from anywhere. */
function metricsRules(plan: ClusterPlan, ports: { protocol: "TCP"; port: number }[]): NetworkPolicy["spec"]["ingress"] {
  if (ports.length === 0) return [];
  const scrapers = plan.kubernetes?.metricsScrapers ?? "anywhere";
  if (scrapers === "anywhere") return [{ ports }];
  return [{ from: [{ podSelector: selectorOf(scrapers.podLabels), namespaceSelector: selectorOf(scrapers.namespaceLabels) }], ports }];
}

/**
 * A label selector; with no labels it selects everything and is written `{}`, as the API server
 * stores it (an empty `matchLabels` is dropped, and a declared one would differ on every apply).
 */
function selectorOf(labels: Readonly<Record<string, string>>): LabelSelector | EmptySelector {
  return Object.keys(labels).length > 0 ? { matchLabels: { ...labels } } : {};
}
