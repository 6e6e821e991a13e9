import { loadClusterSpec, loadRegistry, readEphemeralRange } from "./config/stack";
import type { ClusterSpec } from "./config/schema";
import { planCluster } from "./plan/plan";
import type { ClusterPlan } from "./plan/types";
import type { PortRegistry } from "./ports/registry";

/**
 * Plans a stack from the files on disk, the way every `fluvio-ports` command does: the stack
 * file, the project's port registry, and this host's ephemeral port range for the warnings.
 */
export function planStackFiles(root: string, stack: string, registry: PortRegistry = loadRegistry(root)): { spec: ClusterSpec; plan: ClusterPlan } {
  const spec = loadClusterSpec(root, stack);
  const ephemeralRange = readEphemeralRange();
  return { spec, plan: planCluster(spec, { stack, registry, ...(ephemeralRange ? { ephemeralRange } : {}) }) };
}
