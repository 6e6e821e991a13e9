/**
 * The metrics exporter run for real: (1) as a child process against a Unix socket server
 * standing in for the SPU, scraped over HTTP; (2) under Docker, the stand-in exporter image
 * running the plan's exporterCommand beside a stand-in SPU container on a shared volume,
 * scraped from the host on the published metrics port.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, mkdirSync, readdirSync } from "node:fs";
import { createServer as createNetServer, connect, type Server as NetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTAINER_PATHS, METRICS_SOCKET_ENV } from "../../src/plan/layout";
import { planCluster } from "../../src/plan/plan";
import { buildNodeImage, docker, skipLiveTier } from "../support/docker";
import { buildExporterImage } from "../support/exporter-image";
import { samples } from "../support/prometheus";

const ROOT = join(__dirname, "../..");
const EXPORTER_JS = join(ROOT, "dist/exporter/exporter.js");
const FULL_DOCUMENT = readFileSync(join(ROOT, "test/fixtures/exporter/full.json"), "utf8");

/** What the stand-in SPU does with a connection. */
type SpuMode = "document" | "slow-document" | "garbage" | "truncated" | "empty" | "silent" | "flood";

/** A Unix socket server standing in for an SPU's metrics socket; its behaviour can be switched. */
interface StandInSpu {
  mode: SpuMode;
  document: string;
  connections: number;
  start: () => Promise<void>;
  stop: () => Promise<void>;
}

function standInSpu(path: string): StandInSpu {
  let server: NetServer | undefined;
  const open = new Set<Socket>();
  const spu: StandInSpu = {
    mode: "document",
    document: FULL_DOCUMENT,
    connections: 0,
    start: () =>
      new Promise((resolve) => {
        server = createNetServer((socket) => {
          spu.connections++;
          open.add(socket);
          socket.on("close", () => open.delete(socket));
          socket.on("error", () => {});
          answer(spu, socket);
        });
        server.listen(path, () => resolve());
      }),
    stop: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        if (server === undefined) return resolve();
        server.close(() => resolve());
        server = undefined;
      }),
  };
  return spu;
}

function answer(spu: StandInSpu, socket: Socket): void {
  switch (spu.mode) {
    case "document":
      return void socket.end(spu.document);
    case "slow-document":
      return void setTimeout(() => socket.end(spu.document), 150);
    case "garbage":
      return void socket.end(Buffer.from([0x00, 0x17, 0xff, 0x47, 0x45, 0x54, 0x0a]));
    case "truncated":
      return void socket.end(spu.document.slice(0, spu.document.length / 2));
    case "empty":
      return void socket.end();
    case "silent":
      return;
    case "flood":
      return void socket.write(Buffer.alloc(2 * 1024 * 1024, 0x20));
  }
}

/** The first port in [from, to] nobody listens on (checked on 0.0.0.0). */
async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createNetServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "0.0.0.0", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

interface Scrape {
  status: number;
  contentType: string | null;
  text: string;
  ms: number;
}

async function get(port: number, path = "/metrics"): Promise<Scrape> {
  const start = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get("content-type"), text, ms: performance.now() - start };
}


const up = (text: string, spu = "5001"): number | undefined => samples(text).get(`fluvio_spu_up{spu="${spu}"}`);
const reason = (text: string): string | undefined => /fluvio_spu_scrape_error\{[^}]*reason="([a-z_]+)"\} 1/.exec(text)?.[1];

