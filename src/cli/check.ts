/**
 * `fluvio-ports check`: are the stack's planned host ports free — on this host (listeners and
 * containers), among the other stacks that share its host, and in the registry's records?
 * `--no-host` leaves this host out (hosted CI runners); `--annotations github` adds GitHub
 * Actions `::error` lines. What could not be read is said, never passed off as "ok".
 */
import { join, relative } from "node:path";
import { stackConfigDir } from "../config/stack";
import { nextTurn, otherStackOverlaps, type ClusterSource } from "../context";
import { nodeLabel } from "../plan/names";
import type { ClusterPlan } from "../plan/types";
import { checkPorts } from "../preflight";
import { isNoLocalEngine } from "../preflight/docker";
import { describeHolder } from "../preflight/match";
import type { PortCheckReport, PortHolder } from "../preflight/types";
import { expandHost, findRecordOverlaps, type PortRegistry } from "../ports/registry";
import { THIS_MACHINE } from "../ports/machines";
import { thisMachineName, thisMachineNames } from "../preflight/this-machine";
import type { PortRole } from "../ports/range";
import { UsageError } from "./usage-error";
import { EXIT } from "./failure";
import { booleanFlag, stringFlag, type CommandInput } from "./input";
import { planFor, readRegistry, sourceOf } from "./plan";
import { isDataOutput, printData } from "./print";

/** Another stack's node that plans (or recorded) the same port on a shared host. */
export interface StackHolder {
  kind: "stack" | "record";
  stack: string;
  cluster: string;
  /** The node key: `sc`, `spu-5001`. */
  node: string;
  role: PortRole;
  host: string;
}

/** Who holds a wanted port, as data, with the words `check` prints for it. */
export type CheckHolder = (PortHolder | StackHolder) & { description: string };

/** One planned port someone else holds: `check -o json`'s `conflicts[]`. */
export interface CheckConflict {
  port: number;
  /** The node of this stack that wants it: "SPU 5001 public". */
  wantedBy: string;
  holder: CheckHolder;
  fix: string;
  /** The one line `check` prints. */
  message: string;
}

/** A conflict with another stack's node or record: its holder is that node. */
export type StackConflict = CheckConflict & { holder: StackHolder & { description: string } };

/**
 * A source that was not looked at, and why: this host's listener tables, its Docker engine, the
 * host as a whole (`--no-host`, or a stack on another machine), or whether two hosts are one
 * machine (`sameness`: a name and an address, both planning a port).
 */
export interface UncheckedSource {
  source: "proc" | "docker" | "host" | "sameness";
  reason: string;
  /** The planned ports left unchecked (absent for `--no-host`: all of them). */
  ports?: number[];
}

/** What `check -o json` prints. */
export interface CheckResult {
  stack: string;
  cluster: string;
  host: string;
  /** The planned host ports looked at. */
  checked: number[];
  conflicts: CheckConflict[];
  unchecked: UncheckedSource[];
}

/** Runs `check`. */
export async function runCheck(input: CommandInput): Promise<number> {
  const annotations = stringFlag(input, "annotations");
  if (annotations !== undefined && isDataOutput(input)) throw new UsageError("check", `--annotations ${annotations} prints workflow commands among the lines of the table output; drop -o ${input.output}`);
  const noHostFlag = booleanFlag(input, "no-host") || booleanFlag(input, "registry-only");
  const registry = readRegistry(input.root);
  const { plan } = await planFor(input, registry);
  for (const warning of plan.warnings) input.streams.err(`warning: ${warning}\n`);
  // A stack on another machine: this machine's listeners and containers don't apply to it.
  const elsewhere = noHostFlag || isOnThisMachine(registry, plan.host) ? undefined : `stack ${plan.stack} deploys to host ${plan.host}, not this machine (${thisMachineName()}): this machine's listeners and containers don't apply, so they were not checked; run fluvio-ports check --stack ${plan.stack} on ${plan.host}`;
  if (elsewhere) input.streams.err(`note: ${elsewhere}\n`);
  const noHost = noHostFlag || elsewhere !== undefined;
  const asked = noHost ? Promise.resolve(undefined) : checkPorts(plan);
  // The other stacks are planned while the Docker engine answers (its question has gone out).
  await nextTurn();
  const recorded = recordConflicts(plan, registry);
  const seen = new Set(recorded.map((conflict) => `${conflict.port} ${conflict.holder.stack}`));
  const others = stackConflicts(input.root, plan, registry, sourceOf(input));
  const planned = others.conflicts.filter((conflict) => !seen.has(`${conflict.port} ${conflict.holder.stack}`));
  const report = await asked;
  const result = checkResult(plan, report, [...recorded, ...planned]);
  if (elsewhere) result.unchecked = [{ source: "host", reason: elsewhere }];
  result.unchecked.push(...others.unknown);
  if (report && report.sources.docker !== true && isNoLocalEngine(report.sources.docker)) {
    input.streams.err(`note: ${report.sources.docker}: no container publishes a port here, so only listeners were checked\n`);
  }
  const code = exitCodeOf(result);
  if (isDataOutput(input)) printData(input, result);
  else printLines(input, result, annotations === "github" ? join(stackConfigDir(input.root), `Pulumi.${plan.stack}.yaml`) : undefined, noHost, elsewhere !== undefined);
  for (const entry of result.unchecked) {
    if (entry.source === "sameness") input.streams.err(`fluvio-ports check: could not tell: ${entry.reason}\n`);
    else if (entry.source !== "host") input.streams.err(`fluvio-ports check: could not check ${entry.source === "proc" ? "this host's listeners" : "this host's Docker engine"}: ${entry.reason}\n`);
  }
  if (code === EXIT.unchecked) input.streams.err(`fluvio-ports check: no conflicts in what could be checked, but this host was not fully checked (exit 3); fix access above, or run with --no-host to check the registry and the other stacks only\n`);
  return code;
}

