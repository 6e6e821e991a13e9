/**
 * The alert rules on a real Prometheus (Debian's binary, on 127.0.0.1, a temporary data dir,
 * 1 s scrape and evaluation intervals, `for: 3s`) against real exporters (the built exporter as
 * plain node processes, each beside a stand-in SPU: a Unix socket answering Fluvio's metrics
 * document, and TCP listeners on its public and private ports). The rules file is the plan's,
 * byte for byte; only the scrape targets point at the host instead of the cluster network.
 * When a critical SPU's public port stops answering, FluvioSpuPortDown must fire with severity
 * critical; when it answers again, the alert must resolve. Every wait is bounded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planCluster } from "../../src/plan/plan";
import { prometheusConfigYaml, prometheusRulesYaml } from "../../src/plan/monitoring";
import { skipWithout } from "../support/promtool";

const ROOT = join(__dirname, "../..");
const EXPORTER_JS = join(ROOT, "dist/exporter/exporter.js");
const DOCUMENT = readFileSync(join(ROOT, "test/fixtures/exporter/full.json"), "utf8");
const skip = skipWithout("prometheus", "test/live/prometheus.test.ts");

/** How long an alert may take to fire or resolve here: 1 s scrapes, 1 s evaluations, `for: 3s`, on 2 busy cores. */
const ALERT_DEADLINE_MS = 45_000;

interface StandInSpu {
  id: number;
  socketPath: string;
  socket: Server;
  ports: { public: number; private: number };
  listeners: { public: Server | undefined; private: Server | undefined };
}

