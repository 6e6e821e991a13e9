/**
 * Support for testing scripts/up.sh, scripts/down.sh and the image build scripts as a user runs
 * them: a copy of the project (without src/, so nothing is recompiled: the copy uses the dist/
 * vitest's global setup built) and fake `pulumi` and `docker` executables, placed first on the
 * PATH, that record every call. The fake engine holds a list of images and labelled volumes;
 * `pull` succeeds only for images listed as pullable, `build` adds its tag.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll } from "vitest";
import { stringify } from "yaml";
import { PROJECT_ROOT } from "./pulumi";

/** Temporary directories of the test file, removed after its last test (the hook joins the importing file's root suite). */
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** A copy of what `npm run up` / `down` use: scripts, images, the compiled program and CLI, the stacks. */
export function scriptProject(stacks: Record<string, unknown> = {}): string {
  const root = temporaryDir("fluvio-spu-scripts-");
  for (const entry of ["Pulumi.yaml", "package.json", "stacks", "bin", "dist", "scripts", "images"]) {
    cpSync(join(PROJECT_ROOT, entry), join(root, entry), { recursive: true });
  }
  for (const [stack, cluster] of Object.entries(stacks)) {
    writeFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), stringify({ config: { "fluvio-spu:cluster": cluster } }));
  }
  return root;
}

/** One recorded call of a fake tool. */
export interface ToolCall {
  tool: "pulumi" | "docker";
  argv: string[];
  /** The executable that answered (the fake pulumi's path). */
  bin?: string;
  env: Record<string, string | undefined>;
}

/** The fake `pulumi`'s source, to place elsewhere (a project's .toolchain/bin). */
export function fakePulumiSource(): string {
  return FAKE_PULUMI;
}

/** The state of the fake engine. */
export interface FakeEngine {
  /** false: `docker version` fails as with no daemon. */
  up: boolean;
  images: string[];
  pullable: string[];
  volumes: { name: string; labels: Record<string, string> }[];
}

const RECORDED_ENV = ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "KUBECONFIG", "DOCKER_HOST", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"];

const FAKE_PULUMI = `#!/usr/bin/env node
const fs = require("fs");
const env = Object.fromEntries(${JSON.stringify(RECORDED_ENV)}.map((key) => [key, process.env[key]]));
fs.appendFileSync(process.env.FAKE_TOOLS_LOG, JSON.stringify({ tool: "pulumi", argv: process.argv.slice(2), env, bin: process.argv[1] }) + "\\n");
// The state a stack export gives: FAKE_PULUMI_EXPORT's, else a stack with nothing deployed.
if (process.argv[2] === "stack" && process.argv[3] === "export") process.stdout.write(process.env.FAKE_PULUMI_EXPORT || '{"version":3,"deployment":{}}');
`;

const FAKE_DOCKER = `#!/usr/bin/env node
const fs = require("fs");
const path = require("path");
const args = process.argv.slice(2);
const env = Object.fromEntries(${JSON.stringify(RECORDED_ENV)}.map((key) => [key, process.env[key]]));
fs.appendFileSync(process.env.FAKE_TOOLS_LOG, JSON.stringify({ tool: "docker", argv: args, env }) + "\\n");
const statePath = process.env.FAKE_DOCKER_STATE;
const state = JSON.parse(fs.readFileSync(statePath, "utf8"));
const save = () => fs.writeFileSync(statePath, JSON.stringify(state));
const die = (message, code = 1) => { process.stderr.write(message + "\\n"); process.exit(code); };
const [command, sub] = args;
if (!state.up) die("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?");
if (command === "version") { process.stdout.write("20.10.24\\n"); process.exit(0); }
if (command === "image" && sub === "inspect") process.exit(state.images.includes(args[args.length - 1]) ? 0 : 1);
if (command === "pull") {
  const image = args[args.length - 1];
  if (!state.pullable.includes(image)) die("Error response from daemon: pull access denied for " + image.split(":")[0] + ", repository does not exist or may require 'docker login'");
  state.images.push(image); save(); process.exit(0);
}
if (command === "build") {
  const tag = args[args.indexOf("-t") + 1];
  const context = args[args.length - 1];
  const files = [];
  const walk = (dir) => { for (const entry of fs.readdirSync(dir, { withFileTypes: true })) { const full = path.join(dir, entry.name); entry.isDirectory() ? walk(full) : files.push(path.relative(context, full)); } };
  walk(context);
  fs.appendFileSync(process.env.FAKE_TOOLS_LOG, JSON.stringify({ tool: "docker", argv: ["(context)", ...files.sort(), "(dockerfile)", fs.readFileSync(path.join(context, "Dockerfile"), "utf8")], env: {} }) + "\\n");
  state.images.push(tag); save(); process.exit(0);
}
if (command === "volume" && sub === "ls") {
  const filters = [];
  for (let i = 0; i < args.length; i++) if (args[i] === "--filter") filters.push(args[i + 1].replace(/^label=/, ""));
  const match = (volume) => filters.every((filter) => { const at = filter.indexOf("="); return volume.labels[filter.slice(0, at)] === filter.slice(at + 1); });
  process.stdout.write(state.volumes.filter(match).map((volume) => volume.name + "\\n").join(""));
  process.exit(0);
}
if (command === "volume" && sub === "inspect") {
  const volume = state.volumes.find((entry) => entry.name === args[args.length - 1]);
  if (!volume) die("Error: No such volume");
  const format = args[args.indexOf("--format") + 1];
  process.stdout.write(format.replace(/\\{\\{index \\.Labels "([^"]+)"\\}\\}/g, (_, key) => volume.labels[key] ?? "") + "\\n");
  process.exit(0);
}
if (command === "volume" && sub === "rm") {
  state.volumes = state.volumes.filter((entry) => entry.name !== args[args.length - 1]); save(); process.exit(0);
}
die("fake docker: unsupported: " + args.join(" "), 125);
`;

