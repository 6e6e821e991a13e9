/**
 * `plan --diff` and `plan --record --check`: which ports would move, against the stack's record
 * in the port registry and against the deployed `ports` output of the stack's Pulumi state.
 * The comparison is pure; reading the deployed output runs the `pulumi` CLI when there is one.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { nodeLabel } from "../plan/names";
import type { ClusterPlan } from "../plan/types";
import type { PortRole } from "../ports/range";
import { compareNodeKeys, type StackRecord } from "../ports/registry";
import { alignColumns } from "./plan-table";

/** One port as a baseline knew it: the node (`sc`, `spu-5001`), the role and the port. */
export interface PortRow {
  owner: string;
  role: PortRole;
  port: number;
}

/**
 * What happens to one (node, role) port: `same` everywhere, `moves` (a baseline has another
 * port), `new` (no baseline has it) or `removed` (the plan no longer has it).
 */
export type PortChange = "same" | "moves" | "new" | "removed";

/** One (node, role) of the diff: its port in the plan, the record and the deployed state. */
export interface PortDiffRow {
  owner: string;
  /** The node as people read it: `SC`, `SPU 5001`. */
  node: string;
  role: PortRole;
  planned: number | null;
  /** null: the record has no such port (or there is no record). */
  recorded: number | null;
  /** null: the deployed output has no such port (or it was not read). */
  deployed: number | null;
  change: PortChange;
}

/** What the plan was compared with: each baseline, or why it is missing. */
export interface DiffBaselines {
  /** The registry's record of the stack, or null when the stack has none. */
  record: StackRecord | null;
  /** The deployed `ports` output, or the reason it could not be read. */
  deployed: PortRow[] | { reason: string };
}

/** The rows of every (node, role) in the plan or a baseline, SC first, then SPUs by id, roles in plan order. */
export function diffPorts(plan: ClusterPlan, baselines: DiffBaselines): PortDiffRow[] {
  const key = (owner: string, role: string): string => `${owner}\u0000${role}`;
  const planned = new Map(plan.ports.map((row) => [key(row.owner, row.role), row.port]));
  const recorded = new Map<string, number>();
  for (const [owner, ports] of Object.entries(baselines.record?.nodes ?? {})) {
    for (const [role, port] of Object.entries(ports)) if (typeof port === "number") recorded.set(key(owner, role), port);
  }
  const deployedRows = Array.isArray(baselines.deployed) ? baselines.deployed : [];
  const deployed = new Map(deployedRows.map((row) => [key(row.owner, row.role), row.port]));
  const roles: PortRole[] = ["public", "private", "metrics", "nodePort"];
  const pairs = new Map<string, { owner: string; role: PortRole }>();
  for (const row of plan.ports) pairs.set(key(row.owner, row.role), { owner: row.owner, role: row.role });
  for (const [owner, ports] of Object.entries(baselines.record?.nodes ?? {})) for (const role of Object.keys(ports) as PortRole[]) pairs.set(key(owner, role), { owner, role });
  for (const row of deployedRows) pairs.set(key(row.owner, row.role), { owner: row.owner, role: row.role });
  return [...pairs.values()]
    .sort((a, b) => compareNodeKeys(a.owner, b.owner) || roles.indexOf(a.role) - roles.indexOf(b.role))
    .map(({ owner, role }) => {
      const row = { planned: planned.get(key(owner, role)) ?? null, recorded: recorded.get(key(owner, role)) ?? null, deployed: deployed.get(key(owner, role)) ?? null };
      return { owner, node: nodeLabel(owner), role, ...row, change: changeOf(row.planned, [row.recorded, row.deployed]) };
    });
}

function changeOf(planned: number | null, baselines: (number | null)[]): PortChange {
  if (planned === null) return "removed";
  const known = baselines.filter((port): port is number => port !== null);
  if (known.length === 0) return "new";
  return known.every((port) => port === planned) ? "same" : "moves";
}

/** The rows that change (`wide`: every row) as a table, or a line saying nothing moves. */
export function formatDiff(rows: readonly PortDiffRow[], baselines: DiffBaselines, all: boolean): string {
  const shown = all ? rows : rows.filter((row) => row.change !== "same");
  if (shown.length === 0) return `no port would move: the plan matches ${againstText(baselines)}\n`;
  const cell = (port: number | null): string => (port === null ? "-" : String(port));
  const withDeployed = Array.isArray(baselines.deployed);
  const header = ["NODE", "ROLE", "RECORDED", ...(withDeployed ? ["DEPLOYED"] : []), "PLANNED", "CHANGE"];
  const lines = shown.map((row) => [row.node, row.role, cell(row.recorded), ...(withDeployed ? [cell(row.deployed)] : []), cell(row.planned), row.change]);
  return `${alignColumns([header, ...lines]).join("\n")}\n`;
}

/** "the record in the registry and the deployed ports output". */
export function againstText(baselines: DiffBaselines): string {
  const record = baselines.record ? "the stack's record in the registry" : "no record (the stack was never recorded)";
  return Array.isArray(baselines.deployed) ? `${record} and the deployed ports output` : record;
}

