/**
 * Issue 19, the Docker half: the dev stack under the real Pulumi engine, the Node.js language
 * host and the Docker provider 5.2.0, against the real Docker engine, with real Fluvio 0.18.1
 * (support/docker-stack.ts). Each test fails without the fix it names:
 * - a second `up` replaces nothing and `refresh` finds nothing (ports declared in the order the
 *   engine reports them: src/targets/docker/port-order.ts);
 * - nothing a registration job prints is in the state (`logs: false`);
 * - a registration image without /bin/sh is the project's one line, not the runtime's OCI text
 *   (src/preflight/images.ts);
 * - an orphan is refused with one line naming it and its commands, and `npm run up` puts it
 *   right (src/preflight/orphans.ts, src/deploy/recover.ts);
 * - the README's `npm run up -- dev --yes` and `npm run down -- dev --yes`, for real.
 * Run it alone and under the shared lock: flock /tmp/fluvio-spu-docker.lock npx vitest run test/engine/docker.test.ts
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { REGISTERED_MARKER } from "../../src/targets/docker";
import { STACK, allOnline, clusterContainers, clusterVolumes, devStack, dockerEngineTierSkip, eventually, removeCluster, type DevStack } from "./support/docker-stack";
import { TOOLCHAIN_BIN } from "./support/toolchain";
import { runBin } from "../support/cli";

const FILE = "test/engine/docker.test.ts";
const skip = dockerEngineTierSkip(FILE);
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

/** Container name → id, as the engine has them. */
function containerIds(): Map<string, string> {
  const listed = spawnSync("docker", ["ps", "-a", "--filter", "label=fluvio-spu.stack=dev", "--filter", "label=fluvio-spu.cluster=fluvio-dev", "--format", "{{.Names}} {{.ID}}"], { encoding: "utf8" });
  return new Map(listed.stdout.split("\n").filter(Boolean).map((line) => line.split(" ") as [string, string]));
}

