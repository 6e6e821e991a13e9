import type { PortRegistry, StackRecord } from "./registry";

/** What `fluvio-ports registry prune` would do: the registry without the stale records, and those records. */
export interface PruneResult {
  registry: PortRegistry;
  removed: StackRecord[];
}

/**
 * Pure: drops the records of stacks that no longer exist (no `Pulumi.<stack>.yaml` among
 * `stacks`), so their ports are free for others again. Claims and host groups are untouched:
 * they name other software, which no stack file vouches for.
 */
export function pruneRecords(registry: PortRegistry, stacks: readonly string[]): PruneResult {
  const living = new Set(stacks);
  const removed = registry.records.filter((record) => !living.has(record.stack));
  return { registry: { ...registry, records: registry.records.filter((record) => living.has(record.stack)) }, removed };
}
