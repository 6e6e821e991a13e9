/**
 * Issue 24: faults injected the way they happen to users, on the dev stack under the real
 * engine with real Fluvio (support/docker-stack.ts), each followed by the steps docs/faults.md
 * gives. Each ends with every SPU Online, the SPU registrations and the port registry intact, and
 * every data volume kept:
 * - SIGKILL of `pulumi` mid-`up` (its plugins left running, as a `kill -9` leaves them), then
 *   `npm run up -- dev --yes`;
 * - the same, put right by hand (cancel, refresh --clear-pending-creates, the preview's line,
 *   the `docker rm -f` it gives, up);
 * - SIGINT of `pulumi` mid-`up` (Ctrl-C), then `npm run up -- dev --yes`;
 * - `docker kill` of an SPU, and of the SC, then `npm run up -- dev --yes`.
 * Run it alone and under the shared lock: flock /tmp/fluvio-spu-docker.lock npx vitest run test/engine/faults.test.ts
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { allOnline, clusterContainers, clusterVolumes, devStack, dockerEngineTierSkip, eventually, pulumiEnv, removeCluster, type DevStack } from "./support/docker-stack";

const FILE = "test/engine/faults.test.ts";
const skip = dockerEngineTierSkip(FILE);
vi.setConfig({ testTimeout: 900_000, hookTimeout: 900_000 });

const VOLUMES = ["fluvio-dev-sc-metadata", "fluvio-dev-spu-5001-data", "fluvio-dev-spu-5002-data", "fluvio-dev-spu-5003-data"];

/** Every process of a session (a `pulumi` started detached leads one; its plugins stay in it). */
function sessionProcesses(sid: number): number[] {
  const listed = spawnSync("ps", ["-eo", "pid=,sid="], { encoding: "utf8" }).stdout;
  return listed
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, session]) => session === sid && pid !== undefined && pid > 0)
    .map(([pid]) => pid as number);
}

/** Waits until the cluster has `count` containers (the `up` is mid-way), or the process ended. */
async function midway(child: ChildProcess, count: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline && child.exitCode === null && clusterContainers().size < count) await new Promise((resolve) => setTimeout(resolve, 250));
}

function ended(child: ChildProcess): Promise<void> {
  return child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.on("exit", () => resolve()));
}

