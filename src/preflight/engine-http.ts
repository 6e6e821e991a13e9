/**
 * One GET to the local container engine's API over its unix socket (or Windows named pipe),
 * as HTTP/1.0: the engine answers and closes, so the whole answer is what arrives before the
 * end of the stream. Built on `node:net` alone, because `node:http` costs a command more to
 * load and set up (its agent, parser and server-name checks) than the engine takes to answer;
 * the CLI asks on every `plan` and `check`. Docker, Podman and the desktop engines all serve
 * HTTP/1.0; a chunked body is decoded all the same.
 */
import { createConnection } from "node:net";

/** The engine's answer: its status and its body as text. */
export interface EngineResponse {
  status: number;
  body: string;
}

/** A failure with the socket error's code (ENOENT, EACCES, ECONNREFUSED) where there is one. */
export type EngineRequestError = Error & { code?: string };

/**
 * GET `path` from the engine at `socketPath`, within `timeoutMs`. Rejects with the socket's
 * error (its `code` kept), "no answer within N ms", or a reason when the answer is not HTTP.
 */
export function engineGet(socketPath: string, path: string, timeoutMs: number): Promise<EngineResponse> {
  return engineRequest(socketPath, "GET", path, timeoutMs);
}

/**
 * One request to the engine at `socketPath` (`GET`, `HEAD`, `POST`, `DELETE`), with a JSON body
 * when `body` is given; otherwise as `engineGet`. A `HEAD` answer has no body: it is complete
 * when its headers are in.
 */
export async function engineRequest(socketPath: string, method: "GET" | "HEAD" | "POST" | "DELETE", path: string, timeoutMs: number, body?: unknown): Promise<EngineResponse> {
  const answer = await engineExchange(socketPath, method, path, timeoutMs, body);
  return { status: answer.status, body: answer.body.toString("utf8") };
}

/** A GET whose body is kept as bytes (a log stream's frame headers are binary). */
export function engineGetRaw(socketPath: string, path: string, timeoutMs = 5_000): Promise<{ status: number; body: Buffer }> {
  return engineExchange(socketPath, "GET", path, timeoutMs);
}

function engineExchange(socketPath: string, method: "GET" | "HEAD" | "POST" | "DELETE", path: string, timeoutMs: number, body?: unknown): Promise<{ status: number; body: Buffer }> {
  const payload = body === undefined ? "" : JSON.stringify(body);
  const head = [
    `${method} ${path} HTTP/1.0`,
    "Host: docker",
    "User-Agent: fluvio-ports",
    ...(body === undefined ? (method === "POST" ? ["Content-Length: 0"] : []) : ["Content-Type: application/json", `Content-Length: ${Buffer.byteLength(payload)}`]),
  ].join("\r\n");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = createConnection({ path: socketPath });
    const fail = (error: EngineRequestError): void => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    // Written, not ended: an engine may take a half-closed connection for a client that left.
    socket.on("connect", () => socket.write(`${head}\r\n\r\n${payload}`));
    const finish = (raw: Buffer): void => {
      socket.destroy();
      const response = parseHttpBytes(raw);
      if (typeof response === "string") reject(new Error(response));
      else resolve(response);
    };
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      // An engine that keeps the connection open after a Content-Length body is done all the same.
      const raw = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      if (isComplete(raw, method === "HEAD")) finish(raw);
    });
    socket.on("error", fail);
    socket.on("end", () => finish(Buffer.concat(chunks)));
  });
}

/** Whether a response so far has its headers and the whole body its Content-Length gives (false without one). */
function isComplete(raw: Buffer, headersOnly = false): boolean {
  const headerEnd = raw.indexOf("\r\n\r\n");
  if (headerEnd < 0) return false;
  if (headersOnly) return true;
  const length = /\r\ncontent-length: *(\d+)\r\n/i.exec(`${raw.subarray(0, headerEnd).toString("latin1")}\r\n`);
  return length !== null && raw.length >= headerEnd + 4 + Number(length[1]);
}

/** Pure: a whole HTTP/1.x response → its status and body, or why it is not one. */
export function parseHttpResponse(raw: Buffer): EngineResponse | string {
  const response = parseHttpBytes(raw);
  return typeof response === "string" ? response : { status: response.status, body: response.body.toString("utf8") };
}

/** Pure: as `parseHttpResponse`, the body kept as bytes. */
export function parseHttpBytes(raw: Buffer): { status: number; body: Buffer } | string {
  const headerEnd = raw.indexOf("\r\n\r\n");
  if (headerEnd < 0) return raw.length === 0 ? "the connection closed without an answer" : "the answer is not HTTP (no end of headers)";
  const head = raw.subarray(0, headerEnd).toString("latin1").split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(head[0] ?? "");
  if (!status) return `the answer is not HTTP (${JSON.stringify((head[0] ?? "").slice(0, 60))})`;
  const chunked = head.slice(1).some((line) => /^transfer-encoding:.*\bchunked\b/i.test(line));
  const body = raw.subarray(headerEnd + 4);
  const decoded = chunked ? dechunk(body) : body;
  if (decoded === undefined) return "the answer's chunked body is cut short";
  return { status: Number(status[1]), body: decoded };
}

/** A chunked body's data, or undefined when it ends before its last chunk. */
function dechunk(body: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf("\r\n", at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString("latin1").split(";")[0] ?? "", 16);
    if (!Number.isInteger(size) || size < 0) return undefined;
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (start + size > body.length) return undefined;
    parts.push(body.subarray(start, start + size));
    at = start + size + 2;
  }
}
