import { loadClusterSpec, loadRegistry, readEphemeralRange } from "./config/stack";
import type { ClusterSpec } from "./config/schema";
import { planCluster } from "./plan/plan";
import type { ClusterPlan } from "./plan/types";
import type { PortRegistry } from "./ports/registry";
import { askHostFacts } from "./preflight/host-facts";
import type { HostFactsAnswer } from "./plan/host-access";

/** The engine's answer, asked once per process (`check` plans every stack of the project). */
let engineAnswer: HostFactsAnswer | undefined;

/**
 * Plans a stack from the files on disk, the way every `fluvio-ports` command does: the stack
 * file, the project's port registry, this host's ephemeral port range for the warnings and, for
 * the Docker target, what the local container engine is (`plan.hostAccess`).
 */
export function planStackFiles(root: string, stack: string, registry: PortRegistry = loadRegistry(root)): { spec: ClusterSpec; plan: ClusterPlan } {
  const spec = loadClusterSpec(root, stack);
  const ephemeralRange = readEphemeralRange();
  const hostFacts = spec.target === "docker" ? { hostFacts: (engineAnswer ??= askHostFacts()) } : {};
  return { spec, plan: planCluster(spec, { stack, registry, ...(ephemeralRange ? { ephemeralRange } : {}), ...hostFacts }) };
}
