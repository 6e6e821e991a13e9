/**
 * The README cannot drift from the code: every command it shows is run here (or, for
 * `npm install` / `npm test` / `npm run bench`, by .ci/run), in a copy of the project so
 * that `--record` and `render` leave the repository alone. A command this file does not know
 * fails the test, so a new README command needs a way to be checked.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROGRAM_CONFIG_KEYS } from "../../src/program";
import { parseClusterSpec } from "../../src/config/schema";
import { readClusterConfig } from "../../src/config/stack";
import { planCluster } from "../../src/plan/plan";
import { buildDockerSpecs, engineIsLocal } from "../../src/targets/docker";
import { readDeployedPorts } from "../../src/cli/diff";
import { LABELS } from "../../src/plan/layout";
import { PROJECT_ROOT } from "../support/pulumi";
import { pkcs8Problem } from "../../src/config/pem";
import { clientTlsSettings } from "../../src/plan/outputs";
import { fakeTools, runScript, scriptProject } from "../support/scripts";

/** The README and every page under docs/: what a newcomer reads. */
const PAGES = ["README.md", ...readdirSync(join(PROJECT_ROOT, "docs")).filter((file) => file.endsWith(".md")).map((file) => `docs/${file}`)];
const pageText = new Map(PAGES.map((page) => [page, readFileSync(join(PROJECT_ROOT, page), "utf8")]));
const readme = [...pageText.values()].join("\n");

/** Commands: every line of a ```sh block, and every inline code span that starts like a command. */
function readmeCommands(): string[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((match) => match[1]!.split("\n"));
  const fromBlocks = blocks.map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) => line.length > 0);
  const inline = [...readme.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!.trim()).filter((span) => /^(npx|npm|pulumi|docker|kubectl) [a-z]|\.sh$/.test(span));
  return [...new Set([...fromBlocks, ...inline])];
}

/** Placeholders in advice (`--stack <other>`) stand for a real stack; a synopsis's `[optional parts]` are left out. */
function withPlaceholders(command: string): string {
  return command
    .replace(/\s*\[[^\]]*\](?=\s|$)/g, "")
    .replace(/<(s|stack|other|name)>/g, "dev")
    .replace(/<cluster>/g, "fluvio")
    .replace(/<id>/g, "5001")
    .replace(/<dir>/g, "render/placeholder")
    .replace(/<command>/g, "plan");
}

function projectCopy(): string {
  const root = mkdtempSync(join(tmpdir(), "fluvio-spu-readme-"));
  for (const entry of ["Pulumi.yaml", "stacks", "bin", "dist", "package.json", "node_modules", "scripts"]) {
    if (entry === "node_modules") continue;
    cpSync(join(PROJECT_ROOT, entry), join(root, entry), { recursive: true });
  }
  return root;
}

