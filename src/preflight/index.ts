/**
 * Preflight: which planned host ports are already taken on this machine, and by whom —
 * before anything is deployed. Three sources: the kernel itself (one bind probe per port:
 * whatever holds a port, listening or only bound), the OS's TCP listener tables (IPv4 and
 * IPv6, one read each, rows on other ports skipped unparsed; the processes behind the sockets
 * on planned ports found by one pass over /proc/<pid>/fd), read only to name what holds a
 * port, and the Docker engine's published ports (which exist even without a listener, when
 * Docker publishes through NAT only), asked while the probes run. The plan is only read: the
 * core never imports this room.
 */
import type { ClusterPlan } from "../plan/types";
import { askEngine, dockerSocketPath, type EngineAnswer } from "./docker";
import { containerHolders, findConflicts, listenerHolders } from "./match";
import { DEFAULT_HOLDER_NAMER, DEFAULT_PROBER, lookFurther, type BoundSocket } from "./look-further";
import { readBoundSockets } from "./bound";
import { findSocketOwners, readListeners, tablesReadable } from "./proc";
import type { CheckPortsOptions, PortCheckReport, PortHolder } from "./types";

export type { CheckPortsOptions, PortCheckReport, PortConflict, PortHolder, UncheckedPorts } from "./types";

/**
 * Sockets the tables list as bound but not listening on `ports`, with the processes holding
 * them. Such rows sit among the connections, so finding them takes a read of the whole tables
 * (the kernel walks its connection hash: most of a preflight's time on a quiet host); look
 * further asks only for the ports a bind probe found taken, or all when there are no probes.
 */
function boundSockets(procRoot: string, readable: boolean, ports: readonly number[]): BoundSocket[] {
  if (!readable || ports.length === 0) return [];
  const sockets = readBoundSockets(procRoot, new Set(ports));
  if (sockets.length === 0) return [];
  const owners = findSocketOwners(procRoot, new Set(sockets.map((socket) => socket.inode)));
  return sockets.map((socket) => ({ socket, owner: owners.get(socket.inode) }));
}

/** The lines that say what could not be checked, and why (empty when everything was seen). */
export function formatUnchecked(report: Pick<PortCheckReport, "unchecked">): string[] {
  return (report.unchecked ?? []).map((entry) => `not checked: ${describePorts(entry.ports)}: ${entry.reason}`);
}

function describePorts(ports: readonly number[]): string {
  if (ports.length === 1) return `port ${ports[0]}`;
  return ports.length <= 6 ? `ports ${ports.join(", ")}` : `${ports.length} planned ports (${ports.slice(0, 3).join(", ")}, ...)`;
}

/**
 * Checks the plan's host ports (default `plan.hostPorts`) against this host: every port a
 * process listens on (any address, IPv4 or IPv6) or a container publishes is a conflict,
 * except the cluster's own containers (by label, unless `ignoreOwnContainers: false`).
 * A source that cannot answer is named in `sources`, and the check goes on with the other.
 */