/** What running a program gave: its exit status, output, and the spawn error (ENOENT: not installed). */
export interface ProgramRun {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException;
}

/** Runs a program and waits; tests pass their own. */
export type RunProgram = (command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) => ProgramRun;

const runProgram: RunProgram = (command, args, options) => {
  const result = spawnSync(command, args, { ...options, encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "", ...(result.error ? { error: result.error as NodeJS.ErrnoException } : {}) };
};

/**
 * The environment `pulumi` runs in: as `npm run up` sets it for the project's own state
 * backend (`.pulumi-state/`, with its documented local passphrase) when the user set neither.
 * Pulumi is asked nothing about updates: a local backend needs no network and no access token.
 */
function pulumiEnv(root: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const localState = join(root, ".pulumi-state");
  const quiet = { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" };
  if (env.PULUMI_BACKEND_URL || !existsSync(localState)) return quiet;
  const passphrase = env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined ? {} : { PULUMI_CONFIG_PASSPHRASE: "fluvio-spu-local-dev" };
  return { ...quiet, PULUMI_BACKEND_URL: `file://${localState}`, ...passphrase };
}

/** The `pulumi` to run: the project's toolchain build (`npm run toolchain`), else the one on PATH, else none. */
export function pulumiProgram(root: string, env: NodeJS.ProcessEnv): string | undefined {
  const dirs = [join(root, ".toolchain", "bin"), ...(env.PATH ?? "").split(delimiter).filter((dir) => dir !== "")];
  return dirs.map((dir) => join(dir, "pulumi")).find((file) => isExecutable(file));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Where the deployed state can be: `PULUMI_BACKEND_URL`, the project's `.pulumi-state/` (what
 * `npm run up` uses), a `backend:` in Pulumi.yaml, or the backend `pulumi login` chose
 * (`~/.pulumi/credentials.json`). Undefined when there is none: then nothing was deployed from
 * here, and asking `pulumi` would only ask for a Pulumi Cloud access token.
 */
function stateBackend(root: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.PULUMI_BACKEND_URL) return env.PULUMI_BACKEND_URL;
  if (existsSync(join(root, ".pulumi-state"))) return `file://${join(root, ".pulumi-state")}`;
  for (const project of ["Pulumi.yaml", "Pulumi.yml"]) {
    try {
      if (/^backend:/m.test(readFileSync(join(root, project), "utf8"))) return "the backend Pulumi.yaml names";
    } catch {
      // no such project file
    }
  }
  try {
    const credentials = JSON.parse(readFileSync(join(env.PULUMI_HOME ?? join(env.HOME ?? homedir(), ".pulumi"), "credentials.json"), "utf8")) as { current?: unknown };
    if (typeof credentials.current === "string" && credentials.current !== "") return credentials.current;
  } catch {
    // not logged in
  }
  return undefined;
}

/**
 * The stack's deployed `ports` output (`pulumi stack output ports --json --stack <s>`), or why
 * it could not be read: no `pulumi` (on PATH or in .toolchain/bin), no state backend to read,
 * no state, no such output, or not its shape.
 */
export function readDeployedPorts(root: string, stack: string, run: RunProgram = runProgram, env: NodeJS.ProcessEnv = process.env): PortRow[] | { reason: string } {
  const pulumi = pulumiProgram(root, env);
  if (pulumi === undefined) return { reason: "no pulumi CLI on PATH or in .toolchain/bin, so the deployed state was not read" };
  if (stateBackend(root, env) === undefined) return { reason: "no state backend to read (no .pulumi-state/, PULUMI_BACKEND_URL or pulumi login): nothing was deployed from here" };
  const result = run(pulumi, ["stack", "output", "ports", "--json", "--stack", stack], { cwd: root, env: pulumiEnv(root, env) });
  if (result.error?.code === "ENOENT") return { reason: "no pulumi CLI on PATH, so the deployed state was not read" };
  if (result.error) return { reason: `pulumi could not run: ${result.error.message}` };
  if (result.status !== 0) {
    const said = result.stderr.split("\n").map((line) => line.trim()).find((line) => line.length > 0) ?? `exit ${result.status}`;
    return { reason: `pulumi stack output ports --stack ${stack} failed (${said})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(result.stdout) as unknown;
  } catch {
    return { reason: `pulumi stack output ports --stack ${stack} printed no JSON` };
  }
  const rows = Array.isArray(value) ? value.filter(isPortRow) : [];
  if (!Array.isArray(value) || rows.length !== value.length) return { reason: `the stack's ports output is not a list of { owner, role, port } rows` };
  return rows.map((row) => ({ owner: row.owner, role: row.role, port: row.port }));
}

function isPortRow(value: unknown): value is PortRow {
  if (typeof value !== "object" || value === null) return false;
  const row = value as Record<string, unknown>;
  return typeof row.owner === "string" && typeof row.port === "number" && (row.role === "public" || row.role === "private" || row.role === "metrics" || row.role === "nodePort");
}