export interface FakeTools {
  /** PATH with the fakes first (`pulumi: false` leaves the fake pulumi out). */
  path: string;
  env: Record<string, string>;
  calls(): ToolCall[];
  engine(): FakeEngine;
}

/**
 * Fake `pulumi` and `docker` in a fresh directory, the engine starting as `engine` says;
 * `docker: false` leaves the real docker CLI (and engine) in charge (the live tier), `"absent"`
 * leaves no docker CLI on the PATH at all.
 */
export function fakeTools(engine: Partial<FakeEngine> = {}, options: { pulumi?: boolean; docker?: boolean | "absent" } = {}): FakeTools {
  const dir = temporaryDir("fluvio-spu-fake-tools-");
  const bin = join(dir, "bin");
  mkdirSync(bin);
  if (options.pulumi !== false) writeFileSync(join(bin, "pulumi"), FAKE_PULUMI);
  if (options.docker === undefined || options.docker === true) writeFileSync(join(bin, "docker"), FAKE_DOCKER);
  for (const tool of ["pulumi", "docker"]) if (existsSync(join(bin, tool))) chmodSync(join(bin, tool), 0o755);
  const log = join(dir, "calls.jsonl");
  const state = join(dir, "engine.json");
  writeFileSync(log, "");
  writeFileSync(state, JSON.stringify({ up: true, images: [], pullable: [], volumes: [], ...engine }));
  // Without any real pulumi (nor docker, when absent): a directory of the PATH that holds one is
  // replaced by a shadow of links to everything else in it (/usr/bin holds bash and node too).
  const hidden = options.docker === "absent" ? ["pulumi", "docker"] : ["pulumi"];
  const rest = (process.env.PATH ?? "").split(delimiter).map((entry, index) => {
    if (!hidden.some((tool) => existsSync(join(entry, tool)))) return entry;
    const shadow = join(dir, `shadow-${index}`);
    mkdirSync(shadow);
    for (const name of readdirSync(entry)) if (!hidden.includes(name)) symlinkSync(join(entry, name), join(shadow, name));
    return shadow;
  });
  // With the fake docker CLI, whatever asks the engine's API directly (the preflight, the
  // recovery before `pulumi up`) finds no engine: never the real one, whose containers are not the fake's.
  const noEngine: Record<string, string> = options.docker === undefined || options.docker === true ? { DOCKER_HOST: `unix://${join(dir, "no-engine.sock")}` } : {};
  return {
    path: [bin, ...rest].join(delimiter),
    env: { FAKE_TOOLS_LOG: log, FAKE_DOCKER_STATE: state, ...noEngine },
    calls: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ToolCall),
    engine: () => JSON.parse(readFileSync(state, "utf8")) as FakeEngine,
  };
}

/** Runs a script of the project copy with the fake tools, as `npm run <script> -- args` would. */
export function runScript(root: string, script: string, args: string[], tools: FakeTools, env: Record<string, string | undefined> = {}) {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const key of RECORDED_ENV) delete base[key];
  const merged: Record<string, string | undefined> = { ...base, NODE_PATH: join(PROJECT_ROOT, "node_modules"), PATH: tools.path, ...tools.env, ...env };
  const defined = Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const result = spawnSync("bash", [join(root, script), ...args], { cwd: root, encoding: "utf8", input: "", env: defined });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, lines: result.stderr.split("\n").filter((line) => line.trim().length > 0) };
}