/** 1 with conflicts; else 3 when a source of this host could not be read; else 0. `--no-host` is asked for, not a failure. */
export function exitCodeOf(result: Pick<CheckResult, "conflicts" | "unchecked">): number {
  // (`sameness`: two hosts that may be one machine plan one port: not checked, never "ok".)
  if (result.conflicts.length > 0) return EXIT.conflicts;
  if (result.unchecked.some((entry) => entry.source !== "host")) return EXIT.unchecked;
  return EXIT.ok;
}

/** The result of a check: the host's conflicts (from `report`, absent with `--no-host`) and the others'. */
export function checkResult(plan: ClusterPlan, report: PortCheckReport | undefined, others: CheckConflict[]): CheckResult {
  const host: CheckConflict[] = (report?.conflicts ?? []).map((conflict) => ({
    port: conflict.port,
    wantedBy: conflict.wantedBy,
    holder: { ...conflict.holder, description: describeHolder(conflict.holder) },
    fix: conflict.fix,
    message: conflict.message,
  }));
  return {
    stack: plan.stack,
    cluster: plan.cluster,
    host: plan.host,
    checked: report?.checked ?? [...plan.hostPorts],
    conflicts: [...host, ...others].sort((a, b) => a.port - b.port),
    unchecked: report ? uncheckedOf(report) : [{ source: "host", reason: "--no-host: this host's listeners and containers were not asked" }],
  };
}

/**
 * The planned ports preflight could not look at, by source: what neither the listener tables nor
 * a bind probe could see (`proc`), and what the Docker engine was not asked about (`docker`).
 * No engine at all is not one: then no container publishes a port.
 */
export function uncheckedOf(report: PortCheckReport): UncheckedSource[] {
  if (report.unchecked === undefined) return uncheckedSources(report);
  const noEngine = report.sources.docker !== true && isNoLocalEngine(report.sources.docker);
  return report.unchecked
    .filter((entry) => !(entry.what === "docker" && noEngine))
    .map((entry) => ({ source: entry.what === "docker" ? "docker" : "proc", reason: entry.reason, ports: [...entry.ports] }));
}

/** For a report that says only which sources answered (no fallback looked): every source that did not. */
function uncheckedSources(report: PortCheckReport): UncheckedSource[] {
  const unchecked: UncheckedSource[] = [];
  if (!report.sources.proc) unchecked.push({ source: "proc", reason: "the TCP listener tables (/proc/net/tcp, /proc/net/tcp6) could not be read" });
  if (report.sources.docker !== true && !isNoLocalEngine(report.sources.docker)) unchecked.push({ source: "docker", reason: report.sources.docker });
  return unchecked;
}

function printLines(input: CommandInput, result: CheckResult, annotateFile: string | undefined, noHost: boolean, elsewhere = false): void {
  const file = annotateFile === undefined ? undefined : relative(process.cwd(), annotateFile) || annotateFile;
  for (const conflict of result.conflicts) {
    input.streams.out(`${conflict.message}\n`);
    if (file !== undefined) input.streams.out(`${githubAnnotation("error", { title: `fluvio-ports check: port ${conflict.port} (stack ${result.stack})`, file }, conflict.message)}\n`);
  }
  if (file !== undefined) {
    for (const entry of result.unchecked) {
      if (entry.source !== "host") input.streams.out(`${githubAnnotation("warning", { title: `fluvio-ports check: not checked (stack ${result.stack})` }, entry.reason)}\n`);
    }
  }
  if (result.conflicts.length > 0 || result.unchecked.some((entry) => entry.source !== "host")) return;
  input.streams.out(
    noHost
      ? `ok: all ${result.checked.length} planned host ports of stack ${result.stack} are clear of the registry and the other stacks (${elsewhere ? `host ${result.host} is another machine: its listeners were not checked here` : "this host was not checked: --no-host"})\n`
      : `ok: all ${result.checked.length} planned host ports of stack ${result.stack} are free on this host\n`,
  );
}

