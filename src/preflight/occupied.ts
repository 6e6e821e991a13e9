/**
 * I/O for `strategy: isolated`: every port this stack must plan around on this host — what
 * the OS's listener tables and the Docker engine say is taken now, and what the project's other
 * stacks plan — minus what is this stack's own (its recorded ports, and its containers' ports,
 * recognised by label), so that re-planning a deployed stack never moves it off its own ports.
 */
import { LABELS } from "../plan/layout";
import type { OccupiedPort } from "../plan/plan";
import { askEngine, dockerSocketPath } from "./docker";
import { findSocketOwners, readListeners } from "./proc";

/** What the host and the project hold, as the planner takes it. */
export interface OccupiedInputs {
  /** This stack's name prefix (`<cluster>-<stack>`): its own containers carry it as `LABELS.cluster`. */
  namePrefix: string;
  /** This stack's recorded ports: its own, whoever holds them now. */
  ownPorts: ReadonlySet<number>;
  /** The other stacks' planned ports on the same host, with who plans them. */
  otherStacks: readonly OccupiedPort[];
  /** The ports the stack's ranges hold: only listeners on these can stand in its way. */
  ranges: readonly { from: number; to: number }[];
  procRoot?: string;
}

/** The occupied ports, one entry per port (the first holder found), sorted. Never throws: a source that cannot answer adds nothing. */
export async function occupiedPorts(inputs: OccupiedInputs): Promise<{ occupied: OccupiedPort[]; notes: string[] }> {
  const procRoot = inputs.procRoot ?? "/proc";
  const notes: string[] = [];
  const where = dockerSocketPath(undefined, process.env.DOCKER_HOST);
  const engine = "reason" in where ? Promise.resolve({ ok: false as const, reason: where.reason }) : askEngine(where.socketPath);
  const wanted = new Set(inputs.ranges.flatMap((range) => Array.from({ length: range.to - range.from + 1 }, (_, index) => range.from + index)));
  const table = readListeners(procRoot, wanted);
  if (!table.readable) notes.push(`the listener tables under ${procRoot}/net were not readable: live listeners are not planned around`);
  const answer = await engine;
  if (!answer.ok) notes.push(`the Docker engine was not asked (${answer.reason}): ports it publishes without a listener are not planned around`);

  const published = answer.ok ? answer.published : [];
  const own = new Set(inputs.ownPorts);
  for (const entry of published) if (entry.labels[LABELS.cluster] === inputs.namePrefix) own.add(entry.port);
  const found = new Map<number, string>();
  const add = (port: number, holder: string): void => {
    if (!own.has(port) && !found.has(port)) found.set(port, holder);
  };
  for (const entry of published) add(entry.port, `container ${entry.container}`);
  const owners = findSocketOwners(procRoot, new Set(table.listeners.map((listener) => listener.inode)));
  for (const listener of table.listeners) {
    const owner = owners.get(listener.inode);
    add(listener.port, owner ? `${owner.command} (pid ${owner.pid}) listening on ${listener.address}` : `a listener on ${listener.address}`);
  }
  for (const entry of inputs.otherStacks) add(entry.port, entry.holder);
  return { occupied: [...found].sort(([a], [b]) => a - b).map(([port, holder]) => ({ port, holder })), notes };
}
