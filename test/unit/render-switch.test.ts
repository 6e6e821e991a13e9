/**
 * Issue #21, "writes are whole or not at all", for `fluvio-ports render`: a render of a changed
 * stack over an existing set, killed with SIGKILL at every step of its switch (and at random
 * moments), leaves a folder that holds the whole old set or the whole new set once the next
 * render (or `recoverRenderedFolder`) ran, the user's own files intact and no temporary file.
 * The render runs in a child process (test/support/render-child.ts, bundled once here).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { recoverRenderedFolder, RENDER_WORK_DIR } from "../../src/render/folder";
import { renderStack } from "../../src/render/stack";
import { runCli } from "../support/cli";
import { makeProject } from "../support/project";

type FileSet = Map<string, string>;

const scratch = mkdtempSync(join(tmpdir(), "fluvio-spu-render-switch-"));
const child = join(scratch, "render-child.js");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(async () => {
  await build({ entryPoints: [join(__dirname, "..", "support", "render-child.ts")], bundle: true, platform: "node", format: "cjs", outfile: child, logLevel: "error" });
}, 30_000);

/** The user's own files in the output folder: render must never touch them. */
const USER_FILES: Record<string, string> = { "tls/ca.crt": "-----BEGIN CERTIFICATE-----\nmine\n-----END CERTIFICATE-----\n", "notes.txt": "how we run this cluster\n" };

function writeStack(root: string, stack: string, cluster: unknown): void {
  writeFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), stringify({ config: { "fluvio-spu:cluster": cluster } }));
}

/** The rendered set in `dir`: every regular file at the top level but the user's. */
function setIn(dir: string): FileSet {
  return new Map(readdirSync(dir).filter((name) => !(name in USER_FILES) && name !== "tls").map((name) => [name, readFileSync(join(dir, name), "utf8")]));
}

/** `stack` of `root` rendered into a fresh folder, as a set. */
function renderedSet(root: string, stack: string): FileSet {
  const dir = mkdtempSync(join(scratch, "expected-"));
  renderStack(root, stack, dir);
  return setIn(dir);
}

/** A fresh output folder holding `set` and the user's files. */
function folderWith(set: FileSet): string {
  const dir = mkdtempSync(join(scratch, "out-"));
  for (const [name, text] of Object.entries(USER_FILES)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  for (const [name, text] of set) writeFileSync(join(dir, name), text);
  return dir;
}

function expectUserFilesIntact(dir: string): void {
  for (const [name, text] of Object.entries(USER_FILES)) expect(readFileSync(join(dir, name), "utf8"), name).toBe(text);
  expect(readdirSync(join(dir, "tls"))).toEqual(["ca.crt"]);
}

/** Which whole set the folder holds (and nothing else but the user's files: no working folder, lock or temporary file). */
function wholeSetIn(dir: string, sets: Record<string, FileSet>): string {
  expectUserFilesIntact(dir);
  const found = setIn(dir);
  const match = Object.entries(sets).find(([, set]) => set.size === found.size && [...set].every(([name, text]) => found.get(name) === text));
  expect(match?.[0], `the folder holds ${[...found.keys()].join(", ")}, not one whole set`).toBeDefined();
  return match![0];
}

/** Each rendered file present holds the old or the new text of its name, never a part (what a killed render may leave before recovery). */
function expectNoPartialFile(dir: string, sets: FileSet[]): void {
  for (const name of readdirSync(dir)) {
    if (name in USER_FILES || name === "tls" || name === RENDER_WORK_DIR || name === `${RENDER_WORK_DIR}.lock`) continue;
    const text = readFileSync(join(dir, name), "utf8");
    expect(sets.some((set) => set.get(name) === text), `${name} is whole`).toBe(true);
  }
}

function runChild(args: string[]): { signal: NodeJS.Signals | null; status: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, [child, ...args], { encoding: "utf8", timeout: 20_000 });
  return { signal: result.signal, status: result.status, out: result.stdout, err: result.stderr };
}

