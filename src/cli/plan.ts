/** `fluvio-ports plan`: print the plan, record it, check the record, diff it, draw it. */
import { relative } from "node:path";
import { loadRegistry, registryPath } from "../config/stack";
import { planStack, type ClusterSource, type StackPlan } from "../context";
import { recordOf } from "../plan/record";
import type { ClusterPlan } from "../plan/types";
import { findRecord, type PortRegistry } from "../ports/registry";
import { recordInRegistryAsync } from "../config/registry-file";
import { lockTimeoutFromEnv } from "../config/files";
import { UsageError } from "./usage-error";
import { diffPorts, formatDiff, readDeployedPorts, againstText, type DiffBaselines } from "./diff";
import { EXIT, withFile } from "./failure";
import { booleanFlag, stackOf, stringFlag, type CommandInput } from "./input";
import { planMermaid } from "./mermaid";
import { formatCompactPlanTable, formatPlanTable } from "./plan-table";
import { printData } from "./print";

/** Which cluster of the project the flags describe (`--name`, `--key`). */
export function sourceOf(input: CommandInput): ClusterSource {
  const name = stringFlag(input, "name");
  const configKey = stringFlag(input, "key");
  return { ...(name !== undefined ? { name } : {}), ...(configKey !== undefined ? { configKey } : {}) };
}

/**
 * Plans the stack the flags name (with this host's view for `strategy: isolated`), printing on
 * stderr what the CLI must say about how it read it.
 */
export async function planFor(input: CommandInput, registry: PortRegistry): Promise<StackPlan> {
  const planned = await planStack(input.root, stackOf(input), registry, sourceOf(input));
  for (const note of planned.notes) input.streams.err(`${note}\n`);
  return planned;
}

/** The registry, read with file-system errors said in one line. */
export function readRegistry(root: string): PortRegistry {
  return withFile(registryPath(root), "cannot read the port registry", () => loadRegistry(root));
}

/** Runs `plan`. */
export async function runPlan(input: CommandInput): Promise<number> {
  const record = booleanFlag(input, "record");
  const check = booleanFlag(input, "check");
  const diff = booleanFlag(input, "diff");
  if (check && !record) throw new UsageError("plan", "--check goes with --record: fluvio-ports plan --stack <s> --record --check");
  if (diff && record) throw new UsageError("plan", "--diff shows and --record writes: run plan --diff first, then plan --record (or --record --check to test the record)");
  if ((diff || check) && input.output === "mermaid") throw new UsageError("plan", `-o mermaid draws the plan; with ${diff ? "--diff" : "--record --check"} use table, wide, json or yaml`);
  if (record && !check) {
    const plan = await writeRecord(input);
    for (const warning of plan.warnings) input.streams.err(`warning: ${warning}\n`);
    printPlan(input, plan);
    return EXIT.ok;
  }
  const registry = readRegistry(input.root);
  const { plan } = await planFor(input, registry);
  for (const warning of plan.warnings) input.streams.err(`warning: ${warning}\n`);
  if (check) return checkRecord(input, plan, registry);
  if (diff) return showDiff(input, plan, registry);
  printPlan(input, plan);
  return EXIT.ok;
}

function printPlan(input: CommandInput, plan: ClusterPlan): void {
  switch (input.output) {
    case "json":
    case "yaml":
      printData(input, plan);
      return;
    case "mermaid":
      input.streams.out(planMermaid(plan));
      return;
    case "wide":
      input.streams.out(formatPlanTable(plan));
      return;
    case "table":
      input.streams.out(formatCompactPlanTable(plan));
      return;
  }
}

/**
 * `--record`: under the registry's lock, plans against the registry as it is now (a record
 * another process just wrote is planned around) and splices the stack's record into the file,
 * comments and other entries untouched, replacing it atomically (`recordInRegistryAsync`).
 */
