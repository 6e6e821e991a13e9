import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli";
import { makeProject } from "../support/project";

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
