/**
 * Asks the local Docker engine which host ports its running containers publish. Docker
 * publishes either through `docker-proxy` listeners or through NAT rules only (no listener
 * at all when the userland proxy is off), so its answer counts on its own, beside /proc.
 * One HTTP/1.0 GET over the engine's unix socket (engine-http.ts): no client library.
 */
import { engineGet, type EngineResponse } from "./engine-http";
import type { PublishedPort } from "./types";

/** The engine's default socket on Linux. */
export const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";

/** How long the engine gets to answer before preflight goes on with /proc alone. */
export const ENGINE_TIMEOUT_MS = 3_000;

/** How the reasons for "no engine runs here" start: without an engine, no container publishes a port. */
const NO_ENGINE = { missing: "no Docker engine socket at ", refused: "refuses connections (is dockerd running?)" } as const;

/**
 * Whether a reason `askEngine` gave means no engine runs on this host (no socket, or a socket
 * nobody answers), so no container publishes a port here; any other reason (permission denied,
 * a timeout, a bad answer, a remote DOCKER_HOST) means an engine may publish ports here unseen.
 */
export function isNoLocalEngine(reason: string): boolean {
  return reason.startsWith(NO_ENGINE.missing) || reason.endsWith(NO_ENGINE.refused);
}

/** The engine's answer: the published ports, or why there are none to tell. */
export type EngineAnswer = { ok: true; published: PublishedPort[] } | { ok: false; reason: string };

/**
 * Which socket to ask: an explicit one, else DOCKER_HOST when it is `unix://...`, else the
 * default. A DOCKER_HOST over tcp or ssh names a remote engine: its published ports are not
 * on this host, so the answer is a reason, not a socket.
 */
export function dockerSocketPath(explicit: string | undefined, dockerHost: string | undefined): { socketPath: string } | { reason: string } {
  if (explicit) return { socketPath: explicit };
  if (!dockerHost) return { socketPath: DEFAULT_DOCKER_SOCKET };
  const local = localEngineSocket(dockerHost);
  if (local !== undefined) return { socketPath: local };
  return { reason: `DOCKER_HOST=${dockerHost} is not a local unix socket; preflight asks only this host's engine` };
}

/**
 * The socket path of a local engine address: `unix:///var/run/docker.sock` → `/var/run/docker.sock`,
 * Windows' `npipe:////./pipe/docker_engine` → `\\.\pipe\docker_engine` (Node connects to
 * both as a `socketPath`). Undefined for any other address (tcp://, ssh://: another machine).
 */
export function localEngineSocket(dockerHost: string): string | undefined {
  const address = dockerHost.trim();
  if (address.startsWith("unix://")) return address.slice("unix://".length);
  if (address.startsWith("npipe://")) return address.slice("npipe://".length).replace(/\//g, "\\");
  return undefined;
}

/**
 * The TCP host ports in the engine's answer to GET /containers/json: one row per
 * `Ports[]` entry with a `PublicPort`, with the container's name (without the leading `/`)
 * and labels. Throws when the answer is not a container list.
 */
export function parseEngineContainers(body: unknown): PublishedPort[] {
  if (!Array.isArray(body)) throw new Error("the answer is not a container list");
  return body.flatMap((item): PublishedPort[] => {
    if (!isRecord(item)) return [];
    const container = containerName(item);
    const labels = stringRecord(item.Labels);
    const ports = Array.isArray(item.Ports) ? item.Ports : [];
    return ports.flatMap((entry): PublishedPort[] => {
      if (!isRecord(entry) || typeof entry.PublicPort !== "number" || (entry.Type !== undefined && entry.Type !== "tcp")) return [];
      return [{ port: entry.PublicPort, address: typeof entry.IP === "string" ? entry.IP : "", container, labels }];
    });
  });
}

function containerName(item: Record<string, unknown>): string {
  const first = Array.isArray(item.Names) ? item.Names.find((name): name is string => typeof name === "string") : undefined;
  if (first) return first.replace(/^\//, "");
  return typeof item.Id === "string" ? item.Id.slice(0, 12) : "(unnamed)";
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** GET /containers/json (running containers) from the engine at `socketPath`; never throws. */
export async function askEngine(socketPath: string, timeoutMs = ENGINE_TIMEOUT_MS): Promise<EngineAnswer> {
  let response: EngineResponse;
  try {
    response = await engineGet(socketPath, "/containers/json", timeoutMs);
  } catch (error) {
    return { ok: false, reason: engineErrorReason(socketPath, error as NodeJS.ErrnoException) };
  }
  if (response.status !== 200) return { ok: false, reason: `the Docker engine at ${socketPath} answered HTTP ${response.status}: ${response.body.trim().slice(0, 200)}` };
  try {
    return { ok: true, published: parseEngineContainers(JSON.parse(response.body) as unknown) };
  } catch (error) {
    return { ok: false, reason: `the Docker engine at ${socketPath} answered no container list (${(error as Error).message})` };
  }
}

function engineErrorReason(socketPath: string, error: NodeJS.ErrnoException): string {
  if (error.code === "ENOENT") return `${NO_ENGINE.missing}${socketPath}`;
  if (error.code === "EACCES") return `permission denied on ${socketPath} (join the docker group, or run as root)`;
  if (error.code === "ECONNREFUSED") return `the Docker engine at ${socketPath} ${NO_ENGINE.refused}`;
  return `the Docker engine at ${socketPath} did not answer: ${error.message}`;
}
