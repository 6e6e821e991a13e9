import { ConfigError, type ConfigIssue } from "../config/errors";
import type { Strategy } from "../config/schema";
import { MAX_PORT, formatRange, inRange, rangeSize, type PortRange, type PortRole } from "./range";

/** One port a node needs: which role, where it could be pinned, and any pin or record. */
export interface PortRequest {
  /** The node's key: `sc` or `spu-<id>` (the registry's keys). */
  owner: string;
  /** The node as a person reads it: `SC`, `SPU 5001`. */
  label: string;
  role: PortRole;
  /** Where this port is pinned in the config: `sc.publicPort`, `spus[2].metricsPort`. */
  configPath: string;
  pinned?: number;
  recorded?: number;
}

/** How a planned port came to be: the user pinned it, the registry recorded it, or the planner derived it. */
export type PortSource = "pinned" | "recorded" | "derived";

/** One row of the port plan: the `ports` output of `SpuCluster` and `fluvio-ports plan`. */
export interface PortAssignment {
  owner: string;
  role: PortRole;
  port: number;
  source: PortSource;
}

/** Ports the planner must never assign, and why (shown in errors). */
export interface BlockedPorts {
  ports: PortRange;
  /** Who holds them: `reserved`, `redis (registry claim)`, `stack prod/fluvio SPU 5001 public`. */
  holder: string;
  /** The fix to suggest when a pin lands here. */
  fix: string;
}

/** Ports derived allocation steps around but a pin may take (with a warning): well-known owners. */
export interface AvoidedPorts {
  ports: PortRange;
  holder: string;
}

export interface AllocationInput {
  /** In priority order: the SC first, then SPUs by ascending id (appending never moves earlier ones). */
  requests: readonly PortRequest[];
  ranges: Readonly<Record<PortRole, PortRange>>;
  blocked: readonly BlockedPorts[];
  avoided: readonly AvoidedPorts[];
  strategy: Strategy;
  /** Seeds `stack-hash`: the stack (and cluster) name. */
  seed: string;
}

export interface Allocation {
  assignments: PortAssignment[];
  warnings: string[];
}

const FREE = 0;
const AVOIDED = 1;
const BLOCKED = 2;
const TAKEN = 3;

/**
 * Assigns every requested port: recorded ports where they still fit, then node by node in
 * priority order, pins exactly and the rest by the strategy, stepping around blocked and taken
 * ports and (while it can) well-known ones. Pure and deterministic. Throws one `ConfigError`
 * with every conflict and exhausted range; never moves a pin.
 */
export function allocatePorts(input: AllocationInput): Allocation {
  const state = new Uint8Array(MAX_PORT + 1);
  const takenBy = new Map<number, PortRequest>();
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const roles = [...new Set(input.requests.map((request) => request.role))];

  markRanges(state, input.avoided, AVOIDED, input.ranges, roles);
  markRanges(state, input.blocked, BLOCKED, input.ranges, roles);

  const assigned = new Map<PortRequest, PortAssignment>();
  const take = (request: PortRequest, port: number, source: PortSource): void => {
    state[port] = TAKEN;
    takenBy.set(port, request);
    assigned.set(request, { owner: request.owner, role: request.role, port, source });
  };

  const pins = new Map<number, PortRequest>();
  for (const request of input.requests) if (request.pinned !== undefined && !pins.has(request.pinned)) pins.set(request.pinned, request);

  // Recorded ports first: a stack's record keeps every SPU that stays on its ports.
  for (const request of input.requests) {
    if (request.pinned !== undefined || request.recorded === undefined) continue;
    const port = request.recorded;
    const range = input.ranges[request.role];
    const pinnedBy = pins.get(port);
    if (pinnedBy && pinnedBy.owner !== request.owner) {
      issues.push({
        path: pinnedBy.configPath,
        message: `${port} is recorded in the port registry for ${request.label} ${request.role}, which would have to move: pin another port, or run \`fluvio-ports plan --record\` after freeing ${port} on purpose`,
      });
      continue;
    }
    const reason = !inRange(port, range)
      ? `is outside ports.${request.role} ${formatRange(range)} now`
      : state[port] === BLOCKED
        ? `is now held by ${holderOf(input.blocked, port)?.holder ?? "another owner"}`
        : state[port] === TAKEN
          ? `is recorded for ${takenBy.get(port)?.label ?? "another node"} too`
          : undefined;
    if (reason) {
      warnings.push(`${request.label} ${request.role}: recorded port ${port} ${reason}, so it moves; run \`fluvio-ports plan --record\` to record the new port`);
      continue;
    }
    take(request, port, "recorded");
  }

  const pending = input.requests.filter((request) => !assigned.has(request) && request.pinned === undefined);
  checkCapacity(pending, input, state, pins, issues);
  if (issues.length > 0) throw new ConfigError(issues);

  // Then node by node, in priority order: a node's ports depend only on the nodes before it,
  // so adding SPUs with higher ids, or removing the highest, never moves the others.
  const cursors = new Map<string, number>();
  for (const request of input.requests) {
    if (assigned.has(request)) continue;
    if (request.pinned !== undefined) {
      const issue = pinProblem(request, request.pinned, state, takenBy, assigned, input.blocked);
      if (issue) issues.push(issue);
      else {
        if (state[request.pinned] === AVOIDED) {
          warnings.push(`${request.label} ${request.role} port ${request.pinned} is pinned on a port ${holderOf(input.avoided, request.pinned)?.holder ?? "well-known software"} usually holds; fine if nothing else listens there on this host`);
        }
        take(request, request.pinned, "pinned");
      }
      continue;
    }
    const range = input.ranges[request.role];
    const port =
      input.strategy === "sequential"
        ? nextSequential(state, range, request.role, cursors)
        : nextHashed(state, range, hashToOffset(`${input.seed}\u0000${request.owner}\u0000${request.role}`, rangeSize(range)));
    if (port === undefined) {
      issues.push({
        path: `ports.${request.role}`,
        message: `${formatRange(range)} has no free port left for ${request.label} once the pinned ports are honoured: widen the range or pin fewer ports inside it`,
      });
      continue;
    }
    if (state[port] === AVOIDED) {
      warnings.push(`${request.label} ${request.role} got port ${port}, which ${holderOf(input.avoided, port)?.holder ?? "well-known software"} usually holds: ports.${request.role} ${formatRange(range)} has no other free port; widen it to keep clear`);
    }
    take(request, port, "derived");
  }
  if (issues.length > 0) throw new ConfigError(issues);

  return { assignments: input.requests.flatMap((request) => assigned.get(request) ?? []), warnings };
}

