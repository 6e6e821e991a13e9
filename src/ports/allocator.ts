/**
 * The port allocator: it speaks only ports. Requests name an owner key and a role; blocked and
 * avoided ports carry an opaque `holder` the caller gave them. What cannot be allocated comes
 * back as typed failures (as Kubernetes' own port allocator reports `range is full`, `provided
 * port is already allocated`, ...), and the caller (the planner) turns them into messages with
 * config paths. Imports nothing but its own room.
 */
import { MAX_PORT, inRange, rangeSize, type PortRange, type PortRole } from "./range";

/**
 * How derived ports are placed in a range: `sequential` takes the lowest free ports in request
 * order; `stack-hash` starts each request at a pseudo-random offset seeded by `seed`.
 */
export type AllocationStrategy = "sequential" | "stack-hash";

/** One port a node needs: its owner key and role, and any pin or recorded port. */
export interface PortRequest {
  /** The node's key: `sc` or `spu-<id>` (the registry's keys). */
  owner: string;
  role: PortRole;
  pinned?: number;
  recorded?: number;
  /**
   * Derive from the top of the range down, whatever the strategy: for a cluster-wide service
   * (the Docker Prometheus) that shares a range with the SPUs, which fill it from the bottom,
   * so neither adding SPUs moves it nor turning it on moves an SPU.
   */
  fromTop?: boolean;
}

/** How a planned port came to be: the user pinned it, the registry recorded it, or the planner derived it. */
export type PortSource = "pinned" | "recorded" | "derived";

/** One row of the allocation: which owner got which port for which role, and why. */
export interface PortAssignment {
  owner: string;
  role: PortRole;
  port: number;
  source: PortSource;
}

/** Ports the allocator must never assign; `holder` is the caller's own description, handed back in failures. */
export interface BlockedPorts<Holder = unknown> {
  ports: PortRange;
  holder: Holder;
}

/** Ports derived allocation steps around but a pin may take: well-known owners. */
export interface AvoidedPorts<Holder = unknown> {
  ports: PortRange;
  holder: Holder;
}

export interface AllocationInput<Blocked = unknown, Avoided = unknown> {
  /** In priority order: the SC first, then SPUs by ascending id (appending never moves earlier ones). */
  requests: readonly PortRequest[];
  ranges: Readonly<Record<PortRole, PortRange>>;
  blocked: readonly BlockedPorts<Blocked>[];
  avoided: readonly AvoidedPorts<Avoided>[];
  strategy: AllocationStrategy;
  /** Seeds `stack-hash`: the stack (and cluster) name. */
  seed: string;
}

/** Who already has a port a request wants. */
export type PortHolder<Blocked = unknown> =
  | { kind: "blocked"; holder: Blocked }
  | { kind: "assigned"; request: PortRequest; source: PortSource };

/**
 * Why a request got no port. `pin-taken`: the pinned port is blocked or already another
 * request's. `pin-outside-range`: the pin lies outside its role's range. `recorded-pinned`: a pin lands on a port the registry records for another node.
 * `range-full`: a role's range cannot hold every request that still needs a port (checked
 * before any derived port is placed, with the figures for the message). `exhausted`: no free
 * port was left for this request.
 */
export type AllocationFailure<Blocked = unknown> =
  | { kind: "pin-taken"; request: PortRequest; port: number; holder: PortHolder<Blocked> }
  | { kind: "pin-outside-range"; request: PortRequest; port: number; range: PortRange }
  | { kind: "recorded-pinned"; request: PortRequest; port: number; recordedFor: PortRequest }
  | { kind: "range-full"; role: PortRole; range: PortRange; requests: PortRequest[]; usable: number; blocked: number; taken: number; widenTo: number | undefined }
  | { kind: "exhausted"; request: PortRequest; range: PortRange };

/**
 * Something allocated but worth a look. `record-moved`: a recorded port no longer fits (outside
 * the range now, blocked, or recorded for another node too) and the request got another.
 * `avoided`: a request got (or was pinned on) a port a well-known owner usually holds.
 */