function listenTcp(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((connection) => connection.destroy());
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

async function freePort(): Promise<number> {
  const server = await listenTcp(0);
  const { port } = server.address() as AddressInfo;
  await close(server);
  return port;
}

async function standInSpu(dir: string, id: number): Promise<StandInSpu> {
  const socketPath = join(dir, `spu-${id}.sock`);
  const socket = createServer((connection) => connection.end(DOCUMENT));
  await new Promise<void>((resolve) => socket.listen(socketPath, resolve));
  const publicListener = await listenTcp(0);
  const privateListener = await listenTcp(0);
  const ports = { public: (publicListener.address() as AddressInfo).port, private: (privateListener.address() as AddressInfo).port };
  return { id, socketPath, socket, ports, listeners: { public: publicListener, private: privateListener } };
}

function startExporter(spu: StandInSpu, port: number): ChildProcess {
  return spawn(
    process.execPath,
    [
      EXPORTER_JS,
      ...["--socket", spu.socketPath, "--port", String(port), "--spu-id", String(spu.id), "--host", "127.0.0.1", "--probe-timeout-ms", "500"],
      ...["--probe", `public=127.0.0.1:${spu.ports.public}`, "--probe", `private=127.0.0.1:${spu.ports.private}`],
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
}

interface ActiveAlert {
  labels: Record<string, string>;
  state: "pending" | "firing";
}

async function alerts(base: string): Promise<ActiveAlert[]> {
  const response = await fetch(`${base}/api/v1/alerts`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { data: { alerts: ActiveAlert[] } };
  return body.data.alerts;
}

/** Polls until `check` holds; resolves to the elapsed milliseconds, rejects with `what` at the deadline. */
async function waitFor(what: string, deadlineMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  let last: unknown;
  while (Date.now() - started < deadlineMs) {
    try {
      if (await check()) return Date.now() - started;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: not within ${deadlineMs} ms${last ? ` (last error: ${String(last)})` : ""}`);
}

describe.skipIf(skip)("a real Prometheus evaluates the plan's rules against real exporters", () => {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-prometheus-"));
  const children: ChildProcess[] = [];
  const spus: StandInSpu[] = [];
  let base = "";
  let prometheusLog = "";
  const plan = planCluster(
    { environment: "dev", spus: [{ id: 5001, critical: true }, { id: 5002 }], monitoring: { prometheus: true, alertAfter: "3s", scrapeInterval: "1s" } },
    { stack: "live" },
  );

  beforeAll(async () => {
    const targets = [];
    for (const spu of plan.spus) {
      const standIn = await standInSpu(dir, spu.id);
      spus.push(standIn);
      const port = await freePort();
      children.push(startExporter(standIn, port));
      targets.push({ spu: spu.id, address: `127.0.0.1:${port}` });
    }
    const rulesFile = join(dir, "prometheus-rules.yaml");
    writeFileSync(rulesFile, prometheusRulesYaml(plan.monitoring));
    writeFileSync(join(dir, "prometheus.yml"), prometheusConfigYaml(plan.monitoring, { rulesFile, targets }));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const prometheus = spawn(
      "prometheus",
      [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prometheus.stderr?.on("data", (chunk: Buffer) => (prometheusLog += chunk.toString()));
    children.push(prometheus);
    await waitFor(`Prometheus ready on ${base}`, 30_000, async () => (await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(2_000) })).ok);
    // Both exporters scraped and every port answering: no alert at all.
    await waitFor("both exporters scraped with every port up", 30_000, async () => {
      const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(`sum(fluvio_spu_port_up{job="${plan.monitoring.job}"})`)}`);
      const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
      return body.data.result[0]?.value[1] === "4";
    });
  }, 90_000);

  afterAll(async () => {
    for (const child of children) child.kill("SIGTERM");
    for (const spu of spus) await Promise.all([close(spu.socket), close(spu.listeners.public), close(spu.listeners.private)]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("FluvioSpuPortDown fires (severity critical) when SPU 5001's public port stops answering, and resolves when it answers again", async () => {
    expect(await alerts(base)).toEqual([]);
    const critical = spus.find((spu) => spu.id === 5001)!;
    const portDown = (alert: ActiveAlert) => alert.labels.alertname === "FluvioSpuPortDown" && alert.labels.spu === "5001" && alert.labels.role === "public";

    await close(critical.listeners.public);
    critical.listeners.public = undefined;
    const fired = await waitFor("FluvioSpuPortDown firing", ALERT_DEADLINE_MS, async () => (await alerts(base)).some((alert) => portDown(alert) && alert.state === "firing"));
    const active = await alerts(base);
    expect(active.filter(portDown)).toEqual([expect.objectContaining({ state: "firing", labels: expect.objectContaining({ severity: "critical", stack: "live", job: plan.monitoring.job }) })]);
    // Only that port: the SPU itself, its private port and the other SPU are fine.
    expect(active.filter((alert) => !portDown(alert))).toEqual([]);

    critical.listeners.public = await listenTcp(critical.ports.public);
    const resolved = await waitFor("FluvioSpuPortDown resolved", ALERT_DEADLINE_MS, async () => !(await alerts(base)).some(portDown));
    console.info(`live Prometheus: FluvioSpuPortDown fired ${(fired / 1000).toFixed(1)} s after the port closed (for: 3s, 1 s scrapes), resolved ${(resolved / 1000).toFixed(1)} s after it reopened`);
    expect(await alerts(base)).toEqual([]);
  }, 2 * ALERT_DEADLINE_MS + 10_000);

  it("FluvioSpuDown (warning) fires when SPU 5002's metrics socket stops answering", async () => {
    const other = spus.find((spu) => spu.id === 5002)!;
    await close(other.socket);
    const fired = await waitFor("FluvioSpuDown firing", ALERT_DEADLINE_MS, async () =>
      (await alerts(base)).some((alert) => alert.labels.alertname === "FluvioSpuDown" && alert.labels.spu === "5002" && alert.state === "firing" && alert.labels.severity === "warning"),
    );
    console.info(`live Prometheus: FluvioSpuDown fired ${(fired / 1000).toFixed(1)} s after the socket closed`);
    expect(prometheusLog).not.toMatch(/level=error/);
  }, ALERT_DEADLINE_MS + 10_000);
});