async function eventually<T>(what: string, probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)} ${String(lastError ?? "")}`);
}

describe("the exporter as a child process, against a stand-in SPU socket", () => {
  let dir: string;
  let socketPath: string;
  let spu: StandInSpu;
  let exporter: ChildProcess;
  let port: number;
  let stderr = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fluvio-exporter-"));
    socketPath = join(dir, "spu.sock");
    spu = standInSpu(socketPath);
    await spu.start();
    port = await freePort(19500, 19509);
    exporter = spawn(process.execPath, [EXPORTER_JS, "--socket", socketPath, "--port", String(port), "--spu-id", "5001", "--host", "127.0.0.1", "--timeout-ms", "500"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    exporter.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await eventually("the exporter to listen", () => get(port, "/healthz"), (scrape) => scrape.status === 200);
  });

  afterAll(async () => {
    if (exporter && exporter.exitCode === null) exporter.kill("SIGKILL");
    await spu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the SPU's counters in Prometheus text format with the SPU id", async () => {
    spu.mode = "document";
    const scrape = await get(port);
    expect(scrape.status).toBe(200);
    expect(scrape.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    const values = samples(scrape.text);
    expect(values.get('fluvio_spu_records_total{spu="5001",direction="inbound",source="client"}')).toBe(53421);
    expect(values.get('fluvio_spu_bytes_total{spu="5001",direction="inbound",source="connector"}')).toBe(98304);
    expect(values.get('fluvio_spu_records_total{spu="5001",direction="outbound",source="client"}')).toBe(106842);
    expect(values.get('fluvio_spu_bytes_total{spu="5001",direction="outbound",source="client"}')).toBe(14680064);
    expect(values.get('fluvio_spu_smartmodule_invocations_total{spu="5001",smartmodule="infinyon/jolt@0.4.1"}')).toBe(41);
    expect(values.get('fluvio_spu_up{spu="5001"}')).toBe(1);
    expect(values.get('fluvio_spu_scrape_duration_seconds{spu="5001"}')).toBeGreaterThan(0);
    expect(scrape.text).toContain("# TYPE fluvio_spu_records_total counter\n");
  });

  it("reads the socket afresh on every scrape", async () => {
    spu.mode = "document";
    spu.document = JSON.stringify({ spu: { inbound: { client: { records: 1, bytes: 10 } } } });
    expect(samples((await get(port)).text).get('fluvio_spu_records_total{spu="5001",direction="inbound",source="client"}')).toBe(1);
    spu.document = JSON.stringify({ spu: { inbound: { client: { records: 2, bytes: 20 } } } });
    expect(samples((await get(port)).text).get('fluvio_spu_records_total{spu="5001",direction="inbound",source="client"}')).toBe(2);
    spu.document = FULL_DOCUMENT;
  });

  it("answers /healthz with 200 ok, HEAD too, and 404 elsewhere", async () => {
    const health = await get(port, "/healthz");
    expect([health.status, health.text]).toEqual([200, "ok\n"]);
    expect((await get(port, "/metrics?name[]=fluvio_spu_up")).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: "HEAD" })).status).toBe(200);
    expect((await get(port, "/")).status).toBe(404);
    expect((await get(port, "/metricsx")).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: "POST" })).status).toBe(404);
  });

  it("says up 0 while the SPU is gone, keeps answering, and says up 1 once it is back", async () => {
    spu.mode = "document";
    await spu.stop();
    const down = await get(port);
    expect([down.status, up(down.text), reason(down.text)]).toEqual([200, 0, "socket_missing"]);
    expect(down.text).not.toContain("fluvio_spu_records_total");
    expect((await get(port, "/healthz")).status).toBe(200);
    await spu.start();
    expect(up((await get(port)).text)).toBe(1);
    expect(stderr).toMatch(/metrics socket down \(socket_missing/);
    expect(stderr).toMatch(/metrics socket up/);
  });

  it("says connection_refused for a stale socket left by a killed SPU, then recovers", async () => {
    await spu.stop();
    const killed = spawn(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(socketPath)}, () => console.log("ready"))`], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise((resolve) => killed.stdout?.once("data", resolve));
    killed.kill("SIGKILL");
    await new Promise((resolve) => killed.once("exit", resolve));
    const stale = await get(port);
    expect([up(stale.text), reason(stale.text)]).toEqual([0, "connection_refused"]);
    rmSync(socketPath, { force: true });
    await spu.start();
    expect(up((await get(port)).text)).toBe(1);
  });

  it.each([
    ["garbage", "invalid_json"],
    ["truncated", "invalid_json"],
    ["empty", "empty"],
    ["flood", "too_large"],
  ] as const)("says up 0 when the socket sends %s (%s) and recovers on the next good document", async (mode, expected) => {
    spu.mode = mode;
    const bad = await get(port);
    expect([bad.status, up(bad.text), reason(bad.text)]).toEqual([200, 0, expected]);
    spu.mode = "document";
    expect(up((await get(port)).text)).toBe(1);
  });

  it("finishes a scrape within the timeout when the socket never answers, and stays healthy meanwhile", async () => {
    spu.mode = "silent";
    const scraping = get(port);
    const health = await get(port, "/healthz");
    expect(health.status).toBe(200);
    expect(health.ms).toBeLessThan(300);
    const scrape = await scraping;
    expect([up(scrape.text), reason(scrape.text)]).toEqual([0, "timeout"]);
    expect(scrape.ms).toBeGreaterThanOrEqual(450);
    expect(scrape.ms).toBeLessThan(1_500);
    spu.mode = "document";
    expect(up((await get(port)).text)).toBe(1);
  });

  it("serves concurrent scrapes, sharing one socket read between overlapping ones", async () => {
    spu.mode = "slow-document";
    const before = spu.connections;
    const scrapes = await Promise.all(Array.from({ length: 50 }, () => get(port)));
    expect(scrapes.every((scrape) => scrape.status === 200 && up(scrape.text) === 1)).toBe(true);
    const reads = spu.connections - before;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThan(10);
    spu.mode = "document";
  });

  it("keeps serving while slow clients hold connections (half-sent requests, unread pipelined responses)", async () => {
    spu.mode = "document";
    const slow: Socket[] = [];
    const opened = (socket: Socket): Promise<Socket> => new Promise((resolve) => socket.once("connect", () => resolve(socket)));
    for (let index = 0; index < 20; index++) {
      const socket = await opened(connect(port, "127.0.0.1"));
      socket.on("error", () => {});
      socket.write("GET /metrics HTTP/1.1\r\nHost: slow\r\n");
      slow.push(socket);
    }
    const reader = await opened(connect(port, "127.0.0.1"));
    reader.on("error", () => {});
    reader.pause();
    reader.write("GET /metrics HTTP/1.1\r\nHost: unread\r\n\r\n".repeat(500));
    slow.push(reader);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const scrape = await get(port);
    expect([scrape.status, up(scrape.text)]).toEqual([200, 1]);
    expect(scrape.ms).toBeLessThan(1_000);
    for (const socket of slow) socket.destroy();
    expect(exporter.exitCode).toBeNull();
  });

  it("closes cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => exporter.once("exit", (code) => resolve(code)));
    const start = Date.now();
    exporter.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - start).toBeLessThan(3_000);
    expect(stderr).toContain("SIGTERM: closing");
  });

  it("rejects bad flags with a one-line error and exit code 2", () => {
    for (const argv of [["--port", "http", "--socket", "/s", "--spu-id", "1"], ["--socket", "/s", "--port", "9201"], ["--bogus"]]) {
      const result = spawnSync(process.execPath, [EXPORTER_JS, ...argv], { encoding: "utf8", timeout: 10_000 });
      expect(result.status).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(/^fluvio-spu-exporter: /);
    }
  });
});

