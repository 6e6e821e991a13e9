/**
 * What preflight does beyond the listener tables and the engine, so that it never says "free"
 * about a port it did not see: bind probes for every planned port the tables do not show as
 * listened on (all of them when the tables cannot be read), `lsof` to name what a probe finds,
 * and the list of what stays unchecked, with the reason.
 */
import type { ClusterPlan } from "../plan/types";
import type { EngineAnswer } from "./docker";
import { LINUX_PROBE_ADDRESSES, PROBE_ADDRESSES, lsofHolders, probePorts, type LsofHolder, type ProbeResult } from "./fallback";
import { conflictFor } from "./match";
import type { Listener, PortConflict, PortHolder, PublishedPort, SocketOwner, UncheckedPorts } from "./types";

/**
 * Binds ports to see whether the kernel lets anyone have them (tests pass a stand-in); told
 * whether the listener tables were readable (Linux: one dual-stack bind per port suffices).
 */
export type Prober = (ports: readonly number[], context: { tablesReadable: boolean }) => Promise<ProbeResult[]>;
/** Names the processes holding ports (tests pass a stand-in); undefined when it cannot tell. */
export type HolderNamer = (ports: readonly number[]) => LsofHolder[] | undefined;

/** A socket the tables list as bound but not listening (state 07), and its process where found. */
export interface BoundSocket {
  socket: Listener;
  owner: SocketOwner | undefined;
}

/** What the first look found, and how to look further. */
export interface FurtherInput {
  plan: ClusterPlan;
  ports: readonly number[];
  /** Whether the listener tables could be read, and the listeners on planned ports. */
  tables: { readable: boolean; reason?: string };
  listeners: readonly Listener[];
  /**
   * Sockets the tables list as bound but not listening on the given ports, with their process
   * where found; asked only for ports a probe found taken (all candidates without probes).
   */
  bound: (ports: readonly number[]) => readonly BoundSocket[];
  engine: EngineAnswer;
  /** false: no bind probes. */
  probe: Prober | false;
  /** false: do not run lsof. */
  nameHolders: HolderNamer | false;
}

/** What looking further found: more conflicts, what stays unchecked, and how it looked. */
export interface FurtherFindings {
  conflicts: PortConflict[];
  unchecked: UncheckedPorts[];
  /** How many ports were bind-probed. */
  probed: number;
  /** Whether lsof named holders: true, or why not ("not needed" when nothing was taken). */
  lsof: true | string;
}

/**
 * Probes the planned ports the tables do not show a listener on (every port when the tables
 * are unreadable). A port the kernel refuses to bind is taken — by a listener the tables could
 * not show, or by a socket that is bound but not listening, which blocks Docker's bind all the
 * same — unless Docker publishes it (the engine's answer already covers that port). A taken
 * port's holder is named from the tables' bound-socket rows, else by lsof where present.
 * Whatever neither the tables nor a probe could see is `unchecked`.
 */
export async function lookFurther(input: FurtherInput): Promise<FurtherFindings> {
  const { plan, ports, tables, engine } = input;
  const listened = new Set(input.listeners.map((listener) => listener.port));
  const published = new Set(engine.ok ? engine.published.map((entry: PublishedPort) => entry.port) : []);
  const toProbe = ports.filter((port) => !listened.has(port) && !published.has(port));
  const unchecked: UncheckedPorts[] = [];
  if (!engine.ok) {
    unchecked.push({ what: "docker", ports: [...ports], reason: `ports the Docker engine publishes without a listener (NAT only) are not seen: ${engine.reason}` });
  }
  if (input.probe === false) {
    const bound = input.bound(toProbe);
    const seenBound = new Set(bound.map((entry) => entry.socket.port));
    if (!tables.readable) unchecked.push({ what: "listeners", ports: [...ports], reason: `the listener tables could not be read (${tables.reason ?? "no /proc/net/tcp"}) and bind probes are off` });
    else unchecked.push({ what: "bound", ports: toProbe.filter((port) => !seenBound.has(port)), reason: "sockets that are bound but not listening are in no listener table, and bind probes are off" });
    return { conflicts: boundSocketConflicts(plan, bound), unchecked: unchecked.filter((entry) => entry.ports.length > 0), probed: 0, lsof: "not needed" };
  }
  const results = await input.probe(toProbe, { tablesReadable: tables.readable });
  const taken = results.filter((result): result is Extract<ProbeResult, { state: "taken" }> => result.state === "taken");
  const unprobed = results.filter((result): result is Extract<ProbeResult, { state: "unprobed" }> => result.state === "unprobed");
  for (const result of unprobed) {
    unchecked.push({ what: tables.readable ? "bound" : "listeners", ports: [result.port], reason: result.reason });
  }
  // A taken port the tables list as bound is named from them; lsof names the rest.
  const bound = taken.length === 0 ? [] : input.bound(taken.map((result) => result.port));
  const seenBound = new Set(bound.map((entry) => entry.socket.port));
  const unnamed = taken.filter((result) => !seenBound.has(result.port));
  const named = unnamed.length === 0 || input.nameHolders === false ? undefined : input.nameHolders(unnamed.map((result) => result.port));
  const conflicts = unnamed.flatMap((result) => {
    const row = plan.ports.find((entry) => entry.port === result.port);
    if (!row) return [];
    return probeHolders(result, named, tables.readable).map((holder) => conflictFor(plan, row, holder));
  });
  const lsof = unnamed.length === 0 ? "not needed" : input.nameHolders === false ? "not asked" : named === undefined ? "lsof is not installed or did not answer" : true;
  return { conflicts: [...boundSocketConflicts(plan, bound), ...conflicts], unchecked, probed: toProbe.length, lsof };
}

/** Bound, not listening sockets the tables list (state 07): one conflict per port and process. */
function boundSocketConflicts(plan: ClusterPlan, bound: readonly BoundSocket[]): PortConflict[] {
  const seen = new Set<string>();
  return bound.flatMap(({ socket, owner }) => {
    const row = plan.ports.find((entry) => entry.port === socket.port);
    const key = `${socket.port}/${owner?.pid ?? "?"}`;
    if (!row || seen.has(key)) return [];
    seen.add(key);
    const holder: PortHolder = owner
      ? { kind: "process", pid: owner.pid, ...(owner.command ? { command: owner.command } : {}), address: socket.address, state: "bound" }
      : { kind: "unknown", address: socket.address, state: "bound" };
    return [conflictFor(plan, row, holder)];
  });
}

/**
 * Who holds a port a probe found taken: the processes lsof names, else one unknown holder.
 * When the tables were readable and showed no listener there, the socket is bound but not listening.
 */
function probeHolders(result: Extract<ProbeResult, { state: "taken" }>, named: readonly LsofHolder[] | undefined, tablesReadable: boolean): PortHolder[] {
  const state = tablesReadable ? ("bound" as const) : undefined;
  const address = result.addresses.join(", ");
  const holders = (named ?? []).filter((holder) => holder.port === result.port);
  if (holders.length === 0) return [{ kind: "unknown", address, seenBy: "bind-probe", ...(state ? { state } : {}) }];
  return holders.map((holder) => ({ kind: "process", pid: holder.pid, command: holder.command, address: holder.address, seenBy: "bind-probe", ...(state ? { state } : {}) }));
}

/** The default prober and holder namer: real binds, real lsof. */
export const DEFAULT_PROBER: Prober = (ports, context) => probePorts(ports, context.tablesReadable ? LINUX_PROBE_ADDRESSES : PROBE_ADDRESSES);
export const DEFAULT_HOLDER_NAMER: HolderNamer = (ports) => lsofHolders(ports);
