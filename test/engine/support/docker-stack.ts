/**
 * The dev stack (stacks/Pulumi.dev.yaml, target docker) deployed for real: the Pulumi CLI and the
 * Node.js language host and Docker provider 5.2.0 in .toolchain/bin, the real Docker engine, and
 * real Fluvio 0.18.1 (the images images/fluvio-engines/build.sh makes from the toolchain's
 * binaries, standing in for infinyon/fluvio and the CLI image). It runs in a copy of the project
 * (what `npm run up` uses: scripts, the compiled program, the stacks) whose dev stack names those
 * images and leaves metrics out (the exporter image needs a registry base); its state backend is
 * the copy's own `.pulumi-state`, as `npm run up` makes it. Whatever a test leaves is removed with
 * `npm run down -- dev --purge --yes` and, failing that, by the cluster's labels.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { LABELS } from "../../../src/plan/layout";
import { realFluvioImages } from "../../live/support/fluvio";
import { PROJECT_ROOT, TOOLCHAIN_BIN } from "./toolchain";

export const STACK = "dev";
export const CLUSTER = "fluvio-dev";

/** Why the Docker half of the engine tier cannot run here, or undefined. Throws under CI=true. */
export function dockerEngineTierSkip(file: string): string | undefined {
  const missing = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-docker", "fluvio", "fluvio-run"].filter((name) => !existsSync(join(TOOLCHAIN_BIN, name)));
  let reason: string | undefined;
  if (missing.length > 0) reason = `${missing.join(", ")} not in .toolchain/bin (run: npm run toolchain)`;
  else {
    const engine = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], { encoding: "utf8", timeout: 15_000 });
    if (engine.status !== 0) reason = `no Docker engine answers (${(engine.stderr || engine.error?.message || "").trim().split("\n")[0]})`;
  }
  if (reason === undefined) return undefined;
  if (process.env.CI === "true") throw new Error(`engine tier ${file}: ${reason}; CI must run it (.ci/run builds the toolchain and starts dockerd)`);
  console.warn(`\n*** SKIPPING engine tier ${file}: ${reason}. ***\n`);
  return reason;
}

