import type { StackRecord } from "../ports/registry";
import type { ClusterPlan } from "./types";

/**
 * A plan's ports as a port-registry record: what `fluvio-ports plan --record` writes, and
 * what a program passes (through `withRecord`) to keep a second cluster off a first one's ports.
 */
export function recordOf(plan: ClusterPlan): StackRecord {
  const nodes: StackRecord["nodes"] = {};
  for (const row of plan.ports) nodes[row.owner] = { ...nodes[row.owner], [row.role]: row.port };
  return { stack: plan.stack, cluster: plan.cluster, host: plan.host, nodes };
}