function runFluvioPorts(root: string, args: string[]) {
  return spawnSync(process.execPath, [join(root, "bin/fluvio-ports.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_PATH: join(PROJECT_ROOT, "node_modules") } });
}

/** The `-o`/`--output`/`--format` value of a command line, if it has one. */
function outputOf(words: string[]): string | undefined {
  const at = words.findIndex((word) => word === "-o" || word === "--output" || word === "--format");
  return at >= 0 ? words[at + 1] : undefined;
}

const COVERED_BY_CI = new Set(["npm ci", "npm test", "npm run bench", "npm run toolchain", "npm run control-plane -- start", "npm run control-plane -- stop"]);


/** The README's certificate recipe: the sh block that makes a CA, a server and a client certificate. */
function tlsRecipe(): string[] {
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!).find((text) => text.includes("openssl req -x509"));
  return (block ?? "").split("\n").map((line) => line.trim()).filter((line) => line.length > 0);
}

let recipeRun: { status: number | null; stderr: string; dir: string } | undefined;

/** Runs the whole recipe once, in order, with HOME in a temp folder; later calls get the same result. */
function runTlsRecipe(): { status: number | null; stderr: string; dir: string } {
  if (recipeRun) return recipeRun;
  const home = mkdtempSync(join(tmpdir(), "fluvio-spu-readme-tls-"));
  const result = spawnSync("bash", ["-euc", tlsRecipe().join("\n")], { encoding: "utf8", env: { ...process.env, HOME: home } });
  recipeRun = { status: result.status, stderr: result.stderr, dir: join(home, ".fluvio/tls") };
  return recipeRun;
}

const DEFAULT_IMAGES = parseClusterSpec({ environment: "dev", spus: 1 }).images;
const PACKAGE_JSON = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { name: string; scripts: Record<string, string>; peerDependencies: Record<string, string> };

/** The root program's stack outputs (`export const ...` of src/main.ts, Pulumi.yaml's main). */
const STACK_OUTPUTS = [...readFileSync(join(PROJECT_ROOT, "src/main.ts"), "utf8").matchAll(/^export const (\w+)/gm)].map((match) => match[1]!);

/** The Fluvio CLI commands (release 0.18.1) the README has clients run, with the flags it uses. */
const FLUVIO_CLIENT_COMMANDS: Record<string, RegExp> = {
  "topic create": /^fluvio topic create [a-z][a-z0-9-]*$/,
  produce: /^fluvio produce [a-z][a-z0-9-]*$/,
  consume: /^fluvio consume [a-z][a-z0-9-]*( -B)?( -d)?$/,
};

function checkFluvioCommand(command: string): void {
  const known = Object.entries(FLUVIO_CLIENT_COMMANDS).find(([sub]) => command.startsWith(`fluvio ${sub} `));
  expect(known, `a Fluvio client command the README may show: ${command}`).toBeDefined();
  expect(command).toMatch(known![1]);
}

/** `npm run up` / `npm run down` with fake pulumi and docker (test/support/scripts.ts) in a copy of the project. */
function runDeployScript(script: "up" | "down", args: string[]) {
  const tools = fakeTools({
    images: [DEFAULT_IMAGES.fluvio, DEFAULT_IMAGES.cli, DEFAULT_IMAGES.exporter],
    volumes: [{ name: "fluvio-dev-spu-5001-data", labels: { [LABELS.cluster]: "fluvio-dev", [LABELS.stack]: "dev" } }],
  });
  const root = scriptProject();
  return { root, tools, result: runScript(root, `scripts/${script}.sh`, args, tools) };
}


/** Docs commands a real-engine tier runs (pattern, the test file, what in it shows it runs it). */
const ELSEWHERE: Array<[RegExp, string, string]> = [
  [/^pulumi (cancel|refresh --clear-pending-creates)\b/, "test/engine/faults.test.ts", "By hand, the same steps"],
  [/^(docker rm -f|pulumi import)\b/, "test/engine/faults.test.ts", "remove it with"],
  [/^pulumi stack export$/, "src/deploy/state.ts", '"stack", "export"'],
  [/^docker (kill|start)\b/, "test/engine/faults.test.ts", '"kill"'],
  [/^docker stop( -t 3)?$/, "test/live/fluvio.test.ts", '"stop", "-t", "3"'],
  [/^images\/fluvio-engines\/build\.sh$/, "test/live/support/fluvio.ts", "images/fluvio-engines/build.sh"],
  [/^pulumi package (gen-sdk|get-schema) "\$\(command -v pulumi-resource-fluvio-spu\)"/, "test/engine/languages.test.ts", '"package", "gen-sdk"'],
  [/^pip install \.\/sdk\/python$/, "test/engine/support/python.ts", "pip"],
  [/^npm install -g fluvio-spu$/, "package.json", '"pulumi-resource-fluvio-spu": "bin/pulumi-resource-fluvio-spu"'],
  [/^npm run package-schema$/, "package.json", '"package-schema": "tsx scripts/package-schema.ts"'],
];

describe("the README's GitHub Actions workflow", () => {
  const workflows = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => parse(match[1]!) as Record<string, unknown>).filter((document) => document && "jobs" in document);

  it("is there, parses, and runs npm ci and the fluvio-ports registry check and host check", () => {
    expect(workflows).toHaveLength(1);
    const jobs = workflows[0]!.jobs as Record<string, { "runs-on": string; steps: { run?: string; uses?: string }[] }>;
    const runs = Object.values(jobs).flatMap((job) => job.steps.flatMap((step) => (step.run ? [step.run] : [])));
    expect(runs).toEqual(["npm ci", "npx fluvio-ports plan --stack dev --record --check", "npx fluvio-ports check --stack dev"]);
    // fluvio-ports names these commands in its usage, and the stack has a stack file.
    const usage = spawnSync(process.execPath, [join(PROJECT_ROOT, "bin/fluvio-ports.js")], { encoding: "utf8" });
    for (const run of runs.slice(1)) {
      const words = run.split(" ");
      expect(usage.stdout + usage.stderr).toContain(`fluvio-ports ${words[2]}`);
      expect(existsSync(join(PROJECT_ROOT, "stacks", `Pulumi.${words[words.indexOf("--stack") + 1]}.yaml`))).toBe(true);
    }
    for (const job of Object.values(jobs)) expect(job.steps[0]!.uses).toMatch(/^actions\/checkout@v\d+$/);
  });
});

describe("the docs, as a newcomer reads them", () => {
  it("the README is short: what it is, the two commands, a quick start, a map of the docs", () => {
    const text = pageText.get("README.md")!;
    expect(text.split("\n").length).toBeLessThanOrEqual(100);
    expect(text).toContain("```sh\nnpm install && npm run up -- dev\nnpm test\n```");
    for (const heading of ["## Set-up", "## Quick start to a first message", "## Documentation"]) expect(text).toContain(heading);
    // The map lists every page of docs/.
    for (const page of PAGES.filter((entry) => entry.startsWith("docs/"))) expect(text, page).toContain(`](${page})`);
  });

  it("run the CLI one way: npx fluvio-ports, never the bare bin (exit 127 in a clone)", () => {
    for (const [page, text] of pageText) {
      const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((match) => match[1]!.split("\n"));
      const spans = [...text.replace(/```[\s\S]*?```/g, "").matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!);
      for (const line of [...blocks, ...spans]) expect(line, `${page}: ${line}`).not.toMatch(/^(\$ )?fluvio-ports [a-z-]/);
    }
  });

  it("every link between the pages leads to a file, and to a heading of it", () => {
    const anchors = (text: string): Set<string> => new Set([...text.matchAll(/^#+ (.+)$/gm)].map((match) => match[1]!.toLowerCase().replace(/[^a-z0-9 _-]/g, "").replace(/ /g, "-")));
    for (const [page, text] of pageText) {
      for (const match of text.replace(/```[\s\S]*?```/g, "").matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = match[1]!;
        if (/^[a-z]+:/.test(link)) continue;
        const [file, hash] = link.split("#") as [string, string | undefined];
        const target = file === "" ? page : normalize(join(dirname(page), file));
        expect(existsSync(join(PROJECT_ROOT, target)), `${page}: ${link}`).toBe(true);
        if (hash && target.endsWith(".md")) expect(anchors(readFileSync(join(PROJECT_ROOT, target), "utf8")).has(hash), `${page}: ${link}`).toBe(true);
      }
    }
  });

  it("the CI recipe passes on the repository as shipped: the shipped stacks are recorded", () => {
    const root = projectCopy();
    for (const stack of ["dev", "prod"]) {
      const result = runFluvioPorts(root, ["plan", "--stack", stack, "--record", "--check"]);
      expect(result.status, `${stack}: ${result.stderr}`).toBe(0);
    }
  });
});

describe("every command in the README and the docs", () => {
  const commands = readmeCommands();
  const root = projectCopy();

  it("finds the commands (the extraction works)", () => {
    expect(commands).toEqual(expect.arrayContaining(["npx fluvio-ports plan --stack dev", "npm test", "npm install && npm run up -- dev"]));
  });

  for (const shown of commands) {
    it(shown, () => {
      const command = withPlaceholders(shown);
      const words = command.split(/\s+/);
      if (COVERED_BY_CI.has(command)) {
        const ci = readFileSync(join(PROJECT_ROOT, ".ci/run"), "utf8");
        expect(ci).toContain(command);
        return;
      }
      if (command === "npx fluvio-ports" || /^npx fluvio-ports [a-z]+( [a-z]+)?$/.test(command) || words.includes("--help")) {
        // A mention of the tool or of one of its commands (`npx fluvio-ports check`): the command exists, and its help says so.
        const result = runFluvioPorts(root, [...words.slice(2).filter((word) => word !== "--help"), "--help"]);
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toMatch(/^fluvio-ports/);
        return;
      }
      if (command.endsWith(" | head -1")) {
        // A reader that goes away: the rest of the output is dropped quietly, exit 0, no trace.
        const piped = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" bin/fluvio-ports.js ${words.slice(2, -3).join(" ")} | head -1`], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_PATH: join(PROJECT_ROOT, "node_modules") } });
        expect(piped.status, piped.stderr).toBe(0);
        expect(piped.stdout.split("\n").filter(Boolean)).toHaveLength(1);
        expect(piped.stderr).not.toMatch(/\n\s+at /);
        return;
      }
      if (command.startsWith("npx fluvio-ports ")) {
        const result = runFluvioPorts(root, words.slice(2));
        const json = outputOf(words) === "json";
        if (words[2] === "doctor") {
          // Looks at what is deployed: 1 when something is wrong (nothing is deployed here), 3 when it cannot look.
          expect([0, 1, 3]).toContain(result.status);
          expect(result.stderr).not.toMatch(/\n\s+at /);
        } else if (words[2] === "check") {
          // 3: something could not be checked: it says what on stderr, never "ok".
          expect([0, 1, 3]).toContain(result.status);
          if (result.status === 3) expect(result.stderr).toMatch(/could not check/);
          if (json) expect(JSON.parse(result.stdout)).toMatchObject({ stack: "dev", conflicts: expect.any(Array), unchecked: expect.any(Array) });
          else for (const line of result.stdout.trim().split("\n").filter((entry) => entry !== "")) expect(line).toMatch(/^(ok: all \d+ planned host ports|Port \d+ |::(error|warning) )/);
        } else {
          expect(result.stderr).not.toMatch(/\n\s+at /);
          expect(result.status, result.stderr).toBe(0);
        }
        if (words.includes("--record")) expect(readFileSync(join(root, "stacks/ports.registry.yaml"), "utf8")).toMatch(/stack: dev/);
        if (json && words[2] === "plan") expect(JSON.parse(result.stdout).stack).toBe("dev");
        if (outputOf(words) === "mermaid") expect(readme).toContain(`\`\`\`sh\n${shown}\n\`\`\`\n\n\`\`\`mermaid\n${result.stdout}\`\`\``);
        if (words[2] === "render") expect(existsSync(join(root, words[words.indexOf("--out") + 1]!, "plan.json"))).toBe(true);
        return;
      }
      if (command === "npm install && npm run up -- dev") {
        // npm install is .ci/run's `npm ci`; `npm run up` needs the Pulumi CLI, which cannot be
        // installed here: it must say so and point to the offline preview instead of failing obscurely.
        // (In a copy of the project: a checkout's own .toolchain/bin/pulumi would be found first.)
        const result = runScript(scriptProject(), "scripts/up.sh", ["dev"], fakeTools({}, { pulumi: false }));
        expect(result.status).toBe(127);
        expect(result.stderr).toMatch(/Pulumi CLI is not installed/);
        expect(result.stderr).toMatch(/npm run plan -- --stack dev/);
        const scripts = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")).scripts;
        expect(scripts.up).toBe("bash scripts/up.sh");
        return;
      }
      if (command.startsWith("docker build -t fluvio-spu/fluvio-cli:0.18.1 images/fluvio-cli")) {
        // Needs the internet (Fluvio's installer); check it builds what the default config expects.
        expect(existsSync(join(PROJECT_ROOT, "images/fluvio-cli/Dockerfile"))).toBe(true);
        expect(parseClusterSpec({ environment: "dev", spus: 1 }).images.cli).toBe("fluvio-spu/fluvio-cli:0.18.1");
        return;
      }
      if (command === "images/exporter/build.sh") {
        expect(existsSync(join(PROJECT_ROOT, command))).toBe(true);
        expect(readFileSync(join(PROJECT_ROOT, command), "utf8")).toContain(parseClusterSpec({ environment: "dev", spus: 1 }).images.exporter);
        return;
      }
      if (command.startsWith("pulumi config set")) {
        // The Pulumi CLI cannot run here; the keys it sets must be the ones the program reads.
        const key = words.find((word) => word.startsWith("fluvio-spu:"))!.replace("fluvio-spu:", "");
        expect(Object.values(PROGRAM_CONFIG_KEYS)).toContain(key);
        return;
      }
      if (command.startsWith("docker compose -f render/") || command.startsWith("kubectl apply -f render/")) {
        // The rendered files are brought up by test/live/render.test.ts (Compose) and validated
        // against the Kubernetes schemas by test/unit/render.test.ts; here: the paths are the ones render writes.
        const stack = command.includes("render/dev") ? "dev" : "prod";
        const file = command.split(" ").find((word) => word.startsWith("render/"))!;
        const rendered = runFluvioPorts(root, ["render", "--stack", stack, "--out", `render/${stack}`]);
        expect(rendered.status).toBe(0);
        expect(existsSync(join(root, file))).toBe(true);
        expect(() => parse(readFileSync(join(root, file), "utf8").split("\n---\n")[0]!)).not.toThrow();
        return;
      }
      if (command === "pulumi stack output ports --json --stack dev") {
        // plan --diff runs exactly this (the Pulumi CLI cannot run here); the program exports `ports`.
        let asked: string[] = [];
        const bin = mkdtempSync(join(tmpdir(), "fluvio-spu-readme-pulumi-"));
        writeFileSync(join(bin, "pulumi"), "#!/bin/sh\nexit 9\n", { mode: 0o755 });
        readDeployedPorts(root, "dev", (program, args) => {
          asked = [program.split("/").pop()!, ...args];
          return { status: 0, stdout: "[]", stderr: "" };
        }, { PATH: bin, PULUMI_BACKEND_URL: `file://${root}/.pulumi-state` });
        expect(asked.join(" ")).toBe(command);
        expect(readFileSync(join(PROJECT_ROOT, "src/component.ts"), "utf8")).toMatch(/readonly ports\b/);
        return;
      }
      if (/^pulumi (up|preview|destroy)\b/.test(command)) {
        // The Pulumi CLI cannot run here: the component tier runs the same program (Pulumi.yaml's
        // main, compiled) under Pulumi's mocks with the real stack files.
        expect(parse(readFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")).main).toBe("dist/main.js");
        expect(existsSync(join(PROJECT_ROOT, "dist/main.js"))).toBe(true);
        return;
      }
      if (/^docker (logs|rm) (?!-f\b)/.test(command)) {
        // Advice naming a registration job: the Docker target must create a container of that name.
        const plan = planCluster(readClusterConfig(PROJECT_ROOT, "dev"), { stack: "dev" });
        const docker = buildDockerSpecs(plan);
        const names = [...docker.containers, ...docker.registrations].map((container) => container.name);
        expect(names).toContain(words[2]);
        return;
      }
      if (command === "docker import") {
        expect(readFileSync(join(PROJECT_ROOT, "test/support/docker.ts"), "utf8")).toContain('"import"');
        return;
      }
      if (tlsRecipe().includes(shown)) {
        // The certificate recipe runs as a whole: PKCS#8 keys, a server certificate carrying the
        // dev stack's names (the SC's domain, every SPU's <name>.<domain>, the SC's alias), all signed by the CA.
        const run = runTlsRecipe();
        expect(run.status, run.stderr).toBe(0);
        for (const key of ["server.key", "client.key", "ca.key"]) expect(pkcs8Problem(readFileSync(join(run.dir, key), "utf8")), key).toBeUndefined();
        const spec = parseClusterSpec(readClusterConfig(PROJECT_ROOT, "dev"));
        const plan = planCluster(spec, { stack: "dev" });
        const domain = clientTlsSettings({ ...spec, tls: { ...spec.tls, enabled: true } }, "/home")!.domain;
        const text = spawnSync("openssl", ["x509", "-in", join(run.dir, "server.crt"), "-noout", "-ext", "subjectAltName"], { encoding: "utf8" }).stdout;
        for (const name of [domain, ...plan.spus.map((spu) => `${spu.name}.${domain}`), plan.sc.host]) expect(text).toContain(`DNS:${name}`);
        const verified = spawnSync("openssl", ["verify", "-CAfile", join(run.dir, "ca.crt"), join(run.dir, "server.crt"), join(run.dir, "client.crt")], { encoding: "utf8" });
        expect(verified.status, verified.stderr).toBe(0);
        return;
      }
      if (/^npm run (up|down)( --|$)/.test(command)) {
        // Run for real, with fake pulumi and docker: every image of the stack on the engine.
        const script = words[2] as "up" | "down";
        const args = words.slice(4);
        const { root, tools, result } = runDeployScript(script, args.length > 0 ? args : ["dev"]);
        const pulumi = tools.calls().filter((call) => call.tool === "pulumi");
        if (script === "down" && args.includes("--purge") && !args.includes("--yes")) {
          // No terminal to ask on here: it destroyed, listed the stack's volume, and removed nothing.
          expect(result.stderr).toContain("fluvio-dev-spu-5001-data");
          expect(result.status).toBe(2);
          expect(tools.engine().volumes).toHaveLength(1);
          expect(runDeployScript("down", [...args, "--yes"]).tools.engine().volumes).toEqual([]);
        } else {
          expect(result.status, result.stderr).toBe(0);
        }
        expect(pulumi.at(-1)!.argv.slice(0, 3)).toEqual([script === "up" ? "up" : "destroy", "--stack", "dev"]);
        expect(pulumi.at(-1)!.env.PULUMI_BACKEND_URL).toBe(`file://${root}/.pulumi-state`);
        return;
      }
      if (command.startsWith("export PULUMI_")) {
        // What `npm run up` printed, pasted into a new shell in the project directory, gives
        // pulumi the backend and passphrase up ran it with.
        const { root, tools, result } = runDeployScript("up", ["dev"]);
        expect(result.status, result.stderr).toBe(0);
        const used = tools.calls().find((call) => call.tool === "pulumi" && call.argv[0] === "up")!.env;
        const variable = /^export (PULUMI_\w+)=/.exec(command)![1]!;
        const pasted = spawnSync("bash", ["-c", `${command}\nprintf %s "$${variable}"`], { cwd: root, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
        expect(pasted.stdout).toBe(used[variable]);
        expect(result.stderr).toContain(`export ${variable}=`);
        return;
      }
      if (command.startsWith("export DOCKER_HOST=")) {
        // A remote engine: the port preflight (which checks this machine) is skipped for it.
        expect(engineIsLocal(command.slice("export DOCKER_HOST=".length))).toBe(false);
        return;
      }
      if (command.startsWith("pulumi stack output ")) {
        expect(STACK_OUTPUTS).toContain(words[3]);
        expect(words).toContain("--stack");
        return;
      }
      if (command === "pulumi stack select --create dev") {
        expect(readFileSync(join(PROJECT_ROOT, "scripts/up.sh"), "utf8")).toContain('pulumi stack select --create "$stack"');
        return;
      }
      if (/^fluvio /.test(command) || /^echo "[^"]*" \| fluvio produce /.test(command)) {
        // Fluvio's CLI cannot run here (no Fluvio release to talk to): the command is one of the client commands of 0.18.1.
        checkFluvioCommand(command.replace(/^echo "[^"]*" \| /, ""));
        return;
      }
      if (command.startsWith("docker run ")) {
        // A client container: the CLI image the stack uses, the host entry the Docker target gives
        // its own containers, and the profile where Fluvio's CLI reads it (as examples/docker-app uploads it).
        const plan = planCluster(readClusterConfig(PROJECT_ROOT, "dev"), { stack: "dev" });
        const hosts = buildDockerSpecs(plan).containers[0]!.hosts.map((entry) => `${entry.host}:${entry.ip}`);
        expect(hosts).toContain(words[words.indexOf("--add-host") + 1]);
        expect(words[words.indexOf("-v") + 1]).toMatch(/:\/root\/\.fluvio\/config:ro"$/);
        expect(readFileSync(join(PROJECT_ROOT, "examples/docker-app/index.ts"), "utf8")).toContain('file: "/root/.fluvio/config"');
        const image = words.find((word) => word === DEFAULT_IMAGES.cli);
        expect(image).toBe(plan.images.cli);
        checkFluvioCommand(words.slice(words.indexOf(image!) + 1).join(" "));
        return;
      }
      if (command.startsWith("docker volume ls --filter label=")) {
        const [key, stack] = words[4]!.slice("label=".length).split("=");
        expect(key).toBe(LABELS.stack);
        expect(existsSync(join(PROJECT_ROOT, "stacks", `Pulumi.${stack}.yaml`))).toBe(true);
        return;
      }
      if (command === "docker load") {
        expect(readFileSync(join(PROJECT_ROOT, "images/lib.sh"), "utf8")).toContain("docker load");
        return;
      }
      if (/^(node_modules\/fluvio-spu\/)?images\/(exporter|fluvio-cli)\/build\.sh( |$)/.test(command)) {
        // Run with a fake docker, from a copy holding what the installed package holds.
        const root = scriptProject();
        const tools = fakeTools({ images: ["node:20-alpine", "debian:bookworm-slim"] });
        const script = words[0]!.replace(/^node_modules\/fluvio-spu\//, "");
        const result = runScript(root, script, words.slice(1), tools);
        expect(result.status, result.stderr).toBe(0);
        const role = script.includes("exporter") ? "exporter" : "cli";
        expect(tools.engine().images).toContain(DEFAULT_IMAGES[role]);
        return;
      }
      if (/^scripts\/(up|down)\.sh$/.test(command)) {
        expect(PACKAGE_JSON.scripts[command.includes("up") ? "up" : "down"]).toBe(`bash ${command}`);
        return;
      }
      if (command === "scripts/purge-volumes.sh") {
        // `npm run down -- <s> --purge` runs it (above, and on a real engine in test/live/scripts.test.ts).
        expect(readFileSync(join(PROJECT_ROOT, "scripts/down.sh"), "utf8")).toContain('"$ROOT/scripts/purge-volumes.sh"');
        return;
      }
      if (command === "npm run docs") {
        // test/unit/generated.test.ts holds every file it writes to what it would write today.
        expect(PACKAGE_JSON.scripts.docs).toBe("tsx scripts/generate.ts");
        return;
      }
      if (command === "npm pack") {
        // test/package runs it and installs the tarball.
        expect(readFileSync(join(PROJECT_ROOT, "test/package/package.test.ts"), "utf8")).toContain('"pack"');
        return;
      }
      if (command === "npm run build") {
        expect(PACKAGE_JSON.scripts.build).toMatch(/^tsc -p tsconfig\.build\.json( && node scripts\/bundle-cli\.js)?$/);
        return;
      }
      if (command.startsWith("npm install ") && command !== "npm install && npm run up -- dev" && !words.includes("-g")) {
        // Installing into one's own program: this package and its peer dependencies, nothing else.
        for (const spec of words.slice(2)) {
          const name = spec.replace(/(?<=.)@[^@/]*$/, "");
          expect([PACKAGE_JSON.name, ...Object.keys(PACKAGE_JSON.peerDependencies)]).toContain(name);
        }
        return;
      }
      if (command.startsWith("kubectl create secret")) {
        expect(readFileSync(join(PROJECT_ROOT, "src/render/kubernetes.ts"), "utf8")).toContain("create secret generic");
        return;
      }
      // Commands a real engine runs: the tier that runs each (as the docs write it, or the fault it
      // answers) is named here, and must still run it.
      const ranElsewhere = ELSEWHERE.find(([pattern]) => pattern.test(command));
      if (ranElsewhere !== undefined) {
        const [, file, evidence] = ranElsewhere;
        expect(readFileSync(join(PROJECT_ROOT, file), "utf8"), `${command}: ${file}`).toContain(evidence);
        return;
      }
      throw new Error(`the README shows a command this test does not check: ${command}`);
    });
  }
});
