/**
 * `fluvio-ports who <port>`: who owns a port — a stack's node (planned from `stacks/`), a
 * record or claim of the port registry, a well-known owner, and on this machine a live process
 * or container (the preflight's own readers).
 */
import { listStacks } from "../config/stack";
import { askEngineOnce, planStackFiles } from "../context";
import { nodeLabel } from "../plan/names";
import type { ClusterPlan } from "../plan/types";
import type { PortSource } from "../ports/allocator";
import { findPortHolders } from "../preflight";
import { isNoLocalEngine } from "../preflight/docker";
import { describeHolder } from "../preflight/match";
import type { PortHolder } from "../preflight/types";
import { claimApplies, expandHost, hostsShareMachine, type PortRegistry } from "../ports/registry";
import { formatRange, type PortRole } from "../ports/range";
import { WELL_KNOWN_OWNERS } from "../ports/well-known";
import { THIS_MACHINE } from "../ports/machines";
import { thisMachineNames } from "../preflight/this-machine";
import { UsageError } from "./usage-error";
import type { UncheckedSource } from "./check";
import { EXIT } from "./failure";
import { stringFlag, type CommandInput } from "./input";
import { readRegistry, sourceOf } from "./plan";
import { alignColumns } from "./plan-table";
import { isDataOutput, printData } from "./print";

/** A stack's node that plans the port (`stack`), or a registry record no planned stack accounts for (`record`). */
export interface NodeOwner {
  kind: "stack" | "record";
  stack: string;
  cluster: string;
  host: string;
  /** `sc`, `spu-5001`. */
  node: string;
  role: PortRole;
  /** How the plan got the port (`stack` only). */
  source?: PortSource;
}

/** A claim of the registry or a well-known owner that covers the port. */
export interface ClaimOwner {
  kind: "claim" | "well-known";
  owner: string;
  ports: string;
  hosts: string[];
  note?: string;
}

/** One owner of a port, as data, with the words `who` prints for it. */
export type PortOwner = (NodeOwner | ClaimOwner | PortHolder) & { description: string };

/** What `who -o json` prints. */
export interface WhoResult {
  port: number;
  /** `--host`, or null for every host. */
  host: string | null;
  owners: PortOwner[];
  unchecked: UncheckedSource[];
}

/** Runs `who`. */
export async function runWho(input: CommandInput): Promise<number> {
  const port = parsePort(input.positionals[0] ?? "");
  const host = stringFlag(input, "host") ?? null;
  const registry = readRegistry(input.root);
  const onlyStack = stringFlag(input, "stack");
  await askEngineOnce(); // asked when the command started: the plans take its answer, no child process
  const plans = plannedStacks(input, registry, onlyStack);
  const owners: PortOwner[] = [...nodeOwners(port, host, registry, plans), ...claimOwners(port, host, registry)];
  const unchecked: UncheckedSource[] = [];
  if (host === null || isThisMachine(registry, host)) {
    const live = await findPortHolders(port);
    owners.push(...live.holders.map((holder) => ({ ...holder, description: describeHolder(holder) })));
    if (!live.sources.proc) unchecked.push({ source: "proc", reason: "the TCP listener tables (/proc/net/tcp, /proc/net/tcp6) could not be read" });
    if (live.sources.docker !== true && !isNoLocalEngine(live.sources.docker)) unchecked.push({ source: "docker", reason: live.sources.docker });
  } else {
    unchecked.push({ source: "host", reason: `--host ${host} is not this machine: its live processes and containers were not asked` });
  }
  const result: WhoResult = { port, host, owners, unchecked };
  if (isDataOutput(input)) printData(input, result);
  else input.streams.out(formatWho(result));
  for (const entry of unchecked) input.streams.err(`note: ${entry.reason}\n`);
  return unchecked.some((entry) => entry.source !== "host") ? EXIT.unchecked : EXIT.ok;
}

/** A port number 1-65535, else a usage error. */
function parsePort(text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError("who", `<port> '${text}' is not a port number (1-65535)`);
  return port;
}

/** The planned stacks of the project (or the one `--stack` names); a stack whose config is bad is skipped with a note. */
function plannedStacks(input: CommandInput, registry: PortRegistry, only: string | undefined): ClusterPlan[] {
  const stacks = only !== undefined ? [only] : listStacks(input.root);
  const plans: ClusterPlan[] = [];
  for (const stack of stacks) {
    try {
      plans.push(planStackFiles(input.root, stack, registry, sourceOf(input)).plan);
    } catch (error) {
      if (only !== undefined) throw error;
      input.streams.err(`note: stack ${stack} was skipped: its config does not plan (fluvio-ports plan --stack ${stack} says why)\n`);
    }
  }
  return plans;
}

