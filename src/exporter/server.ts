/**
 * I/O: the exporter's HTTP server. `GET /metrics` scrapes the SPU's socket and renders it;
 * `GET /healthz` answers while the process runs, whatever the SPU's state (the SPU's own
 * health is `fluvio_spu_up`); anything else is 404. Timeouts and a connection cap bound what
 * slow or idle clients can hold.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ScrapeResult } from "./model";
import { CONTENT_TYPE, renderMetrics } from "./render";
import { sharedScraper } from "./scrape";
import type { ProbeFlag } from "./flags";
import { renderProbes, sharedProber, type ProbeResult } from "./probe";

/** The exporter's health path; the same value as `EXPORTER_HEALTH_PATH` in src/plan/layout.ts (not imported: the exporter depends on nothing outside this folder). */
export const HEALTH_PATH = "/healthz";
export const METRICS_PATH = "/metrics";

/** The most connections served at once; more wait in the kernel's backlog. */
export const MAX_CONNECTIONS = 128;

/** What to run: the parsed flags, plus a log sink (stderr by default). */
export interface ExporterOptions {
  socketPath: string;
  /** 0 picks a free port (tests and benches). */
  port: number;
  host: string;
  spuId: string;
  timeoutMs: number;
  /** The SPU's own ports to probe on every scrape (none by default). */
  probes?: ProbeFlag[];
  probeTimeoutMs?: number;
  log?: (line: string) => void;
}

/** A started exporter: the port it listens on, and a clean shutdown. */
export interface RunningExporter {
  server: Server;
  port: number;
  /** Stops accepting, lets in-flight responses finish for up to `graceMs`, then drops every connection. */
  close: (graceMs?: number) => Promise<void>;
}

function send(res: ServerResponse, method: string | undefined, status: number, contentType: string, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(method === "HEAD" ? undefined : body);
}

/** Logs only when the SPU's reachability changes (down with its reason, or back up), never per scrape. */
function transitionLogger(spuId: string, log: (line: string) => void): (result: ScrapeResult) => void {
  let last: string | undefined;
  return (result) => {
    const state = result.ok ? "up" : `down: ${result.error.reason}`;
    if (state === last) return;
    last = state;
    log(result.ok ? `spu ${spuId}: metrics socket up` : `spu ${spuId}: metrics socket down (${result.error.reason}: ${result.error.detail})`);
  };
}

/** Logs a probed port only when it changes between answering and not. */
function probeLogger(spuId: string, log: (line: string) => void): (results: ProbeResult[]) => void {
  const last = new Map<string, boolean>();
  return (results) => {
    for (const result of results) {
      if (last.get(result.role) === result.up) continue;
      last.set(result.role, result.up);
      const where = `${result.host}:${result.port}`;
      log(result.up ? `spu ${spuId}: ${result.role} port ${where} answers` : `spu ${spuId}: ${result.role} port ${where} does not answer (${result.error ?? "failed"})`);
    }
  };
}

/** The request handler, given a scrape function (and a probe round): routes, scrapes, renders. */
export function requestHandler(
  spuId: string,
  scrape: () => Promise<ScrapeResult>,
  onScrape: (result: ScrapeResult) => void = () => {},
  probe: () => Promise<ProbeResult[]> = () => Promise.resolve([]),
  onProbe: (results: ProbeResult[]) => void = () => {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? "/").split("?", 1)[0];
    const readable = req.method === "GET" || req.method === "HEAD";
    if (path === HEALTH_PATH && readable) return send(res, req.method, 200, "text/plain; charset=utf-8", "ok\n");
    if (path !== METRICS_PATH || !readable) return send(res, req.method, 404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n");
    Promise.all([scrape(), probe()]).then(
      ([result, probes]) => {
        onScrape(result);
        onProbe(probes);
        send(res, req.method, 200, CONTENT_TYPE, renderMetrics(spuId, result) + renderProbes(spuId, probes));
      },
      (error: unknown) => send(res, req.method, 500, "text/plain; charset=utf-8", `scrape failed: ${String(error)}\n`),
    );
  };
}

/** Starts the exporter; resolves once it listens (rejects if it cannot, e.g. the port is taken). */
export function startExporter(options: ExporterOptions): Promise<RunningExporter> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const scrape = sharedScraper({ socketPath: options.socketPath, timeoutMs: options.timeoutMs });
  const probe = sharedProber(options.probes ?? [], options.probeTimeoutMs ?? 1_000);
  const server = createServer(requestHandler(options.spuId, scrape, transitionLogger(options.spuId, log), probe, probeLogger(options.spuId, log)));
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  // An idle connection (a client that stopped reading or sending) is dropped; a scrape in flight is not idle for longer than its deadline.
  server.setTimeout(Math.max(30_000, options.timeoutMs + (options.probeTimeoutMs ?? 1_000) + 5_000), (socket) => socket.destroy());
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      server.on("error", (error) => log(`server error: ${error.message}`));
      const port = (server.address() as AddressInfo).port;
      resolve({ server, port, close: (graceMs = 2_000) => closeServer(server, graceMs) });
    });
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
