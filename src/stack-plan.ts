import { listStacks, loadClusterSpec, loadRegistry, readEphemeralRange } from "./config/stack";
import type { ClusterSpec } from "./config/schema";
import { nodeLabel, planCluster, type PlanContext } from "./plan/plan";
import type { ClusterPlan } from "./plan/types";
import { findRecord, hostsShareMachine, type PortRegistry } from "./ports/registry";
import { askHostFacts } from "./preflight/host-facts";
import { occupiedPorts } from "./preflight/occupied";
import type { HostFactsAnswer } from "./plan/host-access";

/** The engine's answer, asked once per process (`check` plans every stack of the project). */
let engineAnswer: HostFactsAnswer | undefined;

function contextFor(spec: ClusterSpec, stack: string, registry: PortRegistry): PlanContext {
  const ephemeralRange = readEphemeralRange();
  const hostFacts = spec.target === "docker" ? { hostFacts: (engineAnswer ??= askHostFacts()) } : {};
  return { stack, registry, ...(ephemeralRange ? { ephemeralRange } : {}), ...hostFacts };
}

/**
 * Plans a stack from the files on disk, the way every `fluvio-ports` command does: the stack
 * file, the project's port registry, this host's ephemeral port range for the warnings and, for
 * the Docker target, what the local container engine is (`plan.hostAccess`).
 */
export function planStackFiles(root: string, stack: string, registry: PortRegistry = loadRegistry(root)): { spec: ClusterSpec; plan: ClusterPlan } {
  const spec = loadClusterSpec(root, stack);
  return { spec, plan: planCluster(spec, contextFor(spec, stack, registry)) };
}

/**
 * `planStackFiles`, and for `strategy: isolated` the host's view too: the ports live on this
 * host and those the project's other stacks plan on the same machine (`PlanContext.occupied`),
 * minus this stack's own. `notes` say which source could not be read.
 */
export async function planStack(root: string, stack: string, registry: PortRegistry = loadRegistry(root)): Promise<{ spec: ClusterSpec; plan: ClusterPlan; notes: string[] }> {
  const base = planStackFiles(root, stack, registry);
  if (base.spec.strategy !== "isolated") return { ...base, notes: [] };
  const otherStacks = listStacks(root)
    .filter((other) => other !== stack)
    .flatMap((other) => {
      try {
        const { plan } = planStackFiles(root, other, registry);
        if (!hostsShareMachine(registry, plan.host, base.plan.host)) return [];
        return plan.ports.map((row) => ({ port: row.port, holder: `stack ${other} (${nodeLabel(row.owner)} ${row.role})` }));
      } catch {
        return []; // its own commands report its config errors
      }
    });
  const record = findRecord(registry, stack, base.spec.name);
  const ownPorts = new Set(Object.values(record?.nodes ?? {}).flatMap((ports) => Object.values(ports) as number[]));
  const { occupied, notes } = await occupiedPorts({ namePrefix: base.plan.namePrefix, ownPorts, otherStacks });
  return { spec: base.spec, plan: planCluster(base.spec, { ...contextFor(base.spec, stack, registry), occupied }), notes };
}
