/**
 * Orphans: containers on the engine that carry a cluster's labels (`fluvio-spu.cluster` and
 * `fluvio-spu.stack`) but that the stack's Pulumi state no longer tracks. They come from an
 * `up` that was killed between the engine creating a container and Pulumi saving it (a
 * `kill -9`, a closed lid, a CI timeout): after `pulumi cancel` and
 * `pulumi refresh --clear-pending-creates` the state forgets them, and the next `up` fails on the
 * first with the provider's `Conflict. The container name "/<name>" is already in use`.
 *
 * Pure: the state (`pulumi stack export`, read by src/deploy/state.ts), the engine's containers
 * (src/preflight/containers.ts) and the plan's spec in; the orphans, whether each is safe to
 * remove, and the one line per orphan with the exact commands out. `npm run up`, the component's
 * preview and `fluvio-ports doctor` all use it.
 */
import { SPU_CLUSTER_TYPES } from "../component-type";
import { LABELS } from "../plan/layout";
import type { LiveContainer } from "./containers";

/** The Pulumi type token of a Docker container. */
export const CONTAINER_TYPE = "docker:index/container:Container";

/** One resource of the state, as `pulumi stack export` gives it. */
export interface StateResource {
  urn: string;
  type: string;
  id: string;
  /** The engine-side name (`outputs.name`, else `inputs.name`), when it has one. */
  name?: string;
  parent?: string;
}

/** An operation the engine began and never finished (the state's `pending_operations`). */
export interface PendingOperation {
  urn: string;
  type: string;
  /** `creating`, `updating`, `deleting`, `reading`, `importing`. */
  operation: string;
  name?: string;
}

