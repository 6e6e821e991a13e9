/**
 * The SPU's own ports, probed: one TCP connect per port on every scrape, bounded by a deadline,
 * so a port that stops answering (the SPU died, or something else holds it and drops or refuses
 * connections) shows as `fluvio_spu_port_up{spu, role} 0` before clients notice. Connect, then
 * close at once: nothing is sent, so Fluvio sees a connection that ends before its first request.
 * Builtins only, like the rest of the exporter.
 */
import { createConnection } from "node:net";
import { performance } from "node:perf_hooks";
import type { ProbeFlag } from "./flags";
import { escapeHelp, escapeLabelValue, formatValue } from "./render";

/** One probe's outcome: whether the connect succeeded within the deadline, and how long it took. */
export interface ProbeResult {
  role: string;
  host: string;
  port: number;
  up: boolean;
  durationSeconds: number;
  /** Why it failed (`ECONNREFUSED`, `timeout`, ...), for the log only: never a label. */
  error?: string;
}

/** Connects to `host:port`; resolves (never rejects) on connect, error, or after `timeoutMs`. */
export function probePort(probe: ProbeFlag, timeoutMs: number): Promise<ProbeResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const socket = createConnection({ host: probe.host, port: probe.port });
    const finish = (up: boolean, error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const result: ProbeResult = { ...probe, up, durationSeconds: (performance.now() - start) / 1000 };
      resolve(error === undefined ? result : { ...result, error });
    };
    const timer = setTimeout(() => finish(false, `timeout after ${timeoutMs} ms`), timeoutMs);
    socket.once("connect", () => finish(true));
    socket.once("error", (error: NodeJS.ErrnoException) => finish(false, error.code ?? error.message));
  });
}

/** Every probe at once; resolves when the slowest has (at most `timeoutMs` after the call). */
export function probeAll(probes: readonly ProbeFlag[], timeoutMs: number): Promise<ProbeResult[]> {
  return Promise.all(probes.map((probe) => probePort(probe, timeoutMs)));
}

/** Probes that share the round in flight, as scrapes share the socket read (see scrape.ts). */
export function sharedProber(probes: readonly ProbeFlag[], timeoutMs: number): () => Promise<ProbeResult[]> {
  let inFlight: Promise<ProbeResult[]> | undefined;
  return () => {
    if (probes.length === 0) return Promise.resolve([]);
    if (inFlight === undefined) {
      inFlight = probeAll(probes, timeoutMs).finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  };
}

function family(name: string, help: string, spu: string, results: readonly ProbeResult[], value: (result: ProbeResult) => number): string {
  const lines = results.map((result) => `${name}{spu="${escapeLabelValue(spu)}",role="${escapeLabelValue(result.role)}"} ${formatValue(value(result))}\n`);
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} gauge\n${lines.join("")}`;
}

/** Pure: probe results → `fluvio_spu_port_up` and `fluvio_spu_port_probe_duration_seconds` (nothing without probes). */
export function renderProbes(spu: string, results: readonly ProbeResult[]): string {
  if (results.length === 0) return "";
  return (
    family("fluvio_spu_port_up", "1 when a TCP connect from the exporter to this SPU port succeeded within the probe timeout on this scrape, 0 otherwise.", spu, results, (result) =>
      result.up ? 1 : 0,
    ) + family("fluvio_spu_port_probe_duration_seconds", "Time the TCP connect to this SPU port took, or until it failed or timed out.", spu, results, (result) => result.durationSeconds)
  );
}
