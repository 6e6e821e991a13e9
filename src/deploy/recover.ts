/**
 * What `npm run up` puts right before `pulumi up` on a Docker stack, after an `up` that was
 * interrupted or a node that stopped (docs/faults.md) — only what is safe to decide alone, each
 * step said in one line; anything else stops the run with the exact command to run.
 *
 * 1. A stale lock (file backend): a lock left by a `pulumi` of this machine whose process is
 *    gone (a `kill -9`, a closed lid) is removed with `pulumi cancel`, and the plugins that
 *    pulumi left running for this project are stopped. A live one, or one from another
 *    machine, stops the run.
 * 2. Pending operations: an `up` killed mid-way leaves `pending_operations` in the state;
 *    `pulumi refresh --clear-pending-creates --yes` reads every resource back and drops them.
 * 3. Orphans: containers with the cluster's labels the state does not track. One the plan
 *    declares (its name, node and image) is removed (`docker rm -f`, never its volumes) and
 *    `up` creates it again from the plan: removing is chosen over `pulumi import` because the
 *    import adopts fields the engine cannot report (uploads, `mustRun`, `wait`), which the next
 *    `up` then diffs and replaces anyway, and an import must name the component's URN; the
 *    removal costs only the restart the interrupted create was making. Any other orphan stops
 *    the run with its own line (src/preflight/orphans.ts).
 * 4. Stopped nodes: a tracked SC, SPU or exporter that is not running (a `docker kill`, a
 *    `docker stop`: Docker's restart policy leaves a manually stopped container down) is started
 *    again (`docker start`): the same container, config and volume, nothing Pulumi would change.
 *
 * Run as a script: `node dist/deploy/recover.js <stack> <project root>` with the stack's plan
 * (`fluvio-ports plan --format json`) on stdin. Exit 0: ready for `pulumi up`; 4: stopped, with
 * the command to run; 2: bad input.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { ClusterPlan } from "../plan/types";
import { buildDockerSpecs } from "../targets/docker/spec";
import { containersLabelled, type LiveContainer } from "../preflight/containers";
import { dockerSocketPath } from "../preflight/docker";
import { engineRequest } from "../preflight/engine-http";
import { LABELS } from "../plan/layout";
import { componentOf, findOrphans, orphanLine, type Orphan, type PlannedContainer, type StackState } from "../preflight/orphans";
import { readStackState, stateEnvironment } from "./state";

/** A lock file of the file backend: who holds the stack. */
export interface StackLock {
  file: string;
  pid: number;
  hostname: string;
  username: string;
  timestamp: string;
}

/** What to do about one lock: remove it (its process is gone) or stop (it may be alive). */
export type LockVerdict = { action: "cancel"; lock: StackLock } | { action: "stop"; lock: StackLock; why: string };

/** Pure: a lock is stale when it was taken on this machine by a process that no longer runs. */
export function judgeLock(lock: StackLock, thisHost: string, alive: (pid: number) => boolean): LockVerdict {
  if (lock.hostname !== thisHost) return { action: "stop", lock, why: `it was taken on ${lock.hostname}, whose processes this machine cannot see` };
  if (alive(lock.pid)) return { action: "stop", lock, why: `pulumi (pid ${lock.pid}) still runs` };
  return { action: "cancel", lock };
}

/** The lock files of `stack` under a file backend's folder (`.pulumi/locks/<org>/<project>/<stack>/*.json`, or `.pulumi/locks/<stack>/`). */
export function findLocks(backendDir: string, stack: string): StackLock[] {
  const root = join(backendDir, ".pulumi", "locks");
  if (!existsSync(root)) return [];
  const found: StackLock[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        if (depth < 4) walk(path, depth + 1);
      } else if (entry.endsWith(".json") && dir.endsWith(`/${stack}`)) {
        try {
          const content = JSON.parse(readFileSync(path, "utf8")) as Partial<Omit<StackLock, "file">>;
          found.push({ file: path, pid: Number(content.pid ?? 0), hostname: String(content.hostname ?? ""), username: String(content.username ?? ""), timestamp: String(content.timestamp ?? "") });
        } catch {
          found.push({ file: path, pid: 0, hostname: "", username: "", timestamp: "" });
        }
      }
    }
  };
  walk(root, 0);
  return found;
}

/** Whether a process runs on this machine (signal 0: EPERM still means it exists). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A plugin process (`pulumi-resource-*`, `pulumi-language-*`) as /proc shows it. */
export interface PluginProcess {
  pid: number;
  ppid: number;
  program: string;
  cwd: string;
}

/**
 * Pure: the plugins a dead `pulumi` left running (a `kill -9` does not reach them: each sits in
 * a process group of its own): orphaned (their parent is gone, so init adopted them) and started
 * for this project (their working directory is in it). They may still be creating a container.
 */