/** What a stack's state holds, as far as orphans are concerned. */
export interface StackState {
  resources: StateResource[];
  pending: PendingOperation[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function engineName(resource: Record<string, unknown>): string | undefined {
  const outputs = isRecord(resource.outputs) ? resource.outputs : {};
  const inputs = isRecord(resource.inputs) ? resource.inputs : {};
  return text(outputs.name) ?? text(inputs.name);
}

/**
 * Pure: the output of `pulumi stack export` (its JSON text, or already parsed) as a
 * `StackState`. A stack never deployed (`{"version":3,"deployment":{}}` or an empty object) has
 * no resources. Throws a one-line Error when the text is not an export.
 */
export function parseStackExport(exported: unknown): StackState {
  const value: unknown = typeof exported === "string" ? (JSON.parse(exported) as unknown) : exported;
  if (!isRecord(value)) throw new Error("pulumi stack export gave no JSON object");
  const deployment = isRecord(value.deployment) ? value.deployment : {};
  const resources = (Array.isArray(deployment.resources) ? deployment.resources : []).flatMap((entry): StateResource[] => {
    if (!isRecord(entry) || typeof entry.urn !== "string" || typeof entry.type !== "string") return [];
    const name = engineName(entry);
    const parent = text(entry.parent);
    return [{ urn: entry.urn, type: entry.type, id: typeof entry.id === "string" ? entry.id : "", ...(name ? { name } : {}), ...(parent ? { parent } : {}) }];
  });
  const pending = (Array.isArray(deployment.pending_operations) ? deployment.pending_operations : []).flatMap((entry): PendingOperation[] => {
    if (!isRecord(entry) || !isRecord(entry.resource)) return [];
    const resource = entry.resource;
    if (typeof resource.urn !== "string" || typeof resource.type !== "string") return [];
    const name = engineName(resource);
    return [{ urn: resource.urn, type: resource.type, operation: typeof entry.type === "string" ? entry.type : "unknown", ...(name ? { name } : {}) }];
  });
  return { resources, pending };
}

/** A container the state does not track, and what can be done about it. */
export interface Orphan {
  container: LiveContainer;
  /**
   * Whether removing it is safe: it is a container the plan declares (its name, node label and
   * image), so the next `up` creates it again exactly as planned; a named volume it mounts is
   * never removed with it (`docker rm` without `-v`).
   */
  planned: boolean;
  /** The logical name the program gives it (`<component>-<node>`), for `pulumi import`. */
  resourceName?: string;
}

/** A planned container, as much of it as tells an orphan from a stranger. */
export interface PlannedContainer {
  name: string;
  node: string;
  image: string;
}

/** The cluster an orphan search looks at: its labels, and the component's URN and name when the state has them. */
export interface OrphanScope {
  /** The plan's `namePrefix` (label `fluvio-spu.cluster`). */
  cluster: string;
  stack: string;
}

/** Whether a container carries the cluster's and the stack's labels, both values exact. */
export function carriesClusterLabels(container: Pick<LiveContainer, "labels">, scope: OrphanScope): boolean {
  return container.labels[LABELS.cluster] === scope.cluster && container.labels[LABELS.stack] === scope.stack;
}

/**
 * The cluster's containers on the engine that the state does not track: labelled with the
 * cluster and the stack, and whose id is no container id in the state. Each says whether it is
 * one the plan declares (so safe to remove: `up` re-creates it) and, when the state holds the
 * component, the name `pulumi import` would adopt it under.
 */
export function findOrphans(live: readonly LiveContainer[], state: StackState, scope: OrphanScope, planned: readonly PlannedContainer[], component?: string): Orphan[] {
  const tracked = new Set(state.resources.filter((resource) => resource.type === CONTAINER_TYPE && resource.id !== "").map((resource) => resource.id));
  const byName = new Map(planned.map((container) => [container.name, container]));
  return live
    .filter((container) => carriesClusterLabels(container, scope) && !tracked.has(container.id))
    .map((container) => {
      const wanted = byName.get(container.name);
      const isPlanned = wanted !== undefined && container.labels[LABELS.node] === wanted.node && (wanted.image === "" || container.image === wanted.image);
      const node = container.labels[LABELS.node];
      return { container, planned: isPlanned, ...(component && node ? { resourceName: `${component}-${node}` } : {}) };
    });
}

/** The component's URN and logical name in the state (any of its type tokens, src/component-type.ts), when one has those containers' cluster. */
export function componentOf(state: StackState, types: readonly string[] = SPU_CLUSTER_TYPES): { urn: string; name: string } | undefined {
  const found = state.resources.find((resource) => types.includes(resource.type));
  if (!found) return undefined;
  return { urn: found.urn, name: found.urn.split("::").pop() ?? "" };
}

/** The command that removes orphans (their named volumes stay: `docker rm` never removes a named volume). */
export function removeCommand(orphans: readonly Orphan[]): string {
  return `docker rm -f ${orphans.map((orphan) => orphan.container.name).join(" ")}`;
}

/** The command that adopts one orphan into the state instead, under the component (or undefined when the name is not known). */
export function importCommand(orphan: Orphan, stack: string, parent?: { urn: string; name: string }): string | undefined {
  if (!orphan.resourceName) return undefined;
  const parentFlag = parent ? ` --parent '${parent.name}=${parent.urn}'` : "";
  return `pulumi import --stack ${stack} --yes --protect=false${parentFlag} ${CONTAINER_TYPE} ${orphan.resourceName} ${orphan.container.id}`;
}

/** Why a container is an orphan, in words: left by an interrupted up, or not what the plan declares. */
export function orphanReason(orphan: Orphan): string {
  return orphan.planned ? "a container the plan declares, left by an interrupted up" : "carries the cluster's labels but is not what the plan declares (another name, node or image)";
}

/**
 * One line per orphan: its name, id and state, why it is there, and the exact command that
 * removes it or adopts it. What the component's preview, `npm run up` and `doctor` print.
 */
export function orphanLine(orphan: Orphan, stack: string, parent?: { urn: string; name: string }): string {
  const { container } = orphan;
  const adopt = importCommand(orphan, stack, parent);
  const what = orphanReason(orphan);
  return `container ${container.name} (${container.id.slice(0, 12)}, ${container.state}) is not in stack ${stack}'s state: ${what}; remove it with \`docker rm -f ${container.name}\` (named volumes stay) and run up again${adopt ? `, or adopt it with \`${adopt}\`` : ""}`;
}