describe.skipIf(skip !== undefined)("faults on the dev stack (real engine, real Fluvio): each ends with every SPU Online and every volume kept", () => {
  let stack: DevStack | undefined;
  let registry = "";
  const leftover: number[] = [];

  beforeAll(() => {
    removeCluster();
    stack = devStack(FILE);
    if (stack) registry = readFileSync(join(stack.root, "stacks", "ports.registry.yaml"), "utf8");
  });

  afterAll(() => {
    for (const pid of leftover) sessionProcesses(pid).forEach((member) => spawnSync("kill", ["-9", String(member)]));
    stack?.dispose();
  });

  /** What every fault must end with. */
  async function converged(): Promise<void> {
    const spus = await eventually(() => stack!.spus(), allOnline, 90_000);
    expect(spus.map((spu) => `${spu.id} ${spu.status}`).sort()).toEqual(["5001 Online", "5002 Online", "5003 Online"]);
    expect(clusterVolumes()).toEqual(VOLUMES);
    expect(readFileSync(join(stack!.root, "stacks", "ports.registry.yaml"), "utf8")).toBe(registry);
    const second = stack!.pulumi(["up", "--yes", "--expect-no-changes"]);
    expect(second.status, second.output).toBe(0);
  }

  /** Starts a first `up` from nothing (the cluster destroyed, its volumes kept) and kills it with `signal` once `count` containers exist. */
  async function interruptedUp(signal: NodeJS.Signals, count: number): Promise<ChildProcess> {
    const destroyed = stack!.pulumi(["destroy", "--yes"]);
    expect(destroyed.status, destroyed.output).toBe(0);
    const child = stack!.start(["up", "--yes", "--skip-preview"]);
    leftover.push(child.pid as number);
    await midway(child, count);
    expect(child.exitCode, "the up ended before it could be interrupted").toBeNull();
    process.kill(child.pid as number, signal);
    await ended(child);
    return child;
  }

  it("the cluster is up to begin with", async () => {
    if (!stack) return;
    const up = stack.up();
    expect(up.status, up.output).toBe(0);
    await converged();
  });

  it("SIGKILL of pulumi mid-up, its plugins left running: npm run up clears the lock, the pending creates, the orphans and the plugins, and converges", async () => {
    if (!stack) return;
    const child = await interruptedUp("SIGKILL", 3);
    const up = stack.up();
    expect(up.status, up.output).toBe(0);
    expect(up.output).toMatch(/fluvio-spu: removed the stale lock of a pulumi that is gone \(pid \d+ on .*\): pulumi cancel --stack dev --yes/);
    expect(up.output).toMatch(/fluvio-spu: the last up was interrupted \(creating .*\): pulumi refresh --clear-pending-creates --yes --stack dev/);
    expect(up.output).toMatch(/fluvio-spu: removed fluvio-dev-\S+, a container of the plan an interrupted up created but never recorded/);
    expect(up.output).not.toMatch(/Conflict\. The container name/);
    // The dead pulumi's plugins were stopped before up ran.
    expect(sessionProcesses(child.pid as number)).toEqual([]);
    await converged();
  });

  it("the same fault put right by hand, with the steps docs/faults.md gives", async () => {
    if (!stack) return;
    const child = await interruptedUp("SIGKILL", 3);
    // The doc's steps, in its order (the plugins a kill -9 leaves are stopped first, as by a user who closes that terminal).
    sessionProcesses(child.pid as number).forEach((pid) => spawnSync("kill", ["-9", String(pid)]));
    const doc = readFileSync(join(__dirname, "../../docs/faults.md"), "utf8");
    const steps = /By hand, the same steps:\n\n```sh\n([\s\S]*?)```/.exec(doc)?.[1]?.trim().split("\n") ?? [];
    expect(steps).toEqual(["pulumi cancel --stack dev --yes", "pulumi refresh --clear-pending-creates --yes --stack dev", "pulumi preview --stack dev"]);
    // Each step run as written, in the project with the environment npm run up gives pulumi.
    const [cancel, refresh, preview] = steps.map((step) => {
      const run = spawnSync("sh", ["-c", step], { cwd: stack!.root, env: pulumiEnv(stack!.root), encoding: "utf8", timeout: 600_000 });
      return { status: run.status, output: `${run.stdout}${run.stderr}` };
    });
    expect(cancel!.status, cancel!.output).toBe(0);
    expect(refresh!.status, refresh!.output).toBe(0);
    expect(preview!.status, preview!.output).not.toBe(0);
    const removals = [...preview!.output.matchAll(/remove it with `(docker rm -f [\w-]+)`/g)].map((match) => match[1] as string);
    expect(removals.length).toBeGreaterThan(0);
    for (const removal of removals) expect(spawnSync("sh", ["-c", removal]).status).toBe(0);
    expect(doc).toContain("then `pulumi up --stack dev --yes`");
    const up = stack.pulumi(["up", "--yes"]);
    expect(up.status, up.output).toBe(0);
    await converged();
  });

  it("SIGINT of pulumi mid-up (Ctrl-C): npm run up converges", async () => {
    if (!stack) return;
    await interruptedUp("SIGINT", 3);
    const up = stack.up();
    expect(up.status, up.output).toBe(0);
    expect(up.output).not.toMatch(/Conflict\. The container name/);
    await converged();
  });

  for (const node of ["fluvio-dev-spu-5002", "fluvio-dev-sc"]) {
    it(`docker kill of ${node}: preview warns, npm run up starts it again and changes nothing else`, async () => {
      if (!stack) return;
      expect(spawnSync("docker", ["kill", node]).status).toBe(0);
      expect(clusterContainers().get(node)).toBe("exited");
      const preview = stack.pulumi(["preview"]);
      expect(preview.output).toContain(`${node} is exited (stopped by hand or killed: Docker does not restart it): \`npm run up -- dev\` starts it again`);
      const up = stack.up();
      expect(up.status, up.output).toBe(0);
      expect(up.output).toContain(`fluvio-spu: ${node} was exited (stopped by hand or killed): started it again (docker start ${node})`);
      expect(clusterContainers().get(node)).toBe("running");
      await converged();
    });
  }
});
