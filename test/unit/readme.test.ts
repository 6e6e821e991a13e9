/**
 * The README cannot drift from the code: every command it shows is run here (or, for
 * `npm install` / `npm test` / `npm run bench`, by .ci/run), in a copy of the project so
 * that `--record` and `render` leave the repository alone. A command this file does not know
 * fails the test, so a new README command needs a way to be checked.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROGRAM_CONFIG_KEYS } from "../../src/program";
import { parseClusterSpec } from "../../src/config/schema";
import { readClusterConfig } from "../../src/config/stack";
import { planCluster } from "../../src/plan/plan";
import { buildDockerSpecs } from "../../src/targets/docker";
import { PROJECT_ROOT } from "../support/pulumi";
import { pkcs8Problem } from "../../src/config/pem";
import { clientTlsSettings } from "../../src/plan/outputs";

const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");

/** Commands: every line of a ```sh block, and every inline code span that starts like a command. */
function readmeCommands(): string[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((match) => match[1]!.split("\n"));
  const fromBlocks = blocks.map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) => line.length > 0);
  const inline = [...readme.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!.trim()).filter((span) => /^(npx|npm|pulumi|docker|kubectl) [a-z]|\.sh$/.test(span));
  return [...new Set([...fromBlocks, ...inline])];
}

/** Placeholders in advice (`--stack <other>`) stand for a real stack. */
function withPlaceholders(command: string): string {
  return command
    .replace(/<(s|stack|other|name)>/g, "dev")
    .replace(/<cluster>/g, "fluvio")
    .replace(/<id>/g, "5001")
    .replace(/<dir>/g, "render/placeholder");
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

const COVERED_BY_CI = new Set(["npm ci", "npm test", "npm run bench"]);

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


describe("every command in the README", () => {
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
      if (command.startsWith("npx fluvio-ports ")) {
        const result = runFluvioPorts(root, words.slice(2));
        if (words[2] === "check") {
          expect([0, 1]).toContain(result.status);
          for (const line of result.stdout.trim().split("\n")) expect(line).toMatch(/^(ok: all \d+ planned host ports|Port \d+ )/);
        } else {
          expect(result.stderr).not.toMatch(/\n\s+at /);
          expect(result.status, result.stderr).toBe(0);
        }
        if (words.includes("--record")) expect(readFileSync(join(root, "stacks/ports.registry.yaml"), "utf8")).toMatch(/stack: dev/);
        if (words.includes("--format")) expect(JSON.parse(result.stdout).stack).toBe("dev");
        if (words[2] === "render") expect(existsSync(join(root, words[words.indexOf("--out") + 1]!, "plan.json"))).toBe(true);
        return;
      }
      if (command === "npm install && npm run up -- dev") {
        // npm install is .ci/run's `npm ci`; `npm run up` needs the Pulumi CLI, which cannot be
        // installed here: it must say so and point to the offline preview instead of failing obscurely.
        const withoutPulumi = (process.env.PATH ?? "").split(":").filter((dir) => !existsSync(join(dir, "pulumi"))).join(":");
        const result = spawnSync("bash", [join(PROJECT_ROOT, "scripts/up.sh"), "dev"], { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, PATH: withoutPulumi } });
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
      if (/^pulumi (up|preview|destroy)\b/.test(command)) {
        // The Pulumi CLI cannot run here: the component tier runs the same program (Pulumi.yaml's
        // main, compiled) under Pulumi's mocks with the real stack files.
        expect(parse(readFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")).main).toBe("dist/main.js");
        expect(existsSync(join(PROJECT_ROOT, "dist/main.js"))).toBe(true);
        return;
      }
      if (/^docker (logs|rm) /.test(command)) {
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
      if (command.startsWith("kubectl create secret")) {
        expect(readFileSync(join(PROJECT_ROOT, "src/render/kubernetes.ts"), "utf8")).toContain("create secret generic");
        return;
      }
      throw new Error(`the README shows a command this test does not check: ${command}`);
    });
  }
});
