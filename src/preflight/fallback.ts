/**
 * Looking at ports without the listener tables: bind probes and `lsof`.
 *
 * A bind probe asks the kernel itself: it binds (and releases at once) each planned port on
 * `0.0.0.0`, `::` and `127.0.0.1`. It sees what the tables cannot: a socket that is bound but not
 * listening (it is in no listener table, yet Docker's bind fails on it), and every port on hosts
 * without /proc (macOS, Windows with Docker Desktop, a sandbox that hides it). It is racy, so it
 * complements the tables and the engine rather than replacing them; it names no holder, which
 * `lsof -nP -iTCP:<port>` does where it is installed.
 */
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";

/** The addresses every planned port is probed on: any IPv4, any IPv6, and loopback. */
export const PROBE_ADDRESSES: readonly string[] = ["0.0.0.0", "::", "127.0.0.1"];

/**
 * Where the listener tables could be read (Linux), one dual-stack bind on `::` does: Linux
 * refuses it while any socket, IPv4 or IPv6, on any address, holds the port (listening, bound,
 * or a connection's source port). Without IPv6 it falls back to `0.0.0.0`.
 */
export const LINUX_PROBE_ADDRESSES: readonly string[] = ["::"];

/**
 * How many probes run at once (each is one socket, held for a moment). A bind is a synchronous
 * system call, so more in flight only adds handles to track: 3,000 ports took 62 ms with 64 at
 * once and 42-47 ms with 1 to 16 (`npm run bench`'s preflight figures).
 */
const PROBE_CONCURRENCY = 8;

/**
 * What binding one port said: `free` on every address, `taken` (the kernel refused a bind:
 * someone holds it, listening or not), or `unprobed` (a bind was not allowed at all, for
 * example a port below 1024 without root), with the addresses and reason.
 */
export type ProbeResult =
  | { port: number; state: "free" }
  | { port: number; state: "taken"; addresses: string[] }
  | { port: number; state: "unprobed"; reason: string };

/** One bind attempt's answer: free, in use, or an error that says nothing about the port. */
type BindAnswer = { kind: "free" } | { kind: "in-use" } | { kind: "not-allowed"; code: string } | { kind: "no-address" };

/** Binds `port` on `address` and releases it at once; never throws. */
export function bindOnce(port: number, address: string): Promise<BindAnswer> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve({ kind: "in-use" });
      // No IPv6 (or no such address) on this host: nothing can be published there either.
      else if (error.code === "EADDRNOTAVAIL" || error.code === "EAFNOSUPPORT") resolve({ kind: "no-address" });
      else resolve({ kind: "not-allowed", code: error.code ?? String(error.message) });
    });
    // `::` is what Node binds when given no host (dual-stack, IPv4 where there is no IPv6), and
    // without a host it skips a lookup of the address whose IPv6 check costs a command 5 ms.
    const on = address === "::" ? { port, exclusive: true } : { port, host: address, exclusive: true };
    server.listen(on, () => server.close(() => resolve({ kind: "free" })));
  });
}

/** The verdict on one port from its answers on every probed address (pure). */
export function probeVerdict(port: number, answers: readonly { address: string; answer: BindAnswer }[]): ProbeResult {
  const taken = answers.filter((entry) => entry.answer.kind === "in-use").map((entry) => entry.address);
  if (taken.length > 0) return { port, state: "taken", addresses: taken };
  const refused = answers.find((entry) => entry.answer.kind === "not-allowed");
  if (refused && refused.answer.kind === "not-allowed") {
    const why = refused.answer.code === "EACCES" ? `binding it needs more privilege than this user has (${refused.answer.code}); run as root to check it` : `binding it failed with ${refused.answer.code}`;
    return { port, state: "unprobed", reason: `port ${port} could not be probed on ${refused.address}: ${why}` };
  }
  return { port, state: "free" };
}

/** Probes every port on every address, a bounded number at a time; never throws. */
export async function probePorts(ports: readonly number[], addresses: readonly string[] = PROBE_ADDRESSES): Promise<ProbeResult[]> {
  const results: ProbeResult[] = new Array(ports.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ports.length) {
      const index = next++;
      const port = ports[index] as number;
      // One address after another: probing 0.0.0.0 and :: at once would collide with itself.
      const answers: { address: string; answer: BindAnswer }[] = [];
      for (const address of addresses) answers.push({ address, answer: await bindOnce(port, address) });
      // No IPv6 here: what `::` would have covered, 0.0.0.0 covers.
      if (answers.every((entry) => entry.answer.kind === "no-address") && !addresses.includes("0.0.0.0")) {
        answers.push({ address: "0.0.0.0", answer: await bindOnce(port, "0.0.0.0") });
      }
      results[index] = probeVerdict(port, answers);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBE_CONCURRENCY, ports.length) }, worker));
  return results;
}

/** A process `lsof` names for a TCP port. */
export interface LsofHolder {
  port: number;
  pid: number;
  command: string;
  /** The socket's address as lsof prints it: `*:9010`, `127.0.0.1:9010`, `[::1]:9010`. */
  address: string;
}

/**
 * Parses `lsof -F pcn` output: `p<pid>`, `c<command>`, then `n<name>` per file. A name is
 * `local` or `local->remote`; only sockets whose local port is one of `ports` count.
 */
export function parseLsof(text: string, ports: ReadonlySet<number>): LsofHolder[] {
  const holders: LsofHolder[] = [];
  let pid: number | undefined;
  let command = "";
  for (const line of text.split("\n")) {
    const tag = line[0];
    const value = line.slice(1);
    if (tag === "p") {
      pid = Number(value);
      command = "";
    } else if (tag === "c") {
      command = value;
    } else if (tag === "n" && pid !== undefined && Number.isInteger(pid)) {
      const local = value.split("->")[0] ?? "";
      const port = Number(local.slice(local.lastIndexOf(":") + 1));
      if (ports.has(port) && !holders.some((holder) => holder.pid === pid && holder.port === port)) holders.push({ port, pid, command, address: local });
    }
  }
  return holders;
}

/**
 * Who holds the given TCP ports, as `lsof -nP -iTCP:<port>` tells (listening or only bound);
 * undefined when lsof is not installed or does not answer within a few seconds.
 */
export function lsofHolders(ports: readonly number[], run: typeof spawnSync = spawnSync): LsofHolder[] | undefined {
  if (ports.length === 0) return [];
  const args = ["-nP", "-w", "-F", "pcn", ...ports.flatMap((port) => ["-iTCP:" + String(port)])];
  const result = run("lsof", args, { encoding: "utf8", timeout: 5_000 });
  if (result.error || result.status === null) return undefined;
  // lsof exits 1 when it found nothing: that is an answer too.
  return parseLsof(String(result.stdout ?? ""), new Set(ports));
}
