/**
 * Preflight: which planned host ports are already taken on this machine, and by whom —
 * before anything is deployed. Two sources, asked in parallel: the OS's TCP listener tables
 * (IPv4 and IPv6, one read each, rows on other ports skipped unparsed; the processes behind
 * the listeners on planned ports found by one pass over /proc/<pid>/fd) and the
 * Docker engine's published ports (which exist even without a listener, when Docker
 * publishes through NAT only). The plan is only read: the core never imports this room.
 */
import type { ClusterPlan } from "../plan/types";
import { askEngine, dockerSocketPath, type EngineAnswer } from "./docker";
import { findConflicts } from "./match";
import { findSocketOwners, readListeners } from "./proc";
import type { CheckPortsOptions, PortCheckReport } from "./types";

export type { CheckPortsOptions, PortCheckReport, PortConflict, PortHolder } from "./types";

/**
 * Checks the plan's host ports (default `plan.hostPorts`) against this host: every port a
 * process listens on (any address, IPv4 or IPv6) or a container publishes is a conflict,
 * except the cluster's own containers (by label, unless `ignoreOwnContainers: false`).
 * A source that cannot answer is named in `sources`, and the check goes on with the other.
 */
export async function checkPorts(plan: ClusterPlan, options: CheckPortsOptions = {}): Promise<PortCheckReport> {
  const ports = portsToCheck(plan, options.ports);
  const procRoot = options.procRoot ?? "/proc";
  const engine = askDocker(options.docker);
  const table = readListeners(procRoot, new Set(ports));
  const onWanted = table.listeners;
  const owners = findSocketOwners(procRoot, new Set(onWanted.map((listener) => listener.inode)));
  const answer = await engine;
  const conflicts = findConflicts({
    plan,
    ports,
    listeners: onWanted,
    owners,
    published: answer.ok ? answer.published : [],
    ignoreOwnContainers: options.ignoreOwnContainers ?? true,
  });
  return { checked: ports, conflicts, sources: { proc: table.readable, docker: answer.ok ? true : answer.reason } };
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