describe.skipIf(skip !== undefined)("the dev stack on the real engine (Pulumi CLI, Docker provider 5.2.0, real Fluvio)", () => {
  let stack: DevStack | undefined;
  const times: Record<string, number> = {};

  beforeAll(() => {
    removeCluster();
    stack = devStack(FILE);
  });

  afterAll(() => {
    stack?.dispose();
    if (Object.keys(times).length > 0) console.info(`${FILE} timings (ms): ${JSON.stringify(times)}`);
  });

  it("npm run up -- dev --yes deploys it: the stack checked first, the toolchain's pulumi, every SPU Online", async () => {
    if (!stack) return;
    const run = stack.up();
    times.firstUp = run.ms;
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain("fluvio-spu: using the Pulumi CLI and plugins in .toolchain/bin");
    expect(run.output).toContain("fluvio-spu: pulumi up --stack dev --yes");
    const spus = await eventually(() => stack!.spus(), allOnline);
    expect(spus.map((spu) => `${spu.id} ${spu.status}`).sort()).toEqual(["5001 Online", "5002 Online", "5003 Online"]);
  });

  it("a second up changes nothing (no SC or SPU replaced), and refresh then finds nothing to update", () => {
    if (!stack) return;
    const before = containerIds();
    const second = stack.pulumi(["up", "--yes", "--expect-no-changes"]);
    times.secondUp = second.ms;
    expect(second.status, second.output).toBe(0);
    expect(second.output).not.toMatch(/replace|ports\[0\]\.ip/);
    expect(containerIds()).toEqual(before);
    const refresh = stack.pulumi(["refresh", "--yes", "--expect-no-changes"]);
    expect(refresh.status, refresh.output).toBe(0);
    expect(refresh.output).not.toMatch(/~ \d+ updated/);
  });

  it("nothing a registration job printed is in the state (containerLogs empty, no line of its output)", () => {
    if (!stack) return;
    const { text, deployment } = stack.exported();
    const jobs = (deployment.resources as Record<string, any>[]).filter((resource) => resource.type === "docker:index/container:Container" && /register/.test(resource.outputs?.name ?? ""));
    expect(jobs).toHaveLength(3);
    for (const job of jobs) {
      expect(job.outputs.logs).toBe(false);
      expect(job.outputs.containerLogs ?? null).toBeNull();
    }
    // The jobs did print it (docker logs shows it): it is only the state that must not hold it.
    // (The script itself, which holds the marker's words, is an input: the state may hold that.)
    const printed = `${REGISTERED_MARKER} 5001`;
    expect(spawnSync("docker", ["logs", "fluvio-dev-spu-5001-register"], { encoding: "utf8" }).stdout).toContain(printed);
    expect(text).not.toContain(printed);
  });

  it("a registration image without /bin/sh stops up with the project's one line (images.cli, the fix), before anything changes", () => {
    if (!stack) return;
    // An image holding the fluvio CLI alone: no shell.
    const rootfs = mkdtempSync(join(tmpdir(), "fluvio-spu-nosh-"));
    spawnSync("mkdir", ["-p", join(rootfs, "usr/local/bin")]);
    spawnSync("cp", [join(TOOLCHAIN_BIN, "fluvio"), join(rootfs, "usr/local/bin/fluvio")]);
    const tar = spawnSync("tar", ["-C", rootfs, "-c", "."], { maxBuffer: 512 * 1024 * 1024 });
    const image = "fluvio-spu-engine-test/cli-without-sh:1";
    expect(spawnSync("docker", ["import", "-", image], { input: tar.stdout }).status).toBe(0);
    rmSync(rootfs, { recursive: true, force: true });
    const file = join(stack.root, "stacks", `Pulumi.${STACK}.yaml`);
    const original = readFileSync(file, "utf8");
    const config = parse(original);
    config.config["fluvio-spu:cluster"].images.cli = image;
    writeFileSync(file, stringify(config));
    const before = containerIds();
    try {
      const run = stack.pulumi(["up", "--yes", "--skip-preview"]);
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(new RegExp(`images\\.cli: ${image.replace(/[/.]/g, "\\$&")} has no /bin/sh, which fluvio-dev-spu-5001-register and 3 other containers run \\(/bin/sh\\): build the registration image`));
      expect(run.output).not.toMatch(/OCI runtime|no such file or directory|Conflict/);
      expect(containerIds()).toEqual(before);
    } finally {
      writeFileSync(file, original);
      spawnSync("docker", ["rmi", "-f", image]);
    }
  });

  it("an orphan (a container of the plan the state lost) is refused in one line naming it and its commands; npm run up removes it and converges", async () => {
    if (!stack) return;
    const resources = stack.exported().deployment.resources as Record<string, any>[];
    const urn = resources.map((resource) => resource.urn as string).find((found) => found.endsWith("$docker:index/container:Container::fluvio-register-5001")) as string;
    expect(urn).toMatch(/^urn:pulumi:dev::fluvio-spu::fluvio-spu:index:SpuCluster\$/);
    // The sync job depends on every registration: the state loses it too (two orphans, as an interrupted up leaves).
    const deleted = stack.pulumi(["state", "delete", urn, "--target-dependents", "--yes"]);
    expect(deleted.status, deleted.output).toBe(0);
    const orphan = containerIds().get("fluvio-dev-spu-5001-register") as string;
    const preview = stack.pulumi(["preview"]);
    expect(preview.status, preview.output).not.toBe(0);
    expect(preview.output).toMatch(/container fluvio-dev-spu-sync \(\w{12}, exited\) is not in stack dev's state/);
    expect(preview.output).toMatch(/container fluvio-dev-spu-5001-register \(\w{12}, exited\) is not in stack dev's state: .*remove it with `docker rm -f fluvio-dev-spu-5001-register`.*or adopt it with `pulumi import .* docker:index\/container:Container fluvio-register-5001 \w{64}`/);
    expect(preview.output).not.toMatch(/Conflict\. The container name/);
    // doctor compares the containers with the same state, and names both with their commands.
    const doctor = runBin(stack.root, ["doctor", "--stack", STACK]);
    expect(doctor.code, `${doctor.out}${doctor.err}`).toBe(1);
    expect(doctor.out).toMatch(/FAIL container fluvio-dev-spu-5001-register: \w{12}, exited, is not in stack dev's state: a container the plan declares, left by an interrupted up/);
    expect(doctor.out).toContain("`npm run up -- dev` removes it and converges; by hand `docker rm -f fluvio-dev-spu-5001-register` (named volumes stay), or adopt it with `pulumi import --stack dev");
    expect(doctor.out).toMatch(/FAIL container fluvio-dev-spu-sync: /);
    expect(doctor.out).not.toMatch(/ok {3}SPU 5001 registration/);

    const up = stack.up();
    expect(up.status, up.output).toBe(0);
    expect(up.output).toContain("fluvio-spu: removed fluvio-dev-spu-5001-register, a container of the plan an interrupted up created but never recorded");
    expect(containerIds().get("fluvio-dev-spu-5001-register")).not.toBe(orphan);
    expect(allOnline(await eventually(() => stack!.spus(), allOnline))).toBe(true);
    const after = runBin(stack.root, ["doctor", "--stack", STACK]);
    expect(after.out).toContain("ok   state: stack dev's Pulumi state tracks every container of the cluster");
    expect(after.code, `${after.out}${after.err}`).toBe(0);
  });

  it("npm run down -- dev --yes destroys the containers and the network and keeps every data volume", () => {
    if (!stack) return;
    const volumes = clusterVolumes();
    expect(volumes).toEqual(["fluvio-dev-sc-metadata", "fluvio-dev-spu-5001-data", "fluvio-dev-spu-5002-data", "fluvio-dev-spu-5003-data"]);
    const down = stack.down();
    times.destroy = down.ms;
    expect(down.status, down.output).toBe(0);
    expect(clusterContainers().size).toBe(0);
    expect(clusterVolumes()).toEqual(volumes);
  });
});