async function writeRecord(input: CommandInput): Promise<ClusterPlan> {
  const path = registryPath(input.root);
  const { changed, result: plan } = await recordInRegistryAsync(path, async (registry) => {
    const { plan: planned } = await planFor(input, registry);
    return { record: recordOf(planned), result: planned };
  }, { timeoutMs: lockTimeoutFromEnv() });
  input.streams.err(`recorded ${plan.ports.length} ports of stack ${plan.stack} (cluster ${plan.cluster}) in ${path}: ${changed ? "review and commit it" : "it was up to date"}\n`);
  return plan;
}

/**
 * `--record --check`: the registry is up to date when the stack's record holds exactly the
 * plan's ports on the plan's host. Formatting and comments of the file do not count: only
 * what `--record` would change in the stack's record.
 */
function checkRecord(input: CommandInput, plan: ClusterPlan, registry: PortRegistry): number {
  const path = registryPath(input.root);
  const shown = relative(process.cwd(), path) || path;
  const record = findRecord(registry, plan.stack, plan.cluster) ?? null;
  const baselines: DiffBaselines = { record, deployed: { reason: "not asked (--record --check compares with the record only)" } };
  const rows = diffPorts(plan, baselines);
  const changes = rows.filter((row) => row.change !== "same");
  const hostMoves = record !== null && record.host !== plan.host;
  const upToDate = record !== null && changes.length === 0 && !hostMoves;
  const fix = `run fluvio-ports plan --stack ${plan.stack} --record and commit ${shown}`;
  if (input.output === "json" || input.output === "yaml") {
    printData(input, { stack: plan.stack, cluster: plan.cluster, registry: path, upToDate, recorded: record !== null, host: { recorded: record?.host ?? null, planned: plan.host }, changes });
  } else if (upToDate) {
    input.streams.out(`up to date: the record of stack ${plan.stack} (cluster ${plan.cluster}) in ${shown} matches its plan\n`);
  } else {
    if (hostMoves) input.streams.out(`host: recorded ${record?.host}, planned ${plan.host}\n`);
    if (changes.length > 0 || input.output === "wide") input.streams.out(formatDiff(input.output === "wide" ? rows : changes, baselines, true));
  }
  if (upToDate) return EXIT.ok;
  const why = record === null ? "has no record of" : `is out of date for`;
  input.streams.err(`${shown} ${why} stack ${plan.stack} (cluster ${plan.cluster})${changes.length > 0 && record !== null ? `: ${changes.length} port${changes.length === 1 ? "" : "s"} would change` : ""}; ${fix}\n`);
  return EXIT.conflicts;
}

/** `--diff`: against the record, and the deployed outputs when `pulumi` can read them. Exit 0: it informs. */
function showDiff(input: CommandInput, plan: ClusterPlan, registry: PortRegistry): number {
  const record = findRecord(registry, plan.stack, plan.cluster) ?? null;
  const deployed = readDeployedPorts(input.root, plan.stack);
  if (!Array.isArray(deployed)) input.streams.err(`note: ${deployed.reason}; diffing against the registry's record only\n`);
  if (record === null) input.streams.err(`note: stack ${plan.stack} (cluster ${plan.cluster}) has no record in ${registryPath(input.root)}${Array.isArray(deployed) ? "" : ": every port is new"}\n`);
  const baselines: DiffBaselines = { record, deployed };
  const rows = diffPorts(plan, baselines);
  if (input.output === "json" || input.output === "yaml") {
    printData(input, {
      stack: plan.stack,
      cluster: plan.cluster,
      against: { record: record !== null, deployed: Array.isArray(deployed) ? true : deployed.reason },
      changed: rows.filter((row) => row.change !== "same").length,
      rows,
    });
    return EXIT.ok;
  }
  input.streams.err(`stack ${plan.stack} (cluster ${plan.cluster}) against ${againstText(baselines)}\n`);
  input.streams.out(formatDiff(rows, baselines, input.output === "wide"));
  return EXIT.ok;
}
