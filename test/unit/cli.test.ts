import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "../support/cli";
import { parseRegistry } from "../../src/ports/registry";
import { makeProject } from "../support/project";
import { PROJECT_ROOT } from "../support/pulumi";


describe("fluvio-ports plan", () => {
  it("prints the dev stack's 9000-series plan like `fluvio cluster spu list`, plus LOCAL and METRICS", async () => {
    const { code, out } = await runCli(["plan", "--stack", "dev", "--root", PROJECT_ROOT]);
    expect(code).toBe(0);
    const lines = out.split("\n");
    const header = lines.find((line) => line.startsWith("ID"));
    expect(header?.split(/\s+/)).toEqual(["ID", "NAME", "STATUS", "TYPE", "RACK", "PUBLIC", "PRIVATE", "LOCAL", "METRICS"]);
    const rows = lines.filter((line) => /^500\d\s/.test(line));
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const [, , , , , publicEndpoint, , local, metrics] = row.split(/\s+/);
      expect(publicEndpoint).toMatch(/^localhost:90\d\d$/);
      expect(local).toBe(`host.docker.internal:${publicEndpoint!.split(":")[1]}`);
      expect(metrics).toMatch(/:92\d\d$/);
    }
  });

  it("prints the prod stack's 10000-series plan, with the NodePorts", async () => {
    const { code, out } = await runCli(["plan", "--stack", "prod", "--format", "json", "--root", PROJECT_ROOT]);
    expect(code).toBe(0);
    const plan = JSON.parse(out);
    expect(plan).toMatchObject({ stack: "prod", target: "kubernetes" });
    expect(plan.sc.ports.public).toBeGreaterThanOrEqual(10000);
    expect(plan.spus).toHaveLength(5);
    for (const spu of plan.spus) {
      expect(spu.ports.public).toBeGreaterThanOrEqual(10000);
      expect(spu.ports.public).toBeLessThanOrEqual(10100);
      expect(spu.ports.private).toBeGreaterThanOrEqual(10101);
      expect(spu.ports.metrics).toBeGreaterThanOrEqual(10201);
      expect(spu.ports.nodePort).toBeGreaterThanOrEqual(30000);
      expect(spu.ports.nodePort).toBeLessThanOrEqual(32767);
    }
    const table = await runCli(["plan", "--stack", "prod", "--root", PROJECT_ROOT]);
    expect(table.out).toMatch(/METRICS\s+SERVICEPORT\s+NODEPORT/);
    for (const spu of plan.spus) expect(table.out).toMatch(new RegExp(`^${spu.id} .* ${spu.ports.public}\\s+${spu.ports.nodePort}$`, "m"));
  });

  it("--format json prints the ClusterPlan with the fields the design names", async () => {
    const { out } = await runCli(["plan", "--stack", "dev", "--format", "json", "--root", PROJECT_ROOT]);
    const plan = JSON.parse(out);
    expect(Object.keys(plan)).toEqual(expect.arrayContaining(["stack", "target", "sc", "spus", "ports"]));
    expect(plan.sc).toMatchObject({ public: expect.stringMatching(/:\d+$/), private: expect.stringMatching(/:\d+$/), ports: { public: expect.any(Number), private: expect.any(Number) } });
    for (const spu of plan.spus) {
      expect(spu).toMatchObject({ id: expect.any(Number), name: expect.any(String), type: "Custom", rack: null });
      for (const field of ["public", "private", "local", "metrics"]) expect(spu[field]).toMatch(/^[a-z0-9.-]+:\d+$/);
      expect(spu.ports).toEqual({ public: expect.any(Number), private: expect.any(Number), metrics: expect.any(Number) });
      expect(spu.public.endsWith(`:${spu.ports.public}`)).toBe(true);
    }
  });

  it("--format yaml prints the same plan as YAML", async () => {
    const json = JSON.parse((await runCli(["plan", "--stack", "dev", "--format", "json", "--root", PROJECT_ROOT])).out);
    const yaml = parse((await runCli(["plan", "--stack", "dev", "--format", "yaml", "--root", PROJECT_ROOT])).out);
    expect(yaml).toEqual(json);
  });

  it("--record writes the stack's assignments into the registry, and re-recording changes nothing", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 2 } }, "claims:\n  - { owner: redis, ports: 6379, hosts: ['*'] }\n");
    const first = await runCli(["plan", "--stack", "dev", "--record", "--root", root]);
    expect(first.code).toBe(0);
    expect(first.err).toMatch(/recorded 8 ports of stack dev/);
    const text = readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8");
    const registry = parseRegistry(text);
    expect(registry.claims).toHaveLength(1);
    expect(registry.records).toEqual([expect.objectContaining({ stack: "dev", cluster: "fluvio", host: "localhost" })]);
    expect(Object.keys(registry.records[0]!.nodes)).toEqual(["sc", "spu-5001", "spu-5002"]);
    await runCli(["plan", "--stack", "dev", "--record", "--root", root]);
    expect(readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8")).toBe(text);
    const again = JSON.parse((await runCli(["plan", "--stack", "dev", "--format", "json", "--root", root])).out);
    expect(again.ports.every((row: { source: string }) => row.source === "recorded")).toBe(true);
  });
});

