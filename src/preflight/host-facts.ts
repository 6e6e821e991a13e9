/**
 * I/O at the edge: ask the local container engine, once, what it is (`GET /info` and
 * `GET /version` on its unix socket: Docker Engine, Docker Desktop, OrbStack, Colima, Podman's
 * Docker-compatible API, ...) and hand the answer to the pure planner (`PlanContext.hostFacts`).
 * `SpuCluster` plans synchronously, so the question runs in a short-lived child process
 * (`spawnSync`), bounded by a timeout; the CLI asks the same way. Never throws.
 */
import { spawnSync } from "node:child_process";
import type { HostFacts, HostFactsAnswer } from "../plan/host-access";
import { dockerSocketPath } from "./docker";
import { engineGet } from "./engine-http";

/** How long the engine gets to answer both questions. */
const HOST_FACTS_TIMEOUT_MS = 3_000;

/**
 * The child's program (plain Node, builtins only): GET /info and /version on the socket given
 * as argv[1], print `{ info, version }` as JSON, or `{ error }`.
 */
const ASK_SCRIPT = `
const http = require("node:http");
const [socketPath, timeout] = process.argv.slice(1);
const get = (path) => new Promise((resolve, reject) => {
  const req = http.request({ socketPath, path, method: "GET", headers: { host: "docker" }, timeout: Number(timeout) }, (res) => {
    const chunks = [];
    res.on("data", (chunk) => chunks.push(chunk));
    res.on("end", () => res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))) : reject(new Error(path + " answered HTTP " + res.statusCode)));
  });
  req.on("timeout", () => req.destroy(new Error("no answer within " + timeout + " ms")));
  req.on("error", reject);
  req.end();
});
Promise.all([get("/info"), get("/version")]).then(
  ([info, version]) => process.stdout.write(JSON.stringify({ info, version })),
  (error) => process.stdout.write(JSON.stringify({ error: (error.code ? error.code + ": " : "") + error.message })),
);
`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Pure: the engine's raw `/info` and `/version` answers → the fields the choice reads (anything else is dropped). */
export function hostFactsOf(info: unknown, version: unknown): HostFacts {
  const i = isRecord(info) ? info : {};
  const v = isRecord(version) ? version : {};
  const platform = isRecord(v.Platform) ? text(v.Platform.Name) : undefined;
  const components = Array.isArray(v.Components)
    ? v.Components.flatMap((component) => (isRecord(component) && typeof component.Name === "string" ? [{ Name: component.Name, ...(typeof component.Version === "string" ? { Version: component.Version } : {}) }] : []))
    : undefined;
  const security = Array.isArray(i.SecurityOptions) ? i.SecurityOptions.filter((option): option is string => typeof option === "string") : undefined;
  const pick = (key: string): Record<string, string> => (text(i[key]) !== undefined ? { [key]: text(i[key]) as string } : {});
  return {
    info: { ...pick("OperatingSystem"), ...pick("OSType"), ...pick("Name"), ...pick("KernelVersion"), ...(security ? { SecurityOptions: security } : {}) },
    version: { ...(platform !== undefined ? { Platform: { Name: platform } } : {}), ...(components ? { Components: components } : {}) },
  };
}

/** Options: which socket (default: DOCKER_HOST when unix://, else /var/run/docker.sock) and how long to wait. */
export interface HostFactsOptions {
  socketPath?: string;
  dockerHost?: string;
  timeoutMs?: number;
}

/**
 * Asks the engine in this process, asynchronously (what the CLI does: no child process to start);
 * the same answer as `askHostFacts`, bounded by the timeout; never throws.
 */
export async function askHostFactsAsync(options: HostFactsOptions = {}): Promise<HostFactsAnswer> {
  const where = dockerSocketPath(options.socketPath, options.dockerHost ?? process.env.DOCKER_HOST);
  if ("reason" in where) return { ok: false, reason: where.reason };
  const timeoutMs = options.timeoutMs ?? HOST_FACTS_TIMEOUT_MS;
  const get = async (path: string): Promise<unknown> => {
    const response = await engineGet(where.socketPath, path, timeoutMs);
    if (response.status !== 200) throw new Error(`${path} answered HTTP ${response.status}`);
    try {
      return JSON.parse(response.body) as unknown;
    } catch {
      throw new Error(`${path} answered something that is not JSON`);
    }
  };
  try {
    const [info, version] = await Promise.all([get("/info"), get("/version")]);
    return { ok: true, facts: hostFactsOf(info, version) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: `the engine at ${where.socketPath} did not answer (${code ? `${code}: ` : ""}${(error as Error).message})` };
  }
}

/** The local engine's answer, asked once per process (`askHostFactsOnce`). */
let localQuestion: Promise<HostFactsAnswer> | undefined;

/**
 * Asks the local engine (DOCKER_HOST or the default socket) once per process, in this process;
 * later calls share the answer. The CLI asks as soon as it knows the command plans a stack,
 * before loading that command's code, so the engine answers while the code loads.
 */
export function askHostFactsOnce(): Promise<HostFactsAnswer> {
  return (localQuestion ??= askHostFactsAsync());
}

/** Asks the engine, synchronously (in a child process, bounded by the timeout); never throws. */
export function askHostFacts(options: HostFactsOptions = {}): HostFactsAnswer {
  const where = dockerSocketPath(options.socketPath, options.dockerHost ?? process.env.DOCKER_HOST);
  if ("reason" in where) return { ok: false, reason: where.reason };
  const timeoutMs = options.timeoutMs ?? HOST_FACTS_TIMEOUT_MS;
  const child = spawnSync(process.execPath, ["-e", ASK_SCRIPT, where.socketPath, String(timeoutMs)], { encoding: "utf8", timeout: timeoutMs + 2_000 });
  if (child.error || child.status !== 0) return { ok: false, reason: `asking the engine at ${where.socketPath} failed (${child.error?.message ?? child.stderr.trim().split("\n")[0] ?? `exit ${child.status}`})` };
  try {
    const answer = JSON.parse(child.stdout) as { info?: unknown; version?: unknown; error?: string };
    if (answer.error !== undefined) return { ok: false, reason: `the engine at ${where.socketPath} did not answer (${answer.error})` };
    return { ok: true, facts: hostFactsOf(answer.info, answer.version) };
  } catch {
    return { ok: false, reason: `the engine at ${where.socketPath} answered something that is not JSON` };
  }
}
