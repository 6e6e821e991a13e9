/**
 * What a user waits for at the prompt: `fluvio-ports plan` and `check` as child processes
 * (wall time, median of 15, alternated with `node -e 0` in the same run: the floor of any
 * Node CLI), and `plan` with a port registry of 1,000 records and 1,000 claims against the same
 * plan with an empty registry. The CLI runs as installed: `bin/fluvio-ports.js` over `dist/`,
 * which is rebuilt first when any source is newer.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { formatRegistry, type PortClaim, type PortRegistry, type StackRecord } from "../src/ports/registry";
import { median, printFigures } from "./support";

const ROOT = join(__dirname, "..");
const BIN = join(ROOT, "bin", "fluvio-ports.js");
const RUNS = 15;

/** Newest modification time under a folder (0 when it does not exist). */
function newest(dir: string): number {
  let latest = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  } catch {
    return 0;
  }
  return latest;
}

function ensureBuilt(): void {
  const sources = Math.max(newest(join(ROOT, "src")), statSync(join(ROOT, "package.json")).mtimeMs, newest(join(ROOT, "scripts")));
  if (newest(join(ROOT, "dist")) >= sources) return;
  console.log("  (dist/ is older than the sources: npm run build)");
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
}

/** A project folder with the repo's Pulumi.yaml and dev stack, and the given registry file (none: no file). */
function project(registry: PortRegistry | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-cli-bench-"));
  cpSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  mkdirSync(join(dir, "stacks"));
  cpSync(join(ROOT, "stacks", "Pulumi.dev.yaml"), join(dir, "stacks", "Pulumi.dev.yaml"));
  if (registry) writeFileSync(join(dir, "stacks", "ports.registry.yaml"), formatRegistry(registry));
  return dir;
}

/**
 * 1,000 stacks' records (SC and three SPUs each, on five hosts, one of them this stack's) and
 * 1,000 claims; none on the dev stack's ports, so the plan is the same as with no registry.
 */
export function largeRegistry(size = 1000): PortRegistry {
  const hosts = ["localhost", "ci-1", "ci-2", "build-box", "ci-runners"];
  const records: StackRecord[] = Array.from({ length: size }, (_, index) => {
    const base = 11000 + (index % 4000) * 12;
    const nodes: StackRecord["nodes"] = { sc: { public: base, private: base + 1 } };
    for (let spu = 0; spu < 3; spu++) nodes[`spu-${5001 + spu}`] = { public: base + 2 + spu, private: base + 5 + spu, metrics: base + 8 + spu };
    return { stack: `pr-${index}`, cluster: "fluvio", host: hosts[index % hosts.length] as string, nodes };
  });
  const claims: PortClaim[] = Array.from({ length: size }, (_, index) => ({
    owner: `service ${index}`,
    ports: index % 3 === 0 ? { from: 61000 + index, to: 61000 + index } : { from: 9000 + (index % 300), to: 9000 + (index % 300) + 2 },
    hosts: index % 3 === 0 ? ["*"] : [hosts[1 + (index % 4)] as string],
    source: "registry",
    ...(index % 5 === 0 ? { note: `ticket ${index}` } : {}),
  }));
  return { hostGroups: { "ci-runners": ["ci-1", "ci-2"] }, claims, records };
}

/** Wall time of one child process, in ms; throws when it fails unexpectedly. */
function timed(args: string[], cwd: string, okStatus: readonly number[] = [0]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  const ms = performance.now() - start;
  if (result.status === null || !okStatus.includes(result.status)) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return ms;
}

/** Medians of several commands, run round-robin (after one warm-up each), so host load hits all alike. */
function roundRobin(commands: readonly (() => number)[], runs = RUNS): number[] {
  for (const command of commands) command();
  const times = commands.map((): number[] => []);
  for (let run = 0; run < runs; run++) commands.forEach((command, index) => times[index]?.push(command()));
  return times.map(median);
}

export async function run(): Promise<void> {
  ensureBuilt();
  const empty = project(undefined);
  const large = project(largeRegistry());
  try {
    const planOf = (dir: string) => execFileSync(process.execPath, [BIN, "plan", "--stack", "dev", "--format", "json"], { cwd: dir }).toString();
    if (planOf(empty) !== planOf(large)) throw new Error("the large registry changes the dev plan; the comparison would not be like for like");
    const unbundled = `require(${JSON.stringify(join(ROOT, "dist", "cli.js"))}).main(process.argv.slice(1)).then((code) => { process.exitCode = code; })`;
    const [node, plan, planJson, check, planEmpty, planLarge, planBefore, checkBefore] = roundRobin([
      () => timed(["-e", "0"], ROOT),
      () => timed([BIN, "plan", "--stack", "dev"], ROOT),
      () => timed([BIN, "plan", "--stack", "dev", "--format", "json"], ROOT),
      () => timed([BIN, "check", "--stack", "dev"], ROOT, [0, 1]),
      () => timed([BIN, "plan", "--stack", "dev"], empty),
      () => timed([BIN, "plan", "--stack", "dev"], large),
      () => timed(["-e", unbundled, "--", "plan", "--stack", "dev"], ROOT),
      () => timed(["-e", unbundled, "--", "check", "--stack", "dev"], ROOT, [0, 1]),
    ]) as [number, number, number, number, number, number, number, number];
    printFigures(`fluvio-ports as a child process (wall time, median of ${RUNS}, round-robin)`, [
      { name: "node -e 0 (the floor)", value: node, unit: "ms" },
      { name: "fluvio-ports plan --stack dev", value: plan, unit: "ms", note: `${(plan / node).toFixed(2)}x node -e 0; target <= 2` },
      { name: "fluvio-ports plan --stack dev --format json", value: planJson, unit: "ms", note: `${(planJson / node).toFixed(2)}x node -e 0` },
      { name: "fluvio-ports check --stack dev (asks /proc and the Docker engine)", value: check, unit: "ms", note: `${(check / node).toFixed(2)}x node -e 0; target <= 2` },
      { name: "the way before: plan from the compiled modules, no bundle", value: planBefore, unit: "ms", note: `${(planBefore / node).toFixed(2)}x node -e 0` },
      { name: "the way before: check from the compiled modules, no bundle", value: checkBefore, unit: "ms", note: `${(checkBefore / node).toFixed(2)}x node -e 0` },
      { name: "plan, no registry file", value: planEmpty, unit: "ms" },
      { name: "plan, registry of 1,000 records and 1,000 claims", value: planLarge, unit: "ms", note: `${(planLarge / planEmpty).toFixed(2)}x no registry; target <= 1.5` },
    ]);
  } finally {
    rmSync(empty, { recursive: true, force: true });
    rmSync(large, { recursive: true, force: true });
  }
}
