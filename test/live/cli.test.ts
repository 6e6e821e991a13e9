import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli";
import { makeProject } from "../support/project";
import { buildNodeImage, docker, skipLiveTier } from "../support/docker";

/** Ports 18100-18199 belong to this file (other live tests use other ranges). */
const ranges = { public: "18100-18119", private: "18120-18139", metrics: "18140-18159" };


describe("fluvio-ports check on this host", () => {
  const root = makeProject({
    live: { spus: 2, ports: ranges },
    neighbour: { spus: 2, ports: ranges },
  });
  let holder: ChildProcess | undefined;
  let heldPort = 0;

  beforeAll(async () => {
    const plan = JSON.parse((await runCli(["plan", "--stack", "live", "--format", "json", "--root", root])).out);
    heldPort = plan.spus[0].ports.public;
    holder = spawn(process.execPath, ["-e", `require("net").createServer().listen(${heldPort}, "0.0.0.0", () => console.log("listening"))`, "fluvio-spu-check-holder"], { stdio: ["ignore", "pipe", "inherit"] });
    await once(holder.stdout!, "data");
  });

  afterAll(() => {
    holder?.kill();
  });

  it("exits 1 and names the process holding a planned port, what wants it and the fix", async () => {
    const { code, out } = await runCli(["check", "--stack", "live", "--root", root]);
    expect(code).toBe(1);
    const line = out.split("\n").find((candidate) => candidate.startsWith(`Port ${heldPort} `));
    expect(line).toBeDefined();
    expect(line).toContain(`pid ${holder!.pid}`);
    expect(line).toMatch(/node/);
    expect(line).toMatch(/wanted by SPU 5001 public/);
    expect(line).toMatch(/spus\[0\]\.publicPort/);
  });

  it("check -o json: the holder as data (pid, command) with its description, and the fix", async () => {
    const { code, out } = await runCli(["check", "--stack", "live", "--root", root, "-o", "json"]);
    expect(code).toBe(1);
    const result = JSON.parse(out);
    const conflict = result.conflicts.find((entry: { port: number; holder: { kind: string } }) => entry.port === heldPort && entry.holder.kind === "process");
    expect(conflict).toMatchObject({ port: heldPort, wantedBy: "SPU 5001 public", holder: { kind: "process", pid: holder!.pid, command: expect.stringMatching(/node/), description: expect.stringContaining(`pid ${holder!.pid}`) }, fix: expect.stringMatching(/spus\[0\]\.publicPort/) });
    expect(result.unchecked).toEqual([]);
  });

  it("check --no-host does not look at this host's listeners", async () => {
    const { out } = await runCli(["check", "--stack", "live", "--root", root, "--no-host"]);
    expect(out).not.toMatch(new RegExp(`^Port ${heldPort} already in use`, "m"));
  });

  it("who <port> names the live process beside the stack's node", async () => {
    const { code, out } = await runCli(["who", String(heldPort), "--root", root, "-o", "json"]);
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result.owners).toContainEqual(expect.objectContaining({ kind: "stack", stack: "live", node: "spu-5001", role: "public" }));
    expect(result.owners).toContainEqual(expect.objectContaining({ kind: "process", pid: holder!.pid }));
    const table = await runCli(["who", String(heldPort), "--root", root]);
    expect(table.out).toMatch(new RegExp(`^process\\s+this host\\s+.*\\(pid ${holder!.pid}\\)$`, "m"));
  });

  it("reports the stacks that share this host and plan the same ports", async () => {
    holder?.kill();
    await once(holder!, "exit");
    const { code, out } = await runCli(["check", "--stack", "live", "--root", root]);
    expect(code).toBe(1);
    expect(out).toMatch(/is planned by stack neighbour too/);
  });

  it("exits 0 once the other stack is recorded and plans around it", async () => {
    await runCli(["plan", "--stack", "neighbour", "--record", "--root", root]);
    const { code, out } = await runCli(["check", "--stack", "live", "--root", root]);
    expect(out).toMatch(/^ok: all \d+ planned host ports of stack live are free/);
    expect(code).toBe(0);
  });
});

describe.skipIf(skipLiveTier("test/live/cli.test.ts"))("fluvio-ports who, for a port a container publishes", () => {
  const name = "fluvio-spu-cli-test-who";
  const port = 18190;
  const remove = (): void => void spawnSync("docker", ["rm", "-f", name], { encoding: "utf8" });

  beforeAll(() => {
    remove();
    const image = buildNodeImage("fluvio-spu-cli-test:latest", { "/app/server.js": { content: `require("net").createServer((socket) => socket.end("ok\\n")).listen(8080);\n` } }, ["/usr/local/bin/node", "/app/server.js"]);
    docker(["run", "-d", "--name", name, "-p", `127.0.0.1:${port}:8080`, image]);
  });
  afterAll(remove);

  it("names the container, not the docker-proxy in front of it", async () => {
    const root = makeProject({ live: { spus: 1, ports: ranges } });
    const { code, out } = await runCli(["who", String(port), "--root", root, "-o", "json"]);
    expect(code).toBe(0);
    const owners = JSON.parse(out).owners;
    expect(owners).toContainEqual(expect.objectContaining({ kind: "container", container: name, description: expect.stringContaining(`Docker container ${name}`) }));
    expect(owners.filter((owner: { command?: string }) => /docker-proxy/.test(owner.command ?? ""))).toEqual([]);
  });
});