/**
 * A GitHub Actions workflow command (`::error file=...,title=...::message`), escaped as the
 * runner reads it: `%`, CR and LF in the message; also `:` and `,` in property values.
 */
export function githubAnnotation(level: "error" | "warning" | "notice", properties: Readonly<Record<string, string>>, message: string): string {
  const data = (value: string): string => value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const property = (value: string): string => data(value).replace(/:/g, "%3A").replace(/,/g, "%2C");
  const props = Object.entries(properties).map(([key, value]) => `${key}=${property(value)}`);
  return `::${level}${props.length > 0 ? ` ${props.join(",")}` : ""}::${data(message)}`;
}

/** Ports this stack's record shares with another record on a shared host: the registry contradicts itself. */
function recordConflicts(plan: ClusterPlan, registry: PortRegistry): StackConflict[] {
  const mine = (side: { stack: string; cluster: string }): boolean => side.stack === plan.stack && side.cluster === plan.cluster;
  return findRecordOverlaps(registry).flatMap((overlap) => {
    const [ours, theirs] = mine(overlap.first) ? [overlap.first, overlap.second] : mine(overlap.second) ? [overlap.second, overlap.first] : [undefined, undefined];
    if (!ours || !theirs || mine(theirs)) return [];
    const host = registry.records.find((record) => record.stack === theirs.stack && record.cluster === theirs.cluster)?.host ?? plan.host;
    const holder: StackConflict["holder"] = { kind: "record", ...theirs, host, description: `the record of stack ${theirs.stack} (cluster ${theirs.cluster}): ${nodeLabel(theirs.node)} ${theirs.role} on host ${host}` };
    const wantedBy = `${nodeLabel(ours.node)} ${ours.role}`;
    const fix = `the registry gives the port to both stacks on a shared host: delete one of the two nodes' records from stacks/ports.registry.yaml and record that stack again`;
    return [{ port: overlap.port, wantedBy, holder, fix, message: `Port ${overlap.port} is recorded for stack ${theirs.stack} too (${nodeLabel(theirs.node)} ${theirs.role}) on host ${host}: wanted by ${wantedBy} of stack ${plan.stack}; ${fix}` }];
  });
}

/** Host ports this stack plans that another stack on the same host plans (or recorded) too; and those it cannot tell (a name and an address). */
function stackConflicts(root: string, plan: ClusterPlan, registry: PortRegistry, source: ClusterSource): { conflicts: StackConflict[]; unknown: UncheckedSource[] } {
  const { overlaps, unknown } = otherStackOverlaps(root, plan, registry, source);
  const conflicts = overlaps.map(({ port, wantedBy: clash, other }): StackConflict => {
    const wantedBy = `${nodeLabel(clash.node)} ${clash.role}`;
    const fix = `record one stack (fluvio-ports plan --stack ${other.stack} --record) so the other plans around it, or give the stacks separate ranges`;
    return {
      port,
      wantedBy,
      holder: { kind: "stack", ...other, description: `stack ${other.stack} (${nodeLabel(other.node)} ${other.role}) on host ${other.host}` },
      fix,
      message: `Port ${port} is planned by stack ${other.stack} too (${nodeLabel(other.node)} ${other.role}) on host ${other.host}: wanted by ${wantedBy} of stack ${plan.stack}; ${fix}`,
    };
  });
  return {
    conflicts,
    unknown: unknown.map(({ stack, host, ports }) => ({
      source: "sameness",
      ports,
      reason: `stack ${stack} plans port${ports.length === 1 ? "" : "s"} ${ports.join(", ")} too, on host ${host}; whether ${host} and ${plan.host} are one machine cannot be told from their names: if they are, name them alike (or list both in one host group of stacks/ports.registry.yaml) and check again`,
    })),
  };
}

/** Whether a stack's host (or host group) includes the machine this runs on. */
function isOnThisMachine(registry: PortRegistry, host: string): boolean {
  return host.trim() === "*" || expandHost(registry, host, thisMachineNames()).has(THIS_MACHINE);
}
