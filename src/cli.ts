import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { stringify as stringifyYaml } from "yaml";
import { ConfigError, isConfigError, isHostError } from "./errors";
import { listStacks, loadRegistry, registryPath } from "./config/stack";
import { nodeLabel } from "./plan/names";
import { recordOf } from "./plan/record";
import type { ClusterPlan } from "./plan/types";
import { checkPorts, formatConflicts } from "./preflight";
import { hostsShareMachine, type PortRegistry } from "./ports/registry";
import { recordInRegistryAsync, removeFromRegistry } from "./config/registry-file";
import { pruneRecords } from "./ports/prune";
import { diagnose, formatFindings } from "./doctor/diagnose";
import { observeDocker } from "./doctor/observe";
import { renderStack } from "./render/stack";
import { planStack, planStackFiles, type ClusterSource, type StackPlan } from "./context";

const USAGE = `fluvio-ports: plan and check the ports of a Fluvio cluster per Pulumi stack

Usage:
  fluvio-ports plan  --stack <s> [--format table|json|yaml] [--record]
  fluvio-ports check --stack <s>
  fluvio-ports render --stack <s> --out <dir> [--force]
  fluvio-ports registry prune [--apply]
  fluvio-ports doctor --stack <s>

Options:
  --stack <s>     the stack whose stacks/Pulumi.<s>.yaml to read
  --format <f>    table (default), json (the ClusterPlan object) or yaml
  --record        write the stack's assignments into stacks/ports.registry.yaml (review it in git)
  --out <dir>     render: where to write docker-compose.yaml or kubernetes.yaml, and plan.json
  --force         render: replace files in --out that fluvio-ports did not write (and symbolic links)
  --apply         registry prune: write the registry without the records of stacks that have no stack file
                  (without it, prune only lists them: a dry run)
  --root <dir>    the project root (default: the nearest folder above the current one with Pulumi.yaml)
  --name <n>      the cluster's name as a program declares it (new SpuCluster("<n>", ...)); default fluvio
  --key <k>       the config key the program reads the cluster from (default fluvio-spu:cluster)

Exit codes: 0 ok, 1 conflicts found (check) or problems found (doctor), 2 bad config or usage,
3 could not look (doctor: the engine did not answer, or a Kubernetes stack).
`;

