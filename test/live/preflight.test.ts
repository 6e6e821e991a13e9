/**
 * Preflight against this machine: real listening processes (IPv4 and IPv6) and real Docker
 * containers. Ports 18000-18099 only; containers are named fluvio-spu-preflight-test-*.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABELS } from "../../src/plan/layout";
import { planCluster } from "../../src/plan/plan";
import { checkPorts, type PortCheckReport } from "../../src/preflight/index";
import { buildNodeImage, docker, skipLiveTier } from "../support/docker";

const noEngine = skipLiveTier(__filename);

const plan = planCluster(
  { environment: "dev", spus: 2, ports: { public: "18000-18019", private: "18020-18039", metrics: "18040-18059" } },
  { stack: "preflight" },
);
const port = (owner: string, role: "public" | "metrics"): number => plan.ports.find((row) => row.owner === owner && row.role === role)?.port as number;

/** The mark in the listeners' cmdline, so the test can tell its own processes by command. */
const MARKER = "fluvio-spu-preflight-listener";

/** Starts `node -e` listening on host:port in a child process; resolves once it listens. */
function listener(host: string, listenPort: number): Promise<ChildProcess> {
  const code = `/*${MARKER}*/require("net").createServer().listen({port:${listenPort},host:${JSON.stringify(host)},ipv6Only:${host.includes(":")}},()=>console.log("ready"))`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let errors = "";
    child.stderr?.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve(child));
    child.on("exit", (code) => reject(new Error(`listener on ${host}:${listenPort} exited ${code}: ${errors}`)));
  });
}

function conflictsOn(report: PortCheckReport, onPort: number): PortCheckReport["conflicts"] {
  return report.conflicts.filter((conflict) => conflict.port === onPort);
}

describe("processes listening on planned ports", () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((child) => child.kill()));

  it("names the process and pid of an IPv4 listener on the SC's public port", async () => {
    const child = await listener("0.0.0.0", port("sc", "public"));
    children.push(child);
    const report = await checkPorts(plan, { docker: false });
    expect(report.sources.proc).toBe(true);
    const [conflict, ...others] = conflictsOn(report, port("sc", "public"));
    expect(others).toEqual([]);
    expect(conflict?.holder).toMatchObject({ kind: "process", pid: child.pid, address: "0.0.0.0" });
    expect(conflict?.holder.command).toMatch(new RegExp(`^node -e /\\*${MARKER}\\*/`));
    expect(conflict?.message).toMatch(
      new RegExp(`^Port ${port("sc", "public")} already in use by node -e /\\*${MARKER}.* \\(pid ${child.pid}\\): wanted by SC public; pin another port with sc.publicPort or move the range ports.public 18000-18019$`),
    );
  });

  it("sees an IPv6-only listener on ::1", async () => {
    const child = await listener("::1", port("spu-5001", "public"));
    children.push(child);
    const report = await checkPorts(plan, { docker: false });
    expect(conflictsOn(report, port("spu-5001", "public")).map((conflict) => [conflict.wantedBy, conflict.holder.pid, conflict.holder.address])).toEqual([
      ["SPU 5001 public", child.pid, "::1"],
    ]);
  });

  it("reports nothing on planned ports nobody holds", async () => {
    const report = await checkPorts(plan, { docker: false });
    const held = new Set([port("sc", "public"), port("spu-5001", "public")]);
    expect(report.conflicts.filter((conflict) => !held.has(conflict.port))).toEqual([]);
  });
});

describe.skipIf(noEngine)("Docker containers publishing planned ports", () => {
  const foreign = "fluvio-spu-preflight-test-foreign";
  const own = "fluvio-spu-preflight-test-own";
  const removeContainers = (): void => void spawnSync("docker", ["rm", "-f", foreign, own], { encoding: "utf8" });

  beforeAll(() => {
    removeContainers();
    const image = buildNodeImage("fluvio-spu-preflight-test:latest", {
      "/app/server.js": { content: `require("net").createServer((socket) => socket.end("ok\\n")).listen(8080);\n` },
    }, ["/usr/local/bin/node", "/app/server.js"]);
    docker(["run", "-d", "--name", foreign, "-p", `${port("spu-5002", "public")}:8080`, image]);
    docker(["run", "-d", "--name", own, "--label", `${LABELS.cluster}=${plan.namePrefix}`, "--label", `${LABELS.stack}=${plan.stack}`, "-p", `127.0.0.1:${port("spu-5001", "metrics")}:8080`, image]);
  });
  afterAll(removeContainers);

  it("reports another container by name, not the docker-proxy behind it", async () => {
    const report = await checkPorts(plan);
    expect(report.sources.docker).toBe(true);
    const conflicts = conflictsOn(report, port("spu-5002", "public"));
    expect(conflicts.map((conflict) => [conflict.holder.kind, conflict.holder.container])).toEqual([["container", foreign]]);
    expect(conflicts[0]?.message).toMatch(new RegExp(`^Port ${port("spu-5002", "public")} already in use by Docker container ${foreign} .*: wanted by SPU 5002 public; pin another port with spus\\[1\\]\\.publicPort \\(the SPU with id 5002\\)`));
    expect(report.conflicts.some((conflict) => conflict.holder.command?.startsWith("docker-proxy"))).toBe(false);
  });

  it("does not report a container carrying this cluster's label (a re-deploy of the same stack passes)", async () => {
    const report = await checkPorts(plan);
    expect(conflictsOn(report, port("spu-5001", "metrics"))).toEqual([]);
  });

  it("reports this cluster's own container too when told not to ignore it", async () => {
    const report = await checkPorts(plan, { ignoreOwnContainers: false });
    expect(conflictsOn(report, port("spu-5001", "metrics")).map((conflict) => conflict.holder.container)).toEqual([own]);
  });
});
