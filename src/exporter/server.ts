/**
 * I/O: the exporter's HTTP server. `GET /metrics` scrapes the SPU's socket and renders it;
 * `GET /healthz` answers while the process runs, whatever the SPU's state (the SPU's own
 * health is `fluvio_spu_up`); anything else is 404. Timeouts and a connection cap bound what
 * slow or idle clients can hold.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { ScrapeResult } from "./model";
import { CONTENT_TYPE, renderMetrics } from "./render";
import { sharedScraper } from "./scrape";
import type { ProbeFlag } from "./flags";
import { renderProbes, sharedProber, type ProbeResult } from "./probe";

/** The exporter's health path; the same value as `EXPORTER_HEALTH_PATH` in src/plan/layout.ts (not imported: the exporter depends on nothing outside this folder). */
export const HEALTH_PATH = "/healthz";
export const METRICS_PATH = "/metrics";

/**
 * The most connections held at once. A new connection beyond it is never refused: the one idle
 * longest makes room (or, when every one has a request in flight, the oldest), so a flood of
 * idle or slow clients can never keep a health check or a scrape out.
 */
export const MAX_CONNECTIONS = 64;
/** How long a connection may sit without a request in flight (never sending one, or after its response) before it is closed. */
export const IDLE_TIMEOUT_MS = 5_000;
/** How long a client may take to send a request's headers (a slow-loris sends one byte at a time). */
export const HEADERS_TIMEOUT_MS = 3_000;

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
  const server = createServer(
    // The timeouts are checked every second, not Node's default 30 s: a slow client is dropped on time.
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: options.timeoutMs + (options.probeTimeoutMs ?? 1_000) + 5_000, keepAliveTimeout: IDLE_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
    requestHandler(options.spuId, scrape, transitionLogger(options.spuId, log), probe, probeLogger(options.spuId, log)),
  );
  boundConnections(server, MAX_CONNECTIONS, IDLE_TIMEOUT_MS);
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

/**
 * Keeps at most `cap` connections: each new one past the cap closes the connection idle longest
 * (no request in flight), else the oldest; a connection without a request in flight for
 * `idleMs` is closed. What a connection is doing is followed through the server's own events.
 */
export function boundConnections(server: Server, cap: number, idleMs: number): void {
  const connections = new Map<Socket, { since: number; busy: number }>();
  // One sweep a second closes what sat idle too long (a socket's own timeout is re-armed by the HTTP server's bookkeeping).
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [socket, state] of connections) {
      if (state.busy === 0 && now - state.since >= idleMs) {
        connections.delete(socket);
        socket.destroy();
      }
    }
  }, Math.min(1_000, idleMs));
  sweep.unref();
  server.once("close", () => clearInterval(sweep));
  server.on("connection", (socket: Socket) => {
    if (connections.size >= cap) evictOne(connections);
    connections.set(socket, { since: Date.now(), busy: 0 });
    socket.once("close", () => connections.delete(socket));
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const state = connections.get(req.socket);
    if (!state) return;
    state.busy++;
    res.once("close", () => {
      state.busy--;
      state.since = Date.now();
    });
  });
}

/** Closes the connection idle longest, else (every one busy) the oldest. */
function evictOne(connections: Map<Socket, { since: number; busy: number }>): void {
  let victim: Socket | undefined;
  let best = { idle: false, since: Infinity };
  for (const [socket, state] of connections) {
    const idle = state.busy === 0;
    if ((idle && !best.idle) || (idle === best.idle && state.since < best.since)) {
      victim = socket;
      best = { idle, since: state.since };
    }
  }
  if (victim) {
    connections.delete(victim);
    victim.destroy();
  }
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
