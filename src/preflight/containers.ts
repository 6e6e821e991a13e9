/**
 * The containers a cluster has on the local engine, as the engine reports them: by label (every
 * container carrying the cluster's and the stack's labels, running or not) and by name (one
 * inspect each, as the Docker provider reads a container back). Over the engine's unix socket
 * (engine-http.ts), never throwing: an engine that cannot be asked is a reason.
 */
import { engineGet, engineGetRaw } from "./engine-http";

/** One host binding of a published port, in the order the engine reports it. */
export interface LiveBinding {
  internal: number;
  protocol: string;
  ip: string;
  external: number;
}

/** A container as the engine reports it. */
export interface LiveContainer {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  /** `running`, `exited`, `created`, `restarting`, `paused`, `dead`. */
  state: string;
  /** The published bindings, in the engine's order (`NetworkSettings.Ports`); empty when not running. */
  bindings: LiveBinding[];
}

/** The engine's answer, or why there is none. */
export type LiveAnswer<T> = { ok: true; value: T } | { ok: false; reason: string };

/** How long one engine request may take. */
const TIMEOUT_MS = 5_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/** Pure: `NetworkSettings.Ports` (`{"9002/tcp": [{HostIp, HostPort}], ...}`) as bindings, in the engine's order. */
export function parsePortMap(ports: unknown): LiveBinding[] {
  if (!isRecord(ports)) return [];
  return Object.entries(ports).flatMap(([key, list]) => {
    const [port, protocol = "tcp"] = key.split("/");
    if (!Array.isArray(list)) return [];
    return list.flatMap((entry): LiveBinding[] =>
      isRecord(entry) && typeof entry.HostPort === "string"
        ? [{ internal: Number(port), protocol, ip: typeof entry.HostIp === "string" ? entry.HostIp : "", external: Number(entry.HostPort) }]
        : [],
    );
  });
}

/** Pure: the engine's answer to GET /containers/<name>/json as a `LiveContainer`, or undefined when it is not one. */
export function parseInspect(body: unknown): LiveContainer | undefined {
  if (!isRecord(body) || typeof body.Id !== "string") return undefined;
  const config = isRecord(body.Config) ? body.Config : {};
  const state = isRecord(body.State) ? body.State : {};
  const network = isRecord(body.NetworkSettings) ? body.NetworkSettings : {};
  return {
    id: body.Id,
    name: typeof body.Name === "string" ? body.Name.replace(/^\//, "") : body.Id.slice(0, 12),
    image: typeof config.Image === "string" ? config.Image : "",
    labels: stringRecord(config.Labels),
    state: typeof state.Status === "string" ? state.Status : "unknown",
    bindings: parsePortMap(network.Ports),
  };
}

/** Pure: the engine's answer to GET /containers/json?all=true as containers (without bindings: a list does not order them). */
export function parseContainerList(body: unknown): LiveContainer[] {
  if (!Array.isArray(body)) return [];
  return body.flatMap((item): LiveContainer[] => {
    if (!isRecord(item) || typeof item.Id !== "string") return [];
    const names = Array.isArray(item.Names) ? item.Names.filter((name): name is string => typeof name === "string") : [];
    return [
      {
        id: item.Id,
        name: (names[0] ?? item.Id.slice(0, 12)).replace(/^\//, ""),
        image: typeof item.Image === "string" ? item.Image : "",
        labels: stringRecord(item.Labels),
        state: typeof item.State === "string" ? item.State : "unknown",
        bindings: [],
      },
    ];
  });
}

/** Every container (running or not) carrying all of `labels`, each value matched exactly. */
export async function containersLabelled(socketPath: string, labels: Record<string, string>): Promise<LiveAnswer<LiveContainer[]>> {
  const filters = encodeURIComponent(JSON.stringify({ label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) }));
  try {
    const response = await engineGet(socketPath, `/containers/json?all=true&filters=${filters}`, TIMEOUT_MS);
    if (response.status !== 200) return { ok: false, reason: `the Docker engine at ${socketPath} answered HTTP ${response.status}` };
    const all = parseContainerList(JSON.parse(response.body) as unknown);
    // Docker's label filter matches exactly; check again, so nothing else is ever taken for the cluster's.
    return { ok: true, value: all.filter((container) => Object.entries(labels).every(([key, value]) => container.labels[key] === value)) };
  } catch (error) {
    return { ok: false, reason: `the Docker engine at ${socketPath} did not answer: ${(error as Error).message}` };
  }
}

/** The containers named `names` that exist (one inspect each, at once); a name that does not exist is absent from the map. */
export async function inspectContainers(socketPath: string, names: readonly string[]): Promise<LiveAnswer<Map<string, LiveContainer>>> {
  try {
    const answers = await Promise.all(names.map((name) => engineGet(socketPath, `/containers/${encodeURIComponent(name)}/json`, TIMEOUT_MS)));
    const found = new Map<string, LiveContainer>();
    for (const response of answers) {
      if (response.status === 404) continue;
      if (response.status !== 200) return { ok: false, reason: `the Docker engine at ${socketPath} answered HTTP ${response.status}` };
      const container = parseInspect(JSON.parse(response.body) as unknown);
      if (container) found.set(container.name, container);
    }
    return { ok: true, value: found };
  } catch (error) {
    return { ok: false, reason: `the Docker engine at ${socketPath} did not answer: ${(error as Error).message}` };
  }
}

/** Pure: Docker's log stream without its 8-byte frame headers (a container without a TTY); plain text otherwise. */
export function demuxLogStream(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length && (raw[offset] === 1 || raw[offset] === 2) && raw[offset + 1] === 0) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? raw.toString("utf8") : Buffer.concat(parts).toString("utf8");
}

/** The last `lines` lines a container wrote (stdout and stderr), or none when the engine does not say. */
export async function containerLogTail(socketPath: string, name: string, lines: number): Promise<string[]> {
  try {
    const response = await engineGetRaw(socketPath, `/containers/${encodeURIComponent(name)}/logs?stdout=true&stderr=true&tail=${lines}`);
    if (response.status !== 200) return [];
    return demuxLogStream(response.body)
      .split("\n")
      .map((line) => line.trimEnd())
      .filter((line) => line !== "");
  } catch {
    return [];
  }
}
