/**
 * I/O: one read of an SPU's metrics socket. Connects, reads until the SPU closes the
 * connection, and gives up on a deadline or a size cap, so that a socket that never closes
 * or streams forever can cost neither a hung scrape nor unbounded memory.
 */
import { createConnection } from "node:net";
import type { ScrapeError } from "./model";

/** The largest document accepted; a real one is well under 4 KiB. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** The outcome of one read: the whole text, or why there is none. */
export type SocketRead = { ok: true; text: string } | { ok: false; error: ScrapeError };

/** Maps a connect/read error to a low-cardinality reason. */
export function socketErrorOf(error: NodeJS.ErrnoException, path: string): ScrapeError {
  switch (error.code) {
    case "ENOENT":
      return { reason: "socket_missing", detail: `no socket at ${path} (is the SPU running?)` };
    case "EACCES":
    case "EPERM":
      return { reason: "permission_denied", detail: `no permission to connect to ${path} (run the exporter as the SPU's user)` };
    case "ECONNREFUSED":
      return { reason: "connection_refused", detail: `${path} refused the connection (stale socket: is the SPU running?)` };
    default:
      return { reason: "connect_error", detail: `${path}: ${error.code ?? ""} ${error.message}`.trim() };
  }
}

/**
 * Reads one whole document from the Unix socket at `path`: resolves (never rejects) once the
 * peer closes, or with `timeout` after `timeoutMs` in all, or `too_large` past `maxBytes`.
 */
export function readSocket(path: string, timeoutMs: number, maxBytes: number = MAX_DOCUMENT_BYTES): Promise<SocketRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const socket = createConnection({ path });
    const finish = (outcome: SocketRead): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish({ ok: false, error: { reason: "timeout", detail: `${path} sent ${size} bytes and did not close within ${timeoutMs} ms` } }),
      timeoutMs,
    );
    socket.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        finish({ ok: false, error: { reason: "too_large", detail: `${path} sent more than ${maxBytes} bytes` } });
        return;
      }
      chunks.push(chunk);
    });
    socket.on("end", () => finish({ ok: true, text: Buffer.concat(chunks, size).toString("utf8") }));
    socket.on("error", (error: NodeJS.ErrnoException) => finish({ ok: false, error: socketErrorOf(error, path) }));
    socket.on("close", () => finish({ ok: false, error: { reason: "connect_error", detail: `${path} closed abnormally` } }));
  });
}