describe("fluvio-ports errors", () => {
  it("bad config: exit 2 and the ConfigError message, no stack trace", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: [{ id: 1, publicPort: 9500 }] } });
    const { code, err, out } = await runCli(["plan", "--stack", "dev", "--root", root]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(/spus\[0\]\.publicPort: 9500 is outside ports.public 9000-9100/);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("an unknown stack: exit 2, naming the stacks that exist", async () => {
    const { code, err } = await runCli(["plan", "--stack", "staging", "--root", PROJECT_ROOT]);
    expect(code).toBe(2);
    expect(err).toMatch(/known stacks are dev, prod/);
  });

  it("usage errors: exit 2 with the usage", async () => {
    expect((await runCli(["plan"])).code).toBe(2);
    expect((await runCli(["plan", "--stack", "dev", "--format", "xml"])).err).toMatch(/use table, json or yaml/);
    expect((await runCli(["frobnicate"])).err).toMatch(/unknown command 'frobnicate'/);
    expect((await runCli(["--help"])).code).toBe(0);
  });

  it("the installed bin runs the same CLI (as `npx fluvio-ports` does)", () => {
    const result = spawnSync(process.execPath, [join(PROJECT_ROOT, "bin/fluvio-ports.js"), "plan", "--stack", "dev", "--format", "json"], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).stack).toBe("dev");
    const bad = spawnSync(process.execPath, [join(PROJECT_ROOT, "bin/fluvio-ports.js"), "plan", "--stack", "nope"], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("the bundled CLI (dist/cli.bundle.js, which bin/fluvio-ports.js prefers) is the compiled CLI, output for output", () => {
  const direct = (args: string[]) =>
    spawnSync(process.execPath, ["-e", `require(${JSON.stringify(join(PROJECT_ROOT, "dist/cli.js"))}).main(process.argv.slice(1)).then((code) => { process.exitCode = code; })`, "--", ...args], { cwd: PROJECT_ROOT, encoding: "utf8" });
  const bin = (args: string[]) => spawnSync(process.execPath, [join(PROJECT_ROOT, "bin/fluvio-ports.js"), ...args], { cwd: PROJECT_ROOT, encoding: "utf8" });

  it("the build made a bundle at least as new as dist/cli.js, so the bin runs it", () => {
    expect(statSync(join(PROJECT_ROOT, "dist/cli.bundle.js")).mtimeMs).toBeGreaterThanOrEqual(statSync(join(PROJECT_ROOT, "dist/cli.js")).mtimeMs);
  });

  for (const args of [
    ["plan", "--stack", "dev"],
    ["plan", "--stack", "prod", "--format", "json"],
    ["plan", "--stack", "prod", "--format", "yaml"],
    ["plan", "--stack", "nope"],
    ["plan"],
    ["--help"],
    ["frobnicate"],
  ]) {
    it(`fluvio-ports ${args.join(" ")}`, () => {
      const [viaBin, viaDist] = [bin(args), direct(args)];
      expect({ status: viaBin.status, stdout: viaBin.stdout, stderr: viaBin.stderr }).toEqual({ status: viaDist.status, stdout: viaDist.stdout, stderr: viaDist.stderr });
    });
  }
});
