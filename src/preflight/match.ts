/**
 * Pure matching: the host's listeners and Docker's published ports against the plan's
 * wanted ports → conflicts, each naming who wants the port, who holds it and where to
 * move it. No I/O: tests give recorded listeners and fake engine answers.
 */
import { LABELS } from "../plan/layout";
import { nodeLabel } from "../plan/names";
import type { ClusterPlan } from "../plan/types";
import type { PortAssignment } from "../ports/allocator";
import { formatRange } from "../ports/range";
import { isDockerProxy } from "./proc-parse";
import type { Listener, PortConflict, PortHolder, PublishedPort, SocketOwner } from "./types";

/** Everything the matcher looks at, already read from the host. */
export interface MatchInput {
  plan: ClusterPlan;
  /** The ports to check; each is one the plan assigns. */
  ports: readonly number[];
  listeners: readonly Listener[];
  /** Socket inode → the process holding it (inodes whose process was not found are absent). */
  owners: ReadonlyMap<number, SocketOwner>;
  /** Ports Docker publishes (empty when the engine was not asked or did not answer). */
  published: readonly PublishedPort[];
  /** Containers labelled `fluvio-spu.cluster` = plan.namePrefix are the cluster itself: not conflicts. */
  ignoreOwnContainers: boolean;
}

/**
 * One conflict per (wanted port, holder), sorted by port; on each port containers first,
 * then processes, then listeners whose process is unknown. A port Docker publishes is held
 * by its container: the `docker-proxy` listener behind it (and an unnamed listener, which
 * is docker-proxy running as root) is not reported again, and for the cluster's own
 * containers nothing is reported at all (a re-deploy of the same stack passes).
 */
export function findConflicts(input: MatchInput): PortConflict[] {
  const wanted = new Set(input.ports);
  const rowOf = new Map(input.plan.ports.filter((row) => wanted.has(row.port)).map((row) => [row.port, row]));
  const listenersOn = groupBy(input.listeners.filter((listener) => wanted.has(listener.port)), (listener) => listener.port);
  const publishedOn = groupBy(input.published.filter((entry) => wanted.has(entry.port)), (entry) => entry.port);
  const isOwn = (entry: PublishedPort): boolean => input.ignoreOwnContainers && entry.labels[LABELS.cluster] === input.plan.namePrefix;

  return [...wanted]
    .sort((a, b) => a - b)
    .flatMap((port) => {
      const row = rowOf.get(port);
      if (!row) return [];
      const published = publishedOn.get(port) ?? [];
      const holders = [
        ...containerHolders(published.filter((entry) => !isOwn(entry))),
        ...listenerHolders(listenersOn.get(port) ?? [], input.owners, published.length > 0),
      ];
      return holders.map((holder) => conflict(input.plan, row, holder));
    });
}

/** One holder per container publishing the port (the first address Docker names). */
export function containerHolders(published: readonly PublishedPort[]): PortHolder[] {
  const byName = new Map<string, PortHolder>();
  for (const entry of published) {
    if (!byName.has(entry.container)) {
      byName.set(entry.container, { kind: "container", container: entry.container, ...(entry.address ? { address: entry.address } : {}) });
    }
  }
  return [...byName.values()];
}

/** Processes (one per pid) and, last, at most one unknown listener per port. */
export function listenerHolders(listeners: readonly Listener[], owners: ReadonlyMap<number, SocketOwner>, dockerPublishes: boolean): PortHolder[] {
  const processes = new Map<number, PortHolder>();
  let unknown: PortHolder | undefined;
  for (const listener of listeners) {
    const owner = owners.get(listener.inode);
    if (dockerPublishes && (owner === undefined || isDockerProxy(owner.command))) continue;
    if (owner === undefined) {
      unknown ??= { kind: "unknown", address: listener.address };
    } else if (!processes.has(owner.pid)) {
      processes.set(owner.pid, { kind: "process", pid: owner.pid, ...(owner.command ? { command: owner.command } : {}), address: listener.address });
    }
  }
  return [...processes.values(), ...(unknown ? [unknown] : [])];
}

function conflict(plan: ClusterPlan, row: PortAssignment, holder: PortHolder): PortConflict {
  const wantedBy = `${nodeLabel(row.owner)} ${row.role}`;
  const fix = fixFor(plan, row);
  return {
    port: row.port,
    owner: row.owner,
    role: row.role,
    wantedBy,
    holder,
    fix,
    message: `Port ${row.port} already in use by ${describeHolder(holder)}: wanted by ${wantedBy}; ${fix}`,
  };
}

/**
 * Where to pin another port and which range to move. The pin is the config field the plan
 * names for the port (with the user's own index into their SPU list) and the SPU's id, so
 * users with a count or a list find it. The SC has no NodePort pin: only its range can move.
 */
export function fixFor(plan: ClusterPlan, row: Pick<PortAssignment, "owner" | "role">): string {
  const range = plan.ranges[row.role];
  const planned = plan.ports.find((entry) => entry.owner === row.owner && entry.role === row.role);
  const spu = plan.spus.find((entry) => entry.key === row.owner);
  const pinPath = planned && !planned.configPath.startsWith("ports.") ? planned.configPath : undefined;
  const pin = pinPath === undefined ? undefined : spu ? `${pinPath} (the SPU with id ${spu.id})` : pinPath;
  const moves = [pin ? `pin another port with ${pin}` : undefined, range ? `move the range ports.${row.role} ${formatRange(range)}` : undefined];
  return moves.filter((move): move is string => move !== undefined).join(" or ");
}

/** "redis-server (pid 4242)", "Docker container web (published on 0.0.0.0)", ... */
export function describeHolder(holder: PortHolder): string {
  const on = holder.address ? ` on ${holder.address}` : "";
  switch (holder.kind) {
    case "container":
      return `Docker container ${holder.container ?? "(unnamed)"}${holder.address ? ` (published on ${holder.address})` : ""}`;
    case "process":
      if (holder.pid === undefined) return `a process listening${on}`;
      return holder.command ? `${holder.command} (pid ${holder.pid})` : `pid ${holder.pid}`;
    case "unknown":
      return `a process this user cannot see (listening${on}; run as root to name it)`;
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