describe("render killed with SIGKILL at every step of its switch", () => {
  const root = makeProject({ dev: { environment: "dev", spus: 1, monitoring: { prometheus: true } } });
  const old = renderedSet(root, "dev");
  writeStack(root, "dev", { environment: "dev", spus: 2 });
  const fresh = renderedSet(root, "dev");
  const sets = { old, new: fresh };

  it("the two sets differ in names and in contents (else the test proves nothing)", () => {
    expect([...old.keys()].sort()).toEqual(["client-profile.toml", "container-client-profile.toml", "docker-compose.yaml", "plan.json", "prometheus-rules.yaml", "prometheus.yml"]);
    expect([...fresh.keys()].sort()).toEqual(["client-profile.toml", "container-client-profile.toml", "docker-compose.yaml", "plan.json"]);
    expect(fresh.get("plan.json")).not.toBe(old.get("plan.json"));
  });

  it("each kill leaves the old set or, after recovery, the new one; the next render gives the new set; nothing else is left", async () => {
    const out = folderWith(old);
    const whole = runChild(["step", "1000", root, "dev", out]);
    expect(whole.status, whole.err).toBe(0);
    const steps = JSON.parse(whole.out) as string[];
    expect(steps).toEqual([
      "begin",
      "stage docker-compose.yaml",
      "stage plan.json",
      "stage client-profile.toml",
      "stage container-client-profile.toml",
      "journal",
      "commit",
      "rename docker-compose.yaml",
      "rename plan.json",
      "rename client-profile.toml",
      "rename container-client-profile.toml",
      "remove prometheus-rules.yaml",
      "remove prometheus.yml",
      "finish",
    ]);
    expect(wholeSetIn(out, sets)).toBe("new");
    const commit = steps.indexOf("commit");
    const outcomes: string[] = [];
    for (let k = 0; k < steps.length; k++) {
      const dir = folderWith(old);
      const killed = runChild(["step", String(k), root, "dev", dir]);
      expect(killed.signal, `killed before ${steps[k]}: ${killed.err}`).toBe("SIGKILL");
      expectNoPartialFile(dir, [old, fresh]);
      // Killed mid-switch, the folder may hold a mix until someone recovers it.
      const did = recoverRenderedFolder(dir);
      const held = wholeSetIn(dir, sets);
      expect(held, `killed before ${steps[k]} (recovery: ${did})`).toBe(k <= commit ? "old" : "new");
      outcomes.push(`${steps[k]}: ${held}`);
      const next = await runCli(["render", "--stack", "dev", "--root", root, "--out", dir]);
      expect(next.code, next.err).toBe(0);
      expect(wholeSetIn(dir, sets)).toBe("new");
      expect(existsSync(join(dir, RENDER_WORK_DIR)) || existsSync(join(dir, `${RENDER_WORK_DIR}.lock`))).toBe(false);
    }
    console.log(`render killed at ${steps.length} steps: ${outcomes.join("; ")}`);
  }, 60_000);

  /** A folder where a render stopped right after the commit point (everything of the switch left to recovery), made in-process. */
  function committedOnly(): string {
    const dir = folderWith(old);
    const stop = (step: string) => {
      if (step.startsWith("rename")) throw new Error("stopped");
    };
    expect(() => renderStack(root, "dev", dir, {}, { onStep: stop })).toThrow("stopped");
    expect(readdirSync(join(dir, RENDER_WORK_DIR)).sort()).toEqual(["new", "switch.json"]);
    return dir;
  }

  it("a recovery killed at each of its steps is finished by the next one", () => {
    const probe = committedOnly();
    const full = runChild(["recover", "1000", probe]);
    expect(full.status, full.err).toBe(0);
    const recoverySteps = JSON.parse(full.out.slice(full.out.indexOf(" ") + 1)) as string[];
    expect(full.out.split(" ")[0]).toBe("finished");
    expect(recoverySteps[0]).toBe("rename docker-compose.yaml");
    for (let j = 0; j < recoverySteps.length; j++) {
      const dir = committedOnly();
      expect(runChild(["recover", String(j), dir]).signal, `recovery killed before ${recoverySteps[j]}`).toBe("SIGKILL");
      expectNoPartialFile(dir, [old, fresh]);
      recoverRenderedFolder(dir);
      expect(wholeSetIn(dir, sets)).toBe("new");
    }
  }, 60_000);
});

describe("render killed with SIGKILL at random moments", () => {
  it("renders of two stacks in turn into one folder, killed after a random delay: always one whole set after recovery", async () => {
    const root = makeProject({ a: { environment: "dev", spus: 1, monitoring: { prometheus: true } }, b: { environment: "dev", spus: 3 } });
    const sets = { a: renderedSet(root, "a"), b: renderedSet(root, "b") };
    const seen: Record<string, number> = { a: 0, b: 0 };
    const RUNS = 8;
    for (let run = 0; run < RUNS; run++) {
      const dir = folderWith(sets.a);
      const proc = spawn(process.execPath, [child, "loop", root, dir, "b", "a"], { stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      proc.stderr.on("data", (chunk) => (err += chunk));
      // After its first render (the slow one: a cold process), each takes some 20-400 ms here.
      await new Promise<void>((resolve, reject) => {
        proc.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("rendered") && resolve());
        proc.once("exit", (code) => reject(new Error(`the rendering child ended (${code}) before its first render: ${err}`)));
      });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.once("exit", (_code, signal) => resolve(signal)));
      proc.kill("SIGKILL");
      expect(await exited, err).toBe("SIGKILL");
      expectNoPartialFile(dir, [sets.a, sets.b]);
      recoverRenderedFolder(dir);
      seen[wholeSetIn(dir, sets)]!++;
      expect(readdirSync(dir).filter((name) => name.endsWith(".tmp") || name.startsWith(RENDER_WORK_DIR))).toEqual([]);
      expect(lstatSync(join(dir, "tls")).isDirectory()).toBe(true);
    }
    console.log(`render killed at random moments: ${RUNS} runs, whole set a ${seen.a} times, b ${seen.b} times`);
  }, 60_000);
});