export type AllocationNotice<Blocked = unknown, Avoided = unknown> =
  | { kind: "record-moved"; request: PortRequest; port: number; range: PortRange; reason: { kind: "outside-range" } | { kind: "blocked"; holder: Blocked | undefined } | { kind: "recorded-twice"; other: PortRequest | undefined } }
  | { kind: "avoided"; request: PortRequest; port: number; range: PortRange; pinned: boolean; holder: Avoided | undefined };

/** The allocation: every port that could be given, what deserves a look, and what failed (empty when all went well). */
export interface Allocation<Blocked = unknown, Avoided = unknown> {
  assignments: PortAssignment[];
  notices: AllocationNotice<Blocked, Avoided>[];
  failures: AllocationFailure<Blocked>[];
}

const FREE = 0;
const AVOIDED = 1;
const BLOCKED = 2;
const TAKEN = 3;

/**
 * Assigns every requested port: recorded ports where they still fit, then request by request
 * in priority order, pins exactly and the rest by the strategy, stepping around blocked and
 * taken ports and (while it can) avoided ones. Pure and deterministic; never moves a pin.
 * When anything fails, `failures` lists all of it and `assignments` is partial.
 */
export function allocatePorts<Blocked, Avoided>(input: AllocationInput<Blocked, Avoided>): Allocation<Blocked, Avoided> {
  const state = new Uint8Array(MAX_PORT + 1);
  const takenBy = new Map<number, PortRequest>();
  const failures: AllocationFailure<Blocked>[] = [];
  const notices: AllocationNotice<Blocked, Avoided>[] = [];
  const roles = [...new Set(input.requests.map((request) => request.role))];

  markRanges(state, input.avoided, AVOIDED, input.ranges, roles);
  markRanges(state, input.blocked, BLOCKED, input.ranges, roles);

  const assigned = new Map<PortRequest, PortAssignment>();
  const take = (request: PortRequest, port: number, source: PortSource): void => {
    state[port] = TAKEN;
    takenBy.set(port, request);
    assigned.set(request, { owner: request.owner, role: request.role, port, source });
  };
  const result = (): Allocation<Blocked, Avoided> => ({ assignments: input.requests.flatMap((request) => assigned.get(request) ?? []), notices, failures });

  const pins = new Map<number, PortRequest>();
  for (const request of input.requests) if (request.pinned !== undefined && !pins.has(request.pinned)) pins.set(request.pinned, request);

  // Recorded ports first: a stack's record keeps every SPU that stays on its ports.
  for (const request of input.requests) {
    if (request.pinned !== undefined || request.recorded === undefined) continue;
    const port = request.recorded;
    const range = input.ranges[request.role];
    const pinnedBy = pins.get(port);
    if (pinnedBy && pinnedBy.owner !== request.owner) {
      failures.push({ kind: "recorded-pinned", request: pinnedBy, port, recordedFor: request });
      continue;
    }
    const reason: Extract<AllocationNotice<Blocked, Avoided>, { kind: "record-moved" }>["reason"] | undefined = !inRange(port, range)
      ? { kind: "outside-range" }
      : state[port] === BLOCKED
        ? { kind: "blocked", holder: holderOf(input.blocked, port)?.holder }
        : state[port] === TAKEN
          ? { kind: "recorded-twice", other: takenBy.get(port) }
          : undefined;
    if (reason) {
      notices.push({ kind: "record-moved", request, port, range, reason });
      continue;
    }
    take(request, port, "recorded");
  }

  const pending = input.requests.filter((request) => !assigned.has(request) && request.pinned === undefined);
  failures.push(...capacityFailures<Blocked>(pending, input.ranges, state, pins));
  if (failures.length > 0) return result();

  // Cluster-wide services derived from the top of their range come next, before any node's
  // derived port: their port depends on pins, records and blocked ports alone, never on how
  // many SPUs there are or where a hash put them (adding an SPU never moves the Prometheus).
  for (const request of input.requests) {
    if (!request.fromTop || request.pinned !== undefined || assigned.has(request)) continue;
    const port = highestFree(state, input.ranges[request.role], pins);
    if (port === undefined) continue; // the loop below reports it
    if (state[port] === AVOIDED) notices.push({ kind: "avoided", request, port, range: input.ranges[request.role], pinned: false, holder: holderOf(input.avoided, port)?.holder });
    take(request, port, "derived");
  }

  // Then request by request, in priority order: a node's ports depend only on the nodes before
  // it, so adding SPUs with higher ids, or removing the highest, never moves the others.
  const cursors = new Map<string, number>();
  for (const request of input.requests) {
    if (assigned.has(request)) continue;
    const range = input.ranges[request.role];
    if (request.pinned !== undefined && !inRange(request.pinned, range)) {
      failures.push({ kind: "pin-outside-range", request, port: request.pinned, range });
      continue;
    }
    if (request.pinned !== undefined) {
      const holder = pinHolder(request.pinned, state, takenBy, assigned, input.blocked);
      if (holder) failures.push({ kind: "pin-taken", request, port: request.pinned, holder });
      else {
        if (state[request.pinned] === AVOIDED) notices.push({ kind: "avoided", request, port: request.pinned, range, pinned: true, holder: holderOf(input.avoided, request.pinned)?.holder });
        take(request, request.pinned, "pinned");
      }
      continue;
    }
    const port = request.fromTop
      ? highestFree(state, range)
      : input.strategy === "sequential"
        ? nextSequential(state, range, request.role, cursors)
        : nextHashed(state, range, hashToOffset(`${input.seed}\u0000${request.owner}\u0000${request.role}`, rangeSize(range)));
    if (port === undefined) {
      failures.push({ kind: "exhausted", request, range });
      continue;
    }
    if (state[port] === AVOIDED) notices.push({ kind: "avoided", request, port, range, pinned: false, holder: holderOf(input.avoided, port)?.holder });
    take(request, port, "derived");
  }
  return result();
}