export function checkPorts(plan: ClusterPlan, options: CheckPortsOptions = {}): Promise<PortCheckReport> {
  // One check at a time in a process: two clusters of one program check at once, and each one's
  // bind probes would otherwise be "a socket bound but not listening" to the other.
  const run = checksDone.then(() => checkPortsNow(plan, options));
  checksDone = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

/** The end of the last check this process began. */
let checksDone: Promise<void> = Promise.resolve();

async function checkPortsNow(plan: ClusterPlan, options: CheckPortsOptions): Promise<PortCheckReport> {
  const ports = portsToCheck(plan, options.ports);
  const procRoot = options.procRoot ?? "/proc";
  const engine = askDocker(options.docker);
  const readable = tablesReadable(procRoot);
  const prober = options.probe === false ? false : (options.probe ?? DEFAULT_PROBER);
  // Probes first (one bind per port where the tables exist). The listener tables, whose read
  // costs more than hundreds of binds (the kernel prints every listener and walks its
  // connection hash), are read only to name a holder: of a port a probe found taken, or one a
  // container publishes (a process may hold it too); of every port without probes.
  const early = prober === false ? undefined : await prober(ports, { tablesReadable: readable });
  const answer = await engine;
  const published = new Set(answer.ok ? answer.published.map((entry) => entry.port) : []);
  const taken = new Set((early ?? []).flatMap((result) => (result.state === "taken" ? [result.port] : [])));
  const toName = early === undefined ? ports : ports.filter((port) => published.has(port) || taken.has(port));
  const table = readable && toName.length > 0 ? readListeners(procRoot, new Set(toName)) : { listeners: [], readable };
  const onWanted = table.listeners;
  const owners = findSocketOwners(procRoot, new Set(onWanted.map((listener) => listener.inode)));
  const conflicts = findConflicts({
    plan,
    ports,
    listeners: onWanted,
    owners,
    published: answer.ok ? answer.published : [],
    ignoreOwnContainers: options.ignoreOwnContainers ?? true,
  });
  // Never "free" for what was not seen: the probes' answers where the tables show nothing, lsof to name, the rest unchecked.
  const probed = new Map((early ?? []).map((result) => [result.port, result]));
  const further = await lookFurther({
    plan,
    ports,
    tables: { readable: table.readable, ...(table.readable ? {} : { reason: `nothing readable at ${procRoot}/net/tcp or tcp6` }) },
    listeners: onWanted,
    bound: (wanted) => boundSockets(procRoot, table.readable, wanted),
    engine: answer,
    probe: prober === false ? false : async (wanted) => wanted.map((port) => probed.get(port) ?? { port, state: "unprobed", reason: `port ${port} was not probed` }),
    nameHolders: options.lsof === false ? false : (options.lsof ?? DEFAULT_HOLDER_NAMER),
  });
  return {
    checked: ports,
    conflicts: [...conflicts, ...further.conflicts].sort((a, b) => a.port - b.port),
    sources: { proc: table.readable, docker: answer.ok ? true : answer.reason },
    fallback: { probed: further.probed, lsof: further.lsof },
    unchecked: further.unchecked,
  };
}

/** Who holds one port on this host, and which sources answered (as `checkPorts` reports them). */
export interface PortHolders {
  holders: PortHolder[];
  sources: PortCheckReport["sources"];
}

/**
 * Every process and container holding `port` on this host, whatever plan (if any) wants it:
 * what `fluvio-ports who` shows. Containers first, then processes, then a listener whose
 * process this user cannot see; a `docker-proxy` behind a published port is the container.
 */
export async function findPortHolders(port: number, options: Pick<CheckPortsOptions, "procRoot" | "docker"> = {}): Promise<PortHolders> {
  const procRoot = options.procRoot ?? "/proc";
  const engine = askDocker(options.docker);
  const table = readListeners(procRoot, new Set([port]));
  const listeners = table.listeners.filter((listener) => listener.port === port);
  const owners = findSocketOwners(procRoot, new Set(listeners.map((listener) => listener.inode)));
  const answer = await engine;
  const published = answer.ok ? answer.published.filter((entry) => entry.port === port) : [];
  return {
    holders: [...containerHolders(published), ...listenerHolders(listeners, owners, published.length > 0)],
    sources: { proc: table.readable, docker: answer.ok ? true : answer.reason },
  };
}

/** The lines `fluvio-ports check` prints: one per conflict ("" when there is none). */
export function formatConflicts(report: PortCheckReport): string {
  return report.conflicts.map((conflict) => conflict.message).join("\n");
}

/** Sorted, unique; every port must be one the plan assigns, since a conflict names the node that wants it. */
function portsToCheck(plan: ClusterPlan, requested: readonly number[] | undefined): number[] {
  const ports = [...new Set(requested ?? plan.hostPorts)].sort((a, b) => a - b);
  const planned = new Set(plan.ports.map((row) => row.port));
  const strangers = ports.filter((port) => !planned.has(port));
  if (strangers.length > 0) {
    throw new RangeError(`checkPorts: port${strangers.length === 1 ? "" : "s"} ${strangers.join(", ")} ${strangers.length === 1 ? "is" : "are"} not in the plan of stack ${plan.stack}; check only ports the plan assigns`);
  }
  return ports;
}

function askDocker(option: CheckPortsOptions["docker"]): Promise<EngineAnswer> {
  if (option === false) return Promise.resolve({ ok: false, reason: "not asked (docker: false)" });
  const where = dockerSocketPath(option?.socketPath, process.env.DOCKER_HOST);
  return "reason" in where ? Promise.resolve({ ok: false, reason: where.reason }) : askEngine(where.socketPath);
}