/** What the CLI prints to; tests pass their own. */
export interface CliStreams {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processStreams: CliStreams = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

interface CliOptions {
  command: string;
  apply?: boolean;
  stack?: string;
  format: "table" | "json" | "yaml";
  record: boolean;
  root?: string;
  out?: string;
  force?: boolean;
  name?: string;
  key?: string;
}

/** Runs `fluvio-ports` with the given arguments; resolves to the exit code. */
export async function main(argv: string[], streams: CliStreams = processStreams): Promise<number> {
  try {
    const options = parseArguments(argv);
    if (options.command === "help") {
      streams.out(USAGE);
      return 0;
    }
    const root = options.root ? resolve(options.root) : findProjectRoot(process.cwd());
    if (options.command === "plan") return await runPlan(root, options, streams);
    if (options.command === "render") return runRender(root, options, streams);
    if (options.command === "registry") return runPrune(root, options, streams);
    if (options.command === "doctor") return await runDoctor(root, options, streams);
    return await runCheck(root, options, streams);
  } catch (error) {
    if (isConfigError(error) || (isHostError(error) && error.kind === "file")) {
      streams.err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function parseArguments(argv: string[]): CliOptions {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    return { command: "help", format: "table", record: false };
  }
  if (command !== "plan" && command !== "check" && command !== "render" && command !== "registry" && command !== "doctor") {
    usageError(`unknown command '${command}': use plan, check, render, registry or doctor`);
  }
  if (command === "registry") return parseRegistryArguments(rest);
  const options: CliOptions = { command, format: "table", record: false };
  for (let index = 0; index < rest.length; index++) {
    const flag = rest[index] as string;
    const [name, inline] = flag.includes("=") ? (flag.split(/=(.*)/s, 2) as [string, string]) : [flag, undefined];
    const value = (): string => {
      const next = inline ?? rest[++index];
      if (next === undefined || next.startsWith("--")) usageError(`${name} needs a value`);
      return next;
    };
    switch (name) {
      case "--stack":
      case "-s":
        options.stack = value();
        break;
      case "--format": {
        const format = value();
        if (format !== "table" && format !== "json" && format !== "yaml") usageError(`--format ${format}: use table, json or yaml`);
        options.format = format;
        break;
      }
      case "--record":
        if (command !== "plan") usageError("--record goes with plan");
        options.record = true;
        break;
      case "--root":
        options.root = value();
        break;
      case "--name":
        options.name = value();
        break;
      case "--key":
        options.key = value();
        break;
      case "--force":
        if (command !== "render") usageError("--force goes with render");
        options.force = true;
        break;
      case "--out":
        if (command !== "render") usageError("--out goes with render");
        options.out = value();
        break;
      default:
        usageError(`unknown option '${flag}'`);
    }
  }
  if (!options.stack) usageError("--stack is required, for example --stack dev");
  if (command === "render" && !options.out) usageError("--out is required with render, for example --out rendered/dev");
  return options;
}

/** `registry prune [--apply] [--root <dir>]`: the only registry subcommand; no stack. */
function parseRegistryArguments(rest: string[]): CliOptions {
  const [sub, ...flags] = rest;
  if (sub !== "prune") usageError(`registry ${sub ?? ""}: the registry command has one subcommand, prune`.replace("  ", " "));
  const options: CliOptions = { command: "registry", format: "table", record: false, apply: false };
  for (let index = 0; index < flags.length; index++) {
    const flag = flags[index] as string;
    if (flag === "--apply") options.apply = true;
    else if (flag === "--root" && flags[index + 1] !== undefined) options.root = flags[++index] as string;
    else if (flag.startsWith("--root=")) options.root = flag.slice("--root=".length);
    else usageError(`unknown option '${flag}' for registry prune: use --apply or --root <dir>`);
  }
  return options;
}

/** Looks at the deployed stack (Docker) and prints what is fine, what is wrong, and what to do. */
async function runDoctor(root: string, options: CliOptions, streams: CliStreams): Promise<number> {
  const { plan } = await planStack(root, options.stack as string, loadRegistry(root));
  if (plan.target !== "docker") {
    streams.err(`doctor looks at Docker stacks; stack ${plan.stack} is on Kubernetes: \`kubectl -n ${plan.namespace} get pods,spu\` and \`kubectl -n ${plan.namespace} describe pod\` show the same\n`);
    return 3;
  }
  let observation;
  try {
    observation = await observeDocker(plan);
  } catch (error) {
    streams.err(`doctor could not ask the Docker engine: ${(error as Error).message}\n`);
    return 3;
  }
  const findings = diagnose(plan, observation);
  streams.out(`${formatFindings(findings)}\n`);
  const problems = findings.filter((finding) => finding.level === "problem").length;
  streams.err(problems === 0 ? `stack ${plan.stack}: nothing wrong found\n` : `stack ${plan.stack}: ${problems} problem${problems === 1 ? "" : "s"}\n`);
  return problems === 0 ? 0 : 1;
}

/** Lists (dry run) or drops (`--apply`) the records of stacks without a stack file. */
function runPrune(root: string, options: CliOptions, streams: CliStreams): number {
  const path = registryPath(root);
  const { removed } = pruneRecords(loadRegistry(root), listStacks(root));
  if (removed.length === 0) {
    streams.out(`nothing to prune: every record in ${path} belongs to a stack with a stack file\n`);
    return 0;
  }
  const verb = options.apply ? "removed" : "would remove";
  for (const record of removed) {
    const ports = Object.values(record.nodes).flatMap((nodes) => Object.values(nodes) as number[]).sort((a, b) => a - b);
    streams.out(`${verb} the record of stack ${record.stack} (cluster ${record.cluster}, host ${record.host}): ports ${ports.join(", ")}\n`);
  }
  if (!options.apply) {
    streams.err(`dry run: no stack file for ${removed.map((record) => record.stack).join(", ")}; run \`fluvio-ports registry prune --apply\` to remove ${removed.length === 1 ? "it" : "them"}, then review and commit ${path}\n`);
    return 0;
  }
  // Under the registry's lock, against the registry as it is now; comments and other entries stay.
  removeFromRegistry(path, (current) => pruneRecords(current, listStacks(root)).removed);
  streams.err(`wrote ${path}: review and commit it\n`);
  return 0;
}

function usageError(message: string): never {
  throw new ConfigError({ path: "arguments", message: `${message}\n\n${USAGE}` }, "fluvio-ports: usage");
}

/** The nearest folder at or above `start` holding Pulumi.yaml (else `start`). */
export function findProjectRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
    if (dirname(dir) === dir) return resolve(start);
  }
}

/** Which cluster of the project the options describe. */
function sourceOf(options: CliOptions): ClusterSource {
  return { ...(options.name !== undefined ? { name: options.name } : {}), ...(options.key !== undefined ? { configKey: options.key } : {}) };
}

/** Plans the stack the options name (with the host's view for `strategy: isolated`) and prints what the CLI must say about how it read it. */
async function planFor(root: string, options: CliOptions, registry: PortRegistry, streams: CliStreams): Promise<StackPlan> {
  const planned = await planStack(root, options.stack as string, registry, sourceOf(options));
  for (const note of planned.notes) streams.err(`${note}\n`);
  return planned;
}

async function runPlan(root: string, options: CliOptions, streams: CliStreams): Promise<number> {
  const { plan } = options.record ? await recordPlan(root, options, streams) : await planFor(root, options, loadRegistry(root), streams);
  for (const warning of plan.warnings) streams.err(`warning: ${warning}\n`);
  if (options.format === "json") streams.out(`${JSON.stringify(plan, null, 2)}\n`);
  else if (options.format === "yaml") streams.out(stringifyYaml(plan));
  else streams.out(formatPlanTable(plan));
  return 0;
}

/** `--record`: plans against the registry as it is under its lock, and writes the record in place. */
async function recordPlan(root: string, options: CliOptions, streams: CliStreams): Promise<StackPlan> {
  const file = registryPath(root);
  const { changed, result } = await recordInRegistryAsync(file, async (registry) => {
    const planned = await planFor(root, options, registry, streams);
    return { record: recordOf(planned.plan), result: planned };
  });
  const { plan } = result;
  streams.err(`recorded ${plan.ports.length} ports of stack ${plan.stack} (cluster ${plan.cluster}) in ${file}: ${changed ? "review and commit it" : "it was up to date"}\n`);
  return result;
}

function runRender(root: string, options: CliOptions, streams: CliStreams): number {
  const rendered = renderStack(root, options.stack as string, options.out as string, sourceOf(options), { force: options.force === true });
  for (const warning of rendered.warnings) streams.err(`warning: ${warning}\n`);
  for (const path of rendered.paths) streams.out(`${path}\n`);
  return 0;
}

async function runCheck(root: string, options: CliOptions, streams: CliStreams): Promise<number> {
  const stack = options.stack as string;
  const registry = loadRegistry(root);
  const { plan } = await planFor(root, options, registry, streams);
  for (const warning of plan.warnings) streams.err(`warning: ${warning}\n`);
  const report = await checkPorts(plan);
  const overlaps = overlapsWithOtherStacks(root, plan, registry, sourceOf(options));
  if (report.sources.docker !== true) streams.err(`note: the Docker engine was not asked (${report.sources.docker}); ports Docker publishes without a listener are not seen\n`);
  if (report.conflicts.length === 0 && overlaps.length === 0) {
    streams.out(`ok: all ${report.checked.length} planned host ports of stack ${stack} are free on this host\n`);
    return 0;
  }
  if (report.conflicts.length > 0) streams.out(`${formatConflicts(report)}\n`);
  for (const line of overlaps) streams.out(`${line}\n`);
  return 1;
}

/** Host ports this stack plans that another stack on the same host plans (or recorded) too. */
function overlapsWithOtherStacks(root: string, plan: ClusterPlan, registry: PortRegistry, source: ClusterSource): string[] {
  const mine = new Map(plan.ports.filter((row) => plan.hostPorts.includes(row.port)).map((row) => [row.port, row]));
  const lines: string[] = [];
  for (const other of listStacks(root)) {
    if (other === plan.stack) continue;
    let otherPlan: ClusterPlan;
    try {
      otherPlan = planStackFiles(root, other, registry, source).plan;
    } catch {
      continue; // its own check reports its config errors
    }
    if (!hostsShareMachine(registry, otherPlan.host, plan.host)) continue;
    for (const row of otherPlan.ports) {
      const clash = mine.get(row.port);
      if (!clash || !otherPlan.hostPorts.includes(row.port)) continue;
      lines.push(
        `Port ${row.port} is planned by stack ${other} too (${nodeLabel(row.owner)} ${row.role}) on host ${otherPlan.host}: wanted by ${nodeLabel(clash.owner)} ${clash.role} of stack ${plan.stack}; record one stack (fluvio-ports plan --stack ${other} --record) so the other plans around it, or give the stacks separate ranges`,
      );
    }
  }
  return lines;
}

/**
 * The plan as `fluvio cluster spu list` prints SPUs, with the LOCAL and METRICS columns. With
 * NodePorts (Kubernetes), PUBLIC is the NodePort endpoint clients use, so SERVICEPORT (the
 * planned public port: Service port = containerPort) and NODEPORT follow.
 */
export function formatPlanTable(plan: ClusterPlan): string {
  const withNodePorts = plan.spus.some((spu) => spu.ports.nodePort !== undefined);
  const header = ["ID", "NAME", "STATUS", "TYPE", "RACK", "PUBLIC", "PRIVATE", "LOCAL", "METRICS", ...(withNodePorts ? ["SERVICEPORT", "NODEPORT"] : [])];
  const rows = plan.spus.map((spu) => [
    String(spu.id),
    spu.name,
    "planned",
    "custom",
    spu.rack ?? "-",
    spu.public,
    spu.private,
    spu.local ?? "-",
    spu.metrics ?? "-",
    ...(withNodePorts ? [String(spu.ports.public), String(spu.ports.nodePort ?? "-")] : []),
  ]);
  const lines = [
    `stack ${plan.stack} · cluster ${plan.cluster} · target ${plan.target}${plan.namespace ? ` (namespace ${plan.namespace}, ${plan.serviceType})` : ""} · host ${plan.host} · strategy ${plan.strategy}`,
    `SC  public ${plan.sc.public}  private ${plan.sc.private}${plan.sc.local ? `  local ${plan.sc.local}` : ""}${plan.sc.ports.nodePort !== undefined ? `  nodePort ${plan.sc.ports.nodePort}` : ""}`,
    ...(plan.monitoring.prometheus ? [`Prometheus  ${plan.monitoring.prometheus.address}  (alert rules: ${plan.monitoring.rules.reduce((sum, group) => sum + group.rules.length, 0)}, critical SPUs: ${plan.monitoring.critical.join(", ") || "none"})`] : []),
    "",
    ...alignColumns([header, ...rows]),
  ];
  return `${lines.join("\n")}\n`;
}

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd((widths[column] ?? 0) + 2))).join("").trimEnd());
}