function pinHolder<Blocked>(
  port: number,
  state: Uint8Array,
  takenBy: Map<number, PortRequest>,
  assigned: Map<PortRequest, PortAssignment>,
  blocked: readonly BlockedPorts<Blocked>[],
): PortHolder<Blocked> | undefined {
  const blocker = state[port] === BLOCKED ? holderOf(blocked, port) : undefined;
  if (blocker) return { kind: "blocked", holder: blocker.holder };
  const other = takenBy.get(port);
  if (!other) return undefined;
  return { kind: "assigned", request: other, source: assigned.get(other)?.source ?? "derived" };
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
function capacityFailures<Blocked>(
  pending: readonly PortRequest[],
  ranges: Readonly<Record<PortRole, PortRange>>,
  state: Uint8Array,
  pins: ReadonlyMap<number, PortRequest>,
): AllocationFailure<Blocked>[] {
  const needed = new Map<PortRole, PortRequest[]>();
  for (const request of pending) {
    const list = needed.get(request.role) ?? [];
    list.push(request);
    needed.set(request.role, list);
  }
  const failures: AllocationFailure<Blocked>[] = [];
  for (const [role, requests] of needed) {
    const range = ranges[role];
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
    failures.push({ kind: "range-full", role, range, requests: [...requests], usable, blocked, taken, widenTo: extra >= requests.length ? to : undefined });
  }
  return failures;
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

/** The highest free port of a range (else the highest avoided one), stepping over ports a request pins. */
function highestFree(state: Uint8Array, range: PortRange, pins: ReadonlyMap<number, PortRequest> = new Map()): number | undefined {
  for (const wanted of [FREE, AVOIDED]) {
    for (let port = range.to; port >= range.from; port--) if (state[port] === wanted && !pins.has(port)) return port;
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
