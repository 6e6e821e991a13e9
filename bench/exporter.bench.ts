/**
 * The metrics exporter: scrapes per second through HTTP against a stand-in SPU socket (one
 * scraper at a time, as Prometheus does per target, and 16 at once), beside the cost of the bare
 * socket read and of read + parse + render in the same run; then its memory after 100,000
 * scrapes against the value after warm-up (it must not grow). The stand-in SPU and the HTTP
 * client share the exporter's process, so the rates include their cost and are a floor.
 */
import { Agent, request } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseDocument } from "../src/exporter/parse";
import { renderMetrics } from "../src/exporter/render";
import { scrapeOnce } from "../src/exporter/scrape";
import { readSocket } from "../src/exporter/socket";
import { startExporter } from "../src/exporter/server";
import { median, printFigures, type Figure } from "./support";

const DOCUMENT = readFileSync(join(__dirname, "../test/fixtures/exporter/full.json"), "utf8");
const RUNS = 5;
const SCRAPES_PER_RUN = 2_000;
const WARM_UP_SCRAPES = 5_000;
const MEMORY_SCRAPES = 100_000;

/** A stand-in SPU: the recorded document on every connection, garbage on every `garbageEvery`-th one (0: never). */
function standInSpu(path: string, garbageEvery: { value: number }): Promise<Server> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on("error", () => {});
    socket.end(garbageEvery.value > 0 && connections % garbageEvery.value === 0 ? "\u0000garbage{" : DOCUMENT);
  });
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}

function scrape(agent: Agent, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/metrics", agent }, (res) => {
      let length = 0;
      res.on("data", (chunk: Buffer) => (length += chunk.length));
      res.on("end", () => (res.statusCode === 200 ? resolve(length) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end();
  });
}

/** `total` scrapes by `concurrency` scrapers in parallel; returns scrapes per second. */
async function scrapeMany(agent: Agent, port: number, total: number, concurrency: number): Promise<number> {
  let left = total;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left--;
      await scrape(agent, port);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return total / ((performance.now() - start) / 1000);
}

/** Median of `RUNS` rates, after one warm-up run. */
async function medianRate(work: () => Promise<number>): Promise<number> {
  await work();
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) rates.push(await work());
  return median(rates);
}

async function sequentialRate(count: number, one: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let index = 0; index < count; index++) await one();
  return count / ((performance.now() - start) / 1000);
}

function memory(): { rss: number; heapUsed: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) for (let pass = 0; pass < 3; pass++) gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss / 1024 / 1024, heapUsed: usage.heapUsed / 1024 / 1024 };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-exporter-bench-"));
  const socketPath = join(dir, "spu.sock");
  const garbageEvery = { value: 0 };
  const spu = await standInSpu(socketPath, garbageEvery);
  const exporter = await startExporter({ socketPath, port: 0, host: "127.0.0.1", spuId: "5001", timeoutMs: 2_000, log: () => {} });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const bareRead = await medianRate(() => sequentialRate(SCRAPES_PER_RUN, () => readSocket(socketPath, 2_000)));
    const readParseRender = await medianRate(() =>
      sequentialRate(SCRAPES_PER_RUN, async () => {
        const result = await scrapeOnce({ socketPath, timeoutMs: 2_000 });
        return renderMetrics("5001", result);
      }),
    );
    const pureStart = performance.now();
    for (let index = 0; index < 20_000; index++) {
      const parsed = parseDocument(DOCUMENT);
      if (parsed.ok) renderMetrics("5001", { ok: true, metrics: parsed.metrics, durationSeconds: 0.001 });
    }
    const pureRate = 20_000 / ((performance.now() - pureStart) / 1000);
    const oneScraper = await medianRate(() => scrapeMany(agent, exporter.port, SCRAPES_PER_RUN, 1));
    const sixteen = await medianRate(() => scrapeMany(agent, exporter.port, SCRAPES_PER_RUN, 16));

    garbageEvery.value = 10;
    await scrapeMany(agent, exporter.port, WARM_UP_SCRAPES, 4);
    const warm = memory();
    const memoryStart = performance.now();
    await scrapeMany(agent, exporter.port, MEMORY_SCRAPES, 4);
    const memorySeconds = (performance.now() - memoryStart) / 1000;
    const after = memory();

    const figures: Figure[] = [
      { name: "bare socket read (connect, read to close), sequential", value: bareRead, unit: "reads/s", note: `median of ${RUNS} x ${SCRAPES_PER_RUN}` },
      { name: "socket read + parse + render, sequential, no HTTP", value: readParseRender, unit: "scrapes/s", note: `${(readParseRender / bareRead).toFixed(2)}x the bare read` },
      { name: "parse + render alone (recorded document)", value: pureRate, unit: "docs/s" },
      { name: "GET /metrics, 1 scraper (keep-alive)", value: oneScraper, unit: "scrapes/s", note: `${(oneScraper / bareRead).toFixed(2)}x the bare read` },
      { name: "GET /metrics, 16 concurrent scrapers (reads shared)", value: sixteen, unit: "scrapes/s", note: `${(sixteen / bareRead).toFixed(2)}x the bare read` },
      { name: `RSS after ${WARM_UP_SCRAPES} warm-up scrapes`, value: warm.rss, unit: "MiB" },
      { name: `RSS after ${MEMORY_SCRAPES} more scrapes (1 in 10 garbage)`, value: after.rss, unit: "MiB", note: `${(MEMORY_SCRAPES / memorySeconds).toFixed(0)} scrapes/s, 4 scrapers` },
      { name: "RSS difference", value: after.rss - warm.rss, unit: "MiB" },
      { name: "heapUsed after warm-up (after gc)", value: warm.heapUsed, unit: "MiB" },
      { name: `heapUsed after ${MEMORY_SCRAPES} more scrapes (after gc)`, value: after.heapUsed, unit: "MiB" },
      { name: "heapUsed difference", value: after.heapUsed - warm.heapUsed, unit: "MiB", note: (globalThis as { gc?: unknown }).gc ? "gc exposed" : "run with --expose-gc for a stable figure" },
    ];
    printFigures("metrics exporter (in-process, stand-in SPU socket, HTTP on 127.0.0.1)", figures);
  } finally {
    agent.destroy();
    await exporter.close(500);
    await new Promise((resolve) => spu.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