export function strayPlugins(processes: readonly PluginProcess[], root: string): PluginProcess[] {
  return processes.filter((entry) => /^pulumi-(resource|language|analyzer)-/.test(entry.program) && entry.ppid === 1 && (entry.cwd === root || entry.cwd.startsWith(`${root}/`)));
}

/** The plugin processes this user can see in /proc. */
function pluginProcesses(procRoot = "/proc"): PluginProcess[] {
  const found: PluginProcess[] = [];
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv0 = readFileSync(join(procRoot, entry, "cmdline"), "utf8").split("\0")[0] ?? "";
      const program = argv0.split("/").pop() ?? "";
      if (!program.startsWith("pulumi-")) continue;
      const stat = readFileSync(join(procRoot, entry, "stat"), "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      found.push({ pid: Number(entry), ppid, program, cwd: readlinkSync(join(procRoot, entry, "cwd")) });
    } catch {
      // Gone meanwhile, or another user's: not ours to stop.
    }
  }
  return found;
}

/** Stops the plugins a dead pulumi left (TERM, then KILL after 5 s), so none still creates a container while up runs. */
async function stopStrayPlugins(root: string): Promise<void> {
  const stray = strayPlugins(pluginProcesses(), root);
  if (stray.length === 0) return;
  for (const entry of stray) process.kill(entry.pid, "SIGTERM");
  const deadline = Date.now() + 5_000;
  while (stray.some((entry) => processAlive(entry.pid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  for (const entry of stray.filter((item) => processAlive(item.pid))) process.kill(entry.pid, "SIGKILL");
  say(`stopped what the dead pulumi left running: ${stray.map((entry) => `${entry.program} (pid ${entry.pid})`).join(", ")}`);
}

/** The containers the plan declares (name, node, image), as an orphan search compares them. */
export function plannedContainers(plan: ClusterPlan): PlannedContainer[] {
  const spec = buildDockerSpecs(plan);
  const images: Record<string, string> = { ...plan.images, prometheus: plan.monitoring.prometheus?.image ?? "" };
  return [...spec.containers, ...spec.registrations].map((container) => ({ name: container.name, node: container.key, image: images[container.image] ?? "" }));
}

/** What `stackOrphans` finds: the orphans and the stopped nodes, with the component to adopt under; or why it could not look. */
export type OrphanReport =
  | { ok: true; orphans: Orphan[]; stopped: LiveContainer[]; component?: { urn: string; name: string } }
  | { ok: false; reason: string };

/**
 * For `fluvio-ports doctor` and anything else that asks: the stack's state read the way
 * `npm run up` deploys it (`pulumi stack export` on the same backend), the cluster's containers on
 * the local engine, and the comparison: orphans (each with `orphanLine` to print) and stopped nodes.
 */
export async function stackOrphans(plan: ClusterPlan, root: string): Promise<OrphanReport> {
  const answer = await readStackState(plan.stack, { root });
  // A stack the backend does not have says nothing about which containers it tracks.
  if (!answer.ok) return { ok: false, reason: answer.reason };
  const state = answer.state;
  const where = dockerSocketPath(undefined, process.env.DOCKER_HOST);
  if ("reason" in where) return { ok: false, reason: where.reason };
  const live = await containersLabelled(where.socketPath, { [LABELS.cluster]: plan.namePrefix, [LABELS.stack]: plan.stack });
  if (!live.ok) return { ok: false, reason: live.reason };
  const component = componentOf(state);
  return {
    ok: true,
    orphans: findOrphans(live.value, state, { cluster: plan.namePrefix, stack: plan.stack }, plannedContainers(plan), component?.name),
    stopped: stoppedNodes(live.value, state),
    ...(component ? { component } : {}),
  };
}

/** Long-running roles' containers the state tracks that are not running (jobs exit by design). */
export function stoppedNodes(live: readonly LiveContainer[], state: StackState): LiveContainer[] {
  const tracked = new Set(state.resources.map((resource) => resource.id));
  return live.filter((container) => tracked.has(container.id) && container.state !== "running" && !/^register-/.test(container.labels[LABELS.node] ?? ""));
}

/** One recovery step, said as it is done. */
function say(line: string): void {
  process.stderr.write(`fluvio-spu: ${line}\n`);
}

class Stop extends Error {}

function stop(line: string): never {
  throw new Stop(line);
}

function pulumi(root: string, args: string[]): { status: number; output: string } {
  const env = stateEnvironment(root, process.env, existsSync(join(root, ".toolchain", "bin", "pulumi")));
  const run = spawnSync("pulumi", args, { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return { status: run.status ?? 1, output: `${run.stdout ?? ""}${run.stderr ?? ""}`.trim() };
}

async function readState(stack: string, root: string): Promise<StackState> {
  const answer = await readStackState(stack, { root });
  if (answer.ok) return answer.state;
  if (answer.missing) return { resources: [], pending: [] };
  return stop(`${answer.reason}; fix that, then run npm run up -- ${stack} again`);
}

/** Steps 1 to 4 (see the file's comment). */
export async function recover(plan: ClusterPlan, root: string): Promise<void> {
  const stack = plan.stack;
  const backend = stateEnvironment(root, process.env, false).PULUMI_BACKEND_URL ?? "";

  if (backend.startsWith("file://")) {
    for (const lock of findLocks(backend.slice("file://".length), stack)) {
      const verdict = judgeLock(lock, hostname(), processAlive);
      if (verdict.action === "stop") {
        stop(`stack ${stack} is locked since ${lock.timestamp || "an unknown time"} (${lock.file}): ${verdict.why}; wait for it to end, or if you know it is gone: pulumi cancel --stack ${stack} --yes`);
      }
      const cancelled = pulumi(root, ["cancel", "--stack", stack, "--yes"]);
      if (cancelled.status !== 0) stop(`could not remove the stale lock of stack ${stack} (${cancelled.output.split("\n").pop()}): run pulumi cancel --stack ${stack} --yes`);
      say(`removed the stale lock of a pulumi that is gone (pid ${lock.pid} on ${lock.hostname}, since ${lock.timestamp}): pulumi cancel --stack ${stack} --yes`);
      await stopStrayPlugins(realRoot(root));
      break;
    }
  }

  let state = await readState(stack, root);
  if (state.pending.length > 0) {
    const names = state.pending.map((operation) => `${operation.operation} ${operation.name ?? operation.urn.split("::").pop()}`).join(", ");
    say(`the last up was interrupted (${names}): pulumi refresh --clear-pending-creates --yes --stack ${stack}`);
    const refreshed = pulumi(root, ["refresh", "--clear-pending-creates", "--yes", "--skip-preview", "--stack", stack]);
    if (refreshed.status !== 0) stop(`pulumi refresh --clear-pending-creates failed (${refreshed.output.split("\n").pop()}): run it yourself: pulumi refresh --clear-pending-creates --stack ${stack}`);
    state = await readState(stack, root);
  }

  const where = dockerSocketPath(undefined, process.env.DOCKER_HOST);
  if ("reason" in where) {
    say(`orphans and stopped nodes not looked for: ${where.reason}`);
    return;
  }
  const live = await containersLabelled(where.socketPath, { [LABELS.cluster]: plan.namePrefix, [LABELS.stack]: stack });
  if (!live.ok) {
    say(`orphans and stopped nodes not looked for: ${live.reason}`);
    return;
  }
  const component = componentOf(state);
  const orphans = findOrphans(live.value, state, { cluster: plan.namePrefix, stack }, plannedContainers(plan), component?.name);
  const strangers = orphans.filter((orphan) => !orphan.planned);
  if (strangers.length > 0) stop(strangers.map((orphan) => orphanLine(orphan, stack, component)).join("\nfluvio-spu: "));
  for (const orphan of orphans) await removeOrphan(where.socketPath, orphan);

  // The SC first: the SPUs connect to it.
  const stopped = stoppedNodes(live.value, state).sort((a, b) => Number(b.labels[LABELS.node] === "sc") - Number(a.labels[LABELS.node] === "sc"));
  for (const node of stopped) {
    const started = await engineRequest(where.socketPath, "POST", `/containers/${node.id}/start`, 30_000);
    if (started.status !== 204 && started.status !== 304) stop(`${node.name} is ${node.state} and did not start (HTTP ${started.status}: ${started.body.trim()}): see docker logs ${node.name}`);
    say(`${node.name} was ${node.state} (stopped by hand or killed): started it again (docker start ${node.name})`);
  }
}

function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}

async function removeOrphan(socketPath: string, orphan: Orphan): Promise<void> {
  const { container } = orphan;
  const removed = await engineRequest(socketPath, "DELETE", `/containers/${container.id}?force=true`, 30_000);
  if (removed.status !== 204 && removed.status !== 404) stop(`could not remove orphan ${container.name} (HTTP ${removed.status}: ${removed.body.trim()}): docker rm -f ${container.name}`);
  say(`removed ${container.name}, a container of the plan an interrupted up created but never recorded (docker rm -f ${container.name}; its volumes stay): up creates it again from the plan`);
}

if (require.main === module) {
  const [stack, root] = process.argv.slice(2);
  let plan: ClusterPlan;
  try {
    plan = JSON.parse(readFileSync(0, "utf8")) as ClusterPlan;
  } catch (error) {
    process.stderr.write(`fluvio-spu: cannot read the stack's plan on stdin: ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (!stack || !root || plan.stack !== stack) {
    process.stderr.write("usage: node dist/deploy/recover.js <stack> <project root> < plan.json\n");
    process.exit(2);
  }
  recover(plan, root).then(
    () => undefined,
    (error: unknown) => {
      if (error instanceof Stop) {
        process.stderr.write(`fluvio-spu: ${error.message}\n`);
        process.exit(4);
      }
      process.stderr.write(`fluvio-spu: recovery failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