function pinProblem(
  request: PortRequest,
  port: number,
  state: Uint8Array,
  takenBy: Map<number, PortRequest>,
  assigned: Map<PortRequest, PortAssignment>,
  blocked: readonly BlockedPorts[],
): ConfigIssue | undefined {
  const blocker = state[port] === BLOCKED ? holderOf(blocked, port) : undefined;
  if (blocker) {
    return { path: request.configPath, message: `${port} is held by ${blocker.holder}: pin another port for ${request.label} ${request.role}, or ${blocker.fix}` };
  }
  const other = takenBy.get(port);
  if (!other) return undefined;
  const source = assigned.get(other)?.source;
  if (source === "pinned") {
    return { path: request.configPath, message: `${port} is also pinned for ${other.label} ${other.role} (${other.configPath}): every port has one owner; pin another port` };
  }
  return {
    path: request.configPath,
    message: `${port} already went to ${other.label} ${other.role} (${source}; nodes are planned in id order, so that adding or removing SPUs never moves another): pin another port (\`fluvio-ports plan\` shows the taken ones), or pin ${other.label}'s ${other.role} port elsewhere too`,
  };
}

function markRanges(
  state: Uint8Array,
  entries: readonly { ports: PortRange }[],
  mark: number,
  ranges: Readonly<Record<PortRole, PortRange>>,
  roles: readonly PortRole[],
): void {
  for (const entry of entries) {
    for (const role of roles) {
      // rangeIntersection, without an object per entry and role (a large registry blocks thousands of ports).
      const from = Math.max(entry.ports.from, ranges[role].from);
      const to = Math.min(entry.ports.to, ranges[role].to);
      if (from <= to) state.fill(mark, from, to + 1);
    }
  }
}

function holderOf<T extends { ports: PortRange }>(entries: readonly T[], port: number): T | undefined {
  return entries.find((entry) => inRange(port, entry.ports));
}

/** Fails early, with numbers, when a range cannot hold what it must. */
function checkCapacity(
  pending: readonly PortRequest[],
  input: AllocationInput,
  state: Uint8Array,
  pins: ReadonlyMap<number, PortRequest>,
  issues: ConfigIssue[],
): void {
  const needed = new Map<PortRole, PortRequest[]>();
  for (const request of pending) {
    const list = needed.get(request.role) ?? [];
    list.push(request);
    needed.set(request.role, list);
  }
  for (const [role, requests] of needed) {
    const range = input.ranges[role];
    let usable = 0;
    let blocked = 0;
    let taken = 0;
    for (let port = range.from; port <= range.to; port++) {
      if (state[port] === BLOCKED) blocked++;
      else if (state[port] === TAKEN || pins.has(port)) taken++;
      else usable++;
    }
    if (usable >= requests.length) continue;
    let to = range.to;
    let extra = usable;
    while (extra < requests.length && to < MAX_PORT) {
      to++;
      if (state[to] !== BLOCKED && state[to] !== TAKEN && !pins.has(to)) extra++;
    }
    const widen = extra >= requests.length ? `widen it to ${range.from}-${to} (to: ${to})` : `move it to a roomier part of the port space`;
    issues.push({
      path: `ports.${role}`,
      message: `${formatRange(range)} is too small: ${requests.length} ${role} port${requests.length === 1 ? "" : "s"} needed (${describeOwners(requests)}) but only ${usable} of its ${rangeSize(range)} ports are free (${blocked} reserved or claimed, ${taken} pinned or recorded): ${widen}, or plan fewer SPUs`,
    });
  }
}

function describeOwners(requests: readonly PortRequest[]): string {
  const labels = requests.map((request) => request.label);
  return labels.length <= 4 ? labels.join(", ") : `${labels.slice(0, 3).join(", ")} and ${labels.length - 3} more`;
}

function nextSequential(state: Uint8Array, range: PortRange, role: PortRole, cursors: Map<string, number>): number | undefined {
  for (const [wanted, key] of [[FREE, `${role}:free`], [AVOIDED, `${role}:avoided`]] as const) {
    let port = cursors.get(key) ?? range.from;
    while (port <= range.to && state[port] !== wanted) port++;
    cursors.set(key, port);
    if (port <= range.to) return port;
  }
  return undefined;
}

function nextHashed(state: Uint8Array, range: PortRange, offset: number): number | undefined {
  const size = rangeSize(range);
  for (const wanted of [FREE, AVOIDED]) {
    for (let step = 0; step < size; step++) {
      const port = range.from + ((offset + step) % size);
      if (state[port] === wanted) return port;
    }
  }
  return undefined;
}

/** A stable 32-bit hash (FNV-1a, then murmur3's finaliser for spread), reduced to an offset. */
export function hashToOffset(key: string, size: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % size;
}