/** The stand-in SPU for containers: serves a document on $FLUVIO_METRIC_SPU, outbound client records counting connections. */
const SPU_SCRIPT = `
const net = require("net");
const fs = require("fs");
const path = process.env.${METRICS_SOCKET_ENV} || "/tmp/fluvio-spu.sock";
if (process.env.SPU_UMASK) process.umask(parseInt(process.env.SPU_UMASK, 8));
try { fs.unlinkSync(path); } catch {}
let served = 0;
const server = net.createServer((socket) => {
  served++;
  socket.end(JSON.stringify({ spu: {
    inbound: { client: { records: 42, bytes: 4200 }, connector: { records: 7, bytes: 700 } },
    outbound: { client: { records: served, bytes: served * 100 }, connector: { records: 0, bytes: 0 } },
  } }));
});
server.listen(path, () => console.log("serving metrics on " + path));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

const skipDocker = skipLiveTier("test/live/exporter.test.ts");

describe.skipIf(skipDocker)("the exporter image under Docker, beside a stand-in SPU on a shared volume", () => {
  const prefix = "fluvio-spu-exporter-test-";
  const spuImage = "fluvio-spu-test/exporter-test-spu:latest";
  const names = { spu: `${prefix}spu`, exporter: `${prefix}exporter`, spuOpen: `${prefix}spu-open`, asNode: `${prefix}as-node`, asNodeOpen: `${prefix}as-node-open` };
  const volumes = { metrics: `${prefix}metrics`, open: `${prefix}metrics-open` };
  let image: string;
  let port: number;
  let exporterCommand: string[];

  const cleanup = (): void => {
    for (const name of Object.values(names)) spawnSync("docker", ["rm", "-f", "-v", name], { stdio: "ignore" });
    for (const volume of Object.values(volumes)) spawnSync("docker", ["volume", "rm", "-f", volume], { stdio: "ignore" });
  };

  /** Runs a container detached; `args` go before the image, `command` after it. */
  const run = (name: string, args: string[], runImage: string, command: string[] = []): void => {
    docker(["run", "-d", "--name", name, "--label", "fluvio-spu.test=exporter", ...args, runImage, ...command]);
  };

  const runSpu = (name: string, volume: string, env: string[] = []): void =>
    run(name, ["-v", `${volume}:${CONTAINER_PATHS.metricsDir}`, "-e", `${METRICS_SOCKET_ENV}=${CONTAINER_PATHS.metricsSocket}`, ...env], spuImage, ["node", "/spu.js"]);

  beforeAll(async () => {
    cleanup();
    image = buildExporterImage();
    buildNodeImage(spuImage, { "/spu.js": { content: SPU_SCRIPT } }, ["node", "/spu.js"]);
    port = await freePort(19510, 19519);
    // The argv the Docker and Kubernetes targets run: straight from the plan.
    const plan = planCluster(
      { target: "docker", spus: [{ id: 5001, metricsPort: port }], ports: { public: { from: 19520, to: 19529 }, private: { from: 19530, to: 19539 }, metrics: { from: 19510, to: 19519 } } },
      { stack: "exporter-test" },
    );
    exporterCommand = plan.spus[0]?.exporterCommand ?? [];
    expect(exporterCommand).toEqual(["node", "/app/exporter.js", "--socket", CONTAINER_PATHS.metricsSocket, "--port", String(port), "--spu-id", "5001"]);
    runSpu(names.spu, volumes.metrics);
    run(names.exporter, ["-v", `${volumes.metrics}:${CONTAINER_PATHS.metricsDir}`, "-p", `127.0.0.1:${port}:${port}`], image, exporterCommand);
  });

  afterAll(() => cleanup());

  const scrapeUntil = (what: string, accept: (scrape: Scrape) => boolean): Promise<Scrape> => eventually(what, () => get(port), accept, 30_000);

  it("serves the SPU's counters on the planned metrics port, scraped from the host", async () => {
    const scrape = await scrapeUntil("up 1", (result) => up(result.text) === 1);
    const values = samples(scrape.text);
    expect(values.get('fluvio_spu_records_total{spu="5001",direction="inbound",source="client"}')).toBe(42);
    expect(values.get('fluvio_spu_bytes_total{spu="5001",direction="inbound",source="connector"}')).toBe(700);
    expect(values.get('fluvio_spu_records_total{spu="5001",direction="outbound",source="client"}')).toBeGreaterThanOrEqual(1);
    expect(await get(port, "/healthz")).toMatchObject({ status: 200, text: "ok\n" });
  });

  it("survives the SPU stopping, being killed (stale socket) and starting again", async () => {
    docker(["stop", "-t", "5", names.spu]);
    const stopped = await scrapeUntil("up 0 after stop", (result) => up(result.text) === 0);
    expect(reason(stopped.text)).toBe("socket_missing");
    docker(["start", names.spu]);
    await scrapeUntil("up 1 after start", (result) => up(result.text) === 1);
    docker(["kill", "-s", "KILL", names.spu]);
    const killed = await scrapeUntil("up 0 after kill", (result) => up(result.text) === 0);
    expect(reason(killed.text)).toBe("connection_refused");
    docker(["start", names.spu]);
    await scrapeUntil("up 1 after restart", (result) => up(result.text) === 1);
    expect(docker(["inspect", "--format", "{{.State.Running}} {{.RestartCount}}", names.exporter])).toBe("true 0");
  });

  it("as a non-root user, reports permission_denied on a root SPU's 0755 socket and reads a socket it may write", async () => {
    run(names.asNode, ["--user", "1000:1000", "-v", `${volumes.metrics}:${CONTAINER_PATHS.metricsDir}`], image, [...exporterCommand.slice(0, 5), "19500", "--spu-id", "5001", "--host", "127.0.0.1"]);
    const scrapeInside = (name: string): Promise<string> =>
      eventually(`${name} to answer`, async () => docker(["exec", name, "node", "-e", 'fetch("http://127.0.0.1:19500/metrics").then(r => r.text()).then(t => process.stdout.write(t))']), (text) => text.includes("fluvio_spu_up"));
    const denied = await scrapeInside(names.asNode);
    expect([up(denied), reason(denied)]).toEqual([0, "permission_denied"]);
    runSpu(names.spuOpen, volumes.open, ["-e", "SPU_UMASK=000"]);
    run(names.asNodeOpen, ["--user", "1000:1000", "-v", `${volumes.open}:${CONTAINER_PATHS.metricsDir}`], image, [...exporterCommand.slice(0, 5), "19500", "--spu-id", "5001", "--host", "127.0.0.1"]);
    const allowed = await eventually("the open socket", () => scrapeInside(names.asNodeOpen), (text) => up(text) === 1);
    expect(up(allowed)).toBe(1);
  });

  it("stops cleanly on docker stop (SIGTERM, exit 0, well before the kill timeout)", () => {
    const start = Date.now();
    docker(["stop", "-t", "10", names.exporter]);
    expect(Date.now() - start).toBeLessThan(5_000);
    expect(docker(["inspect", "--format", "{{.State.ExitCode}}", names.exporter])).toBe("0");
  });

  it("images/exporter/Dockerfile builds on a stand-in base: /app holds the exporter, no ENTRYPOINT, user node", () => {
    const base = buildNodeImage("fluvio-spu-test/exporter-dockerfile-base:latest", {
      "/etc/passwd": { content: "root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n" },
      "/etc/group": { content: "root:x:0:\nnode:x:1000:\n" },
    });
    const context = mkdtempSync(join(tmpdir(), "fluvio-exporter-dockerfile-"));
    try {
      mkdirSync(join(context, "dist/exporter"), { recursive: true });
      for (const file of readdirSync(join(ROOT, "dist/exporter")).filter((name) => name.endsWith(".js"))) cpSync(join(ROOT, "dist/exporter", file), join(context, "dist/exporter", file));
      const dockerfile = readFileSync(join(ROOT, "images/exporter/Dockerfile"), "utf8");
      expect(dockerfile).toMatch(/^FROM node:20-alpine$/m);
      writeFileSync(join(context, "Dockerfile"), dockerfile.replace(/^FROM node:20-alpine$/m, `FROM ${base}`));
      const built = spawnSync("docker", ["build", "-q", "-t", "fluvio-spu-test/exporter-dockerfile:latest", context], { encoding: "utf8", env: { ...process.env, DOCKER_BUILDKIT: "0" } });
      expect(built.status, built.stderr).toBe(0);
      expect(docker(["image", "inspect", "--format", "{{json .Config.Entrypoint}} {{.Config.User}} {{json .Config.Cmd}}", "fluvio-spu-test/exporter-dockerfile:latest"])).toBe(
        'null node ["node","/app/exporter.js","--help"]',
      );
      const usage = spawnSync("docker", ["run", "--rm", "fluvio-spu-test/exporter-dockerfile:latest"], { encoding: "utf8" });
      expect(usage.stdout).toMatch(/^usage: node exporter.js --socket/);
      const bad = spawnSync("docker", ["run", "--rm", "fluvio-spu-test/exporter-dockerfile:latest", "node", "/app/exporter.js", "--port", "x"], { encoding: "utf8" });
      expect(bad.status).toBe(2);
    } finally {
      rmSync(context, { recursive: true, force: true });
      spawnSync("docker", ["rmi", "-f", "fluvio-spu-test/exporter-dockerfile:latest"], { stdio: "ignore" });
    }
  });
});