/** The stacks' nodes planned on the port, then the registry's records of it that no planned stack accounts for. */
export function nodeOwners(port: number, host: string | null, registry: PortRegistry, plans: readonly ClusterPlan[]): PortOwner[] {
  const here = thisMachineNames();
  const onHost = (other: string): boolean => host === null || hostsShareMachine(registry, other, host, here);
  const owners: PortOwner[] = [];
  const planned = new Set<string>();
  for (const plan of plans) {
    for (const row of plan.ports) {
      if (row.port !== port) continue;
      planned.add(`${plan.stack}\u0000${plan.cluster}\u0000${row.owner}\u0000${row.role}`);
      if (!onHost(plan.host)) continue;
      const exposure = plan.hostPorts.includes(port) ? "on the host" : "inside the cluster";
      owners.push({
        kind: "stack",
        stack: plan.stack,
        cluster: plan.cluster,
        host: plan.host,
        node: row.owner,
        role: row.role,
        source: row.source,
        description: `stack ${plan.stack} (cluster ${plan.cluster}): ${nodeLabel(row.owner)} ${row.role}, ${row.source}, ${exposure}`,
      });
    }
  }
  for (const record of registry.records) {
    for (const [node, ports] of Object.entries(record.nodes)) {
      for (const [role, recorded] of Object.entries(ports) as [PortRole, number][]) {
        if (recorded !== port || planned.has(`${record.stack}\u0000${record.cluster}\u0000${node}\u0000${role}`) || !onHost(record.host)) continue;
        owners.push({ kind: "record", stack: record.stack, cluster: record.cluster, host: record.host, node, role, description: `recorded for stack ${record.stack} (cluster ${record.cluster}): ${nodeLabel(node)} ${role}` });
      }
    }
  }
  return owners;
}

/** The registry's claims, then the well-known owners, that cover the port (on the host, if one is named). */
export function claimOwners(port: number, host: string | null, registry: PortRegistry): PortOwner[] {
  const covers = (from: number, to: number): boolean => from <= port && port <= to;
  const claims = registry.claims
    .filter((claim) => covers(claim.ports.from, claim.ports.to) && (host === null || claimApplies(registry, claim, host, thisMachineNames())))
    .map((claim): PortOwner => ({
      kind: "claim",
      owner: claim.owner,
      ports: formatRange(claim.ports),
      hosts: claim.hosts,
      ...(claim.note ? { note: claim.note } : {}),
      description: `${claim.owner}, claimed in the registry (${formatRange(claim.ports)})${claim.note ? `: ${claim.note}` : ""}`,
    }));
  const wellKnown = WELL_KNOWN_OWNERS.filter((claim) => covers(claim.ports.from, claim.ports.to)).map(
    (claim): PortOwner => ({ kind: "well-known", owner: claim.owner, ports: formatRange(claim.ports), hosts: claim.hosts, description: `${claim.owner} (well-known)` }),
  );
  return [...claims, ...wellKnown];
}

/** Whether a host name (or group) includes the machine this runs on. */
function isThisMachine(registry: PortRegistry, host: string): boolean {
  return host.trim() === "*" || expandHost(registry, host, thisMachineNames()).has(THIS_MACHINE);
}

/** The answer as a table, or one line when nobody owns the port. */
export function formatWho(result: WhoResult): string {
  const where = result.host === null ? "every host" : `host ${result.host}`;
  if (result.owners.length === 0) {
    const live = result.unchecked.length === 0 ? ", and nothing holds it on this host" : "";
    return `port ${result.port} on ${where}: nobody owns it (no stack plans or recorded it, no claim or well-known owner${live})\n`;
  }
  const hostOf = (owner: PortOwner): string => ("host" in owner && typeof owner.host === "string" ? owner.host : "hosts" in owner ? owner.hosts.join(",") : "this host");
  const rows = result.owners.map((owner) => [owner.kind, hostOf(owner), owner.description]);
  return `${[`port ${result.port} on ${where}:`, ...alignColumns([["KIND", "HOST", "OWNER"], ...rows])].join("\n")}\n`;
}
