/**
 * Sockets that are bound to a planned port but not listening. They block Docker's bind as a
 * listener does (`bind: address already in use`). Where the listener tables list them, they are
 * rows in state 07 (TCP_CLOSE) with a local port and no remote end; many kernels keep them out
 * of the tables altogether, which is why preflight also bind-probes (see fallback.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ipv4FromHex, ipv6FromHex } from "./proc-parse";
import type { Listener } from "./types";

/** `st` of a closed (here: bound, unconnected) socket in /proc/net/tcp{,6}. */
export const TCP_CLOSE = "07";

/**
 * Rows in state 07 whose local port is one of `ports` and whose remote end is all zeros: bound,
 * neither listening nor connected. Pure: the text of /proc/net/tcp (`family` 4) or tcp6 (6).
 */
export function parseBoundSockets(text: string, family: 4 | 6, ports: ReadonlySet<number>): Listener[] {
  const bound: Listener[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== TCP_CLOSE) continue;
    const [localHex = "", localPortHex = ""] = (fields[1] ?? "").split(":");
    const [remoteHex = "", remotePortHex = ""] = (fields[2] ?? "").split(":");
    const port = Number.parseInt(localPortHex, 16);
    if (!ports.has(port) || !/^0+$/.test(remoteHex) || !/^0+$/.test(remotePortHex)) continue;
    const address = family === 4 ? ipv4FromHex(localHex) : ipv6FromHex(localHex);
    const uid = Number(fields[7]);
    const inode = Number(fields[9]);
    if (address === undefined || !Number.isInteger(uid) || !Number.isInteger(inode)) continue;
    bound.push({ address, port, inode, uid });
  }
  return bound;
}

/** The bound, not listening sockets on `ports` under `procRoot` (none when the tables cannot be read). */
export function readBoundSockets(procRoot: string, ports: ReadonlySet<number>): Listener[] {
  if (ports.size === 0) return [];
  const read = (file: string): string => {
    try {
      return readFileSync(join(procRoot, "net", file), "utf8");
    } catch {
      return "";
    }
  };
  return [...parseBoundSockets(read("tcp"), 4, ports), ...parseBoundSockets(read("tcp6"), 6, ports)];
}