/** The environment `npm run up` gives pulumi in `root` (scripts/state.sh), for commands a test runs itself. */
export function pulumiEnv(root: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${TOOLCHAIN_BIN}:${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${root}/.pulumi-state`,
    PULUMI_CONFIG_PASSPHRASE: "fluvio-spu-local-dev",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
  };
}

export interface Run {
  status: number | null;
  output: string;
  ms: number;
}

export interface DevStack {
  root: string;
  /** `npm run up -- dev <flags>` (scripts/up.sh) as a user runs it. */
  up(flags?: string[]): Run;
  down(flags?: string[]): Run;
  /** `pulumi <args>` on the stack's backend, in the project copy. */
  pulumi(args: string[]): Run;
  /** `pulumi <args>` started in a session of its own (so that it and its plugins can be signalled together). */
  start(args: string[]): ChildProcess;
  exported(): { text: string; deployment: Record<string, any> };
  /** `fluvio cluster spu list -O json` through the stack's client profile. */
  spus(): { id: number; status: string }[];
  dispose(): void;
}

/** A project copy holding the dev stack with real Fluvio images; undefined (after one loud line) when they cannot be made. */
export function devStack(file: string, cluster: Record<string, unknown> = {}): DevStack | undefined {
  const images = realFluvioImages(file);
  if (!images) return undefined;
  const root = mkdtempSync(join(tmpdir(), "fluvio-spu-docker-engine-"));
  for (const entry of ["Pulumi.yaml", "package.json", "bin", "dist", "scripts", "images", "stacks"]) cpSync(join(PROJECT_ROOT, entry), join(root, entry), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(root, "node_modules"));
  mkdirSync(join(root, ".toolchain"));
  mkdirSync(join(root, ".pulumi-state"));
  symlinkSync(TOOLCHAIN_BIN, join(root, ".toolchain", "bin"));
  const dev = { target: "docker", environment: "dev", spus: 3, images: { fluvio: images.fluvio, cli: images.cli }, metrics: { enabled: false }, ...cluster };
  writeFileSync(join(root, "stacks", `Pulumi.${STACK}.yaml`), stringify({ config: { "fluvio-spu:cluster": dev } }));
  const env = pulumiEnv(root);
  const run = (command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): Run => {
    const started = Date.now();
    const result = spawnSync(command, args, { cwd: root, env: options.env ?? env, encoding: "utf8", timeout: options.timeout ?? 600_000, maxBuffer: 64 * 1024 * 1024 });
    return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}`, ms: Date.now() - started };
  };
  // npm run up / down as a user runs them: no backend or passphrase set, the scripts choose.
  const userEnv: NodeJS.ProcessEnv = { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" };
  for (const key of ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"]) delete userEnv[key];
  return {
    root,
    up: (flags = ["--yes"]) => run("bash", [join(root, "scripts/up.sh"), STACK, ...flags], { env: userEnv }),
    down: (flags = ["--yes"]) => run("bash", [join(root, "scripts/down.sh"), STACK, ...flags], { env: userEnv }),
    pulumi: (args) => run("pulumi", [...args, "--stack", STACK]),
    start: (args) => spawn("pulumi", [...args, "--stack", STACK], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] }),
    exported() {
      const text = run("pulumi", ["stack", "export", "--stack", STACK]).output;
      return { text, deployment: JSON.parse(text).deployment };
    },
    spus() {
      const profile = join(root, "profile.toml");
      writeFileSync(profile, run("pulumi", ["stack", "output", "clientProfile", "--show-secrets", "--stack", STACK]).output);
      const listed = spawnSync(join(TOOLCHAIN_BIN, "fluvio"), ["cluster", "spu", "list", "-O", "json"], { env: { ...process.env, FLV_PROFILE_PATH: profile }, encoding: "utf8", timeout: 30_000 });
      if (listed.status !== 0) return [];
      return (JSON.parse(listed.stdout) as { spec: { spuId: number }; status: { resolution: string } }[]).map((spu) => ({ id: spu.spec.spuId, status: spu.status.resolution }));
    },
    dispose() {
      run("bash", [join(root, "scripts/down.sh"), STACK, "--purge", "--yes"], { env: userEnv });
      removeCluster();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Every container, network and volume of the cluster, by its labels (what a failed test may leave). */
export function removeCluster(): void {
  const filter = ["--filter", `label=${LABELS.cluster}=${CLUSTER}`, "--filter", `label=${LABELS.stack}=${STACK}`];
  const ids = (args: string[]) => spawnSync("docker", args, { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
  const containers = ids(["ps", "-aq", ...filter]);
  if (containers.length > 0) spawnSync("docker", ["rm", "-f", ...containers]);
  const networks = ids(["network", "ls", "-q", ...filter]);
  if (networks.length > 0) spawnSync("docker", ["network", "rm", ...networks]);
  const volumes = ids(["volume", "ls", "-q", ...filter]);
  if (volumes.length > 0) spawnSync("docker", ["volume", "rm", ...volumes]);
}

/** The cluster's containers on the engine: name → state. */
export function clusterContainers(): Map<string, string> {
  const listed = spawnSync("docker", ["ps", "-a", "--filter", `label=${LABELS.cluster}=${CLUSTER}`, "--filter", `label=${LABELS.stack}=${STACK}`, "--format", "{{.Names}} {{.State}}"], { encoding: "utf8" });
  return new Map(listed.stdout.split("\n").filter(Boolean).map((line) => line.split(" ") as [string, string]));
}

/** The cluster's volumes on the engine. */
export function clusterVolumes(): string[] {
  const listed = spawnSync("docker", ["volume", "ls", "-q", "--filter", `label=${LABELS.cluster}=${CLUSTER}`, "--filter", `label=${LABELS.stack}=${STACK}`], { encoding: "utf8" });
  return listed.stdout.split("\n").filter(Boolean).sort();
}

/** Polls `check` until it holds (or `ms` pass); gives its last answer. */
export async function eventually<T>(check: () => T, holds: (value: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = check();
  while (!holds(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    value = check();
  }
  return value;
}

/** Every SPU of the plan listed Online. */
export const allOnline = (spus: { id: number; status: string }[], count = 3): boolean => spus.length === count && spus.every((spu) => spu.status === "Online");
