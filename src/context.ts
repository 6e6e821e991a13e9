/**
 * One plan context for every edge: the component, the root program and the CLI build the
 * `{ stack, project, registry, host facts }` a plan depends on here, and nowhere else, so that
 * `fluvio-ports plan`/`render` describe exactly what `pulumi up` creates.
 */
import { join } from "node:path";
import { ConfigError } from "./errors";
import { CLUSTER_CONFIG_KEY, listStacks, loadRegistry, parseClusterValue, readEphemeralRange, readProjectFile, readStackConfig, stackFilePath } from "./config/stack";
import { stackOf } from "./config/stack-name";
import { parseClusterSpec, type ClusterSpec } from "./config/schema";
import type { HostFactsAnswer } from "./plan/host-access";
import { DEFAULT_PROJECT, planCluster, type PlanContext, type SiblingCluster } from "./plan/plan";
import { nodeLabel } from "./plan/names";
import { askHostFacts, askHostFactsOnce } from "./preflight/host-facts";
import { occupiedPorts } from "./preflight/occupied";
import { thisMachineNames } from "./preflight/this-machine";
import type { ClusterPlan } from "./plan/types";
import { findRecord, hostsShareMachine, type PortRegistry } from "./ports/registry";
import { samenessUnknown } from "./ports/machines";
import type { PortRole } from "./ports/range";

/** What an edge knows: the stack, the project, the registry, the target; host facts are read here. */
export interface ContextInput {
  stack: string;
  project?: string;
  registry?: PortRegistry;
  /** The cluster's target: the container engine is asked what it is for Docker plans only. */
  target: ClusterSpec["target"];
  /** The engine's answer, when the program already has it (or knows it for another engine). */
  hostFacts?: HostFactsAnswer;
  /** The program deploys through its own Docker provider, which may point at another engine than this machine's. */
  explicitProvider?: boolean;
  /** The engine to ask (`docker:host` or DOCKER_HOST); a remote one is not asked. Default: the local socket. */
  dockerHost?: string | undefined;
  /** Clusters the program declared before this one (`PlanContext.siblings`). */
  siblings?: readonly SiblingCluster[];
}

/** The engine's answer, once it came (`check` plans every stack of the project). */
let engineAnswer: HostFactsAnswer | undefined;

/**
 * Asks the local engine in this process and without blocking, once, so that the plans made
 * next (by `planStackFiles`, which is synchronous) take its answer instead of asking it
 * through a child process: what the CLI does before it plans. The question goes out on the
 * next turn of the event loop; await it after the synchronous work it should overlap.
 */
export function askEngineOnce(): Promise<void> {
  return askHostFactsOnce().then((answer) => {
    engineAnswer ??= answer;
  });
}

/** One turn of the event loop: lets a question that was just asked go out before synchronous work. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The container engine's answer for a Docker plan: given, asked of the local engine once, or none for an explicit provider. */
function dockerHostFacts(input: ContextInput): HostFactsAnswer {
  if (input.hostFacts) return input.hostFacts;
  if (input.explicitProvider) return { ok: false, reason: "an explicit Docker provider may point at another engine; pass hostFacts to SpuCluster" };
  if (input.dockerHost !== undefined) return askHostFacts({ dockerHost: input.dockerHost });
  return (engineAnswer ??= askHostFacts());
}

/**
 * The plan context of a stack on this host: the given names and registry, the host's ephemeral
 * port range, and for Docker plans what the container engine is (`plan.hostAccess`).
 */
export function planContext(input: ContextInput): PlanContext {
  const ephemeralRange = readEphemeralRange();
  return {
    stack: input.stack,
    project: input.project ?? DEFAULT_PROJECT,
    ...(input.registry ? { registry: input.registry } : {}),
    ...(ephemeralRange ? { ephemeralRange } : {}),
    ...(input.target === "docker" ? { hostFacts: dockerHostFacts(input) } : {}),
    machineNames: [...thisMachineNames()],
    ...(input.siblings && input.siblings.length > 0 ? { siblings: input.siblings } : {}),
  };
}

/** The project's name as `Pulumi.yaml` gives it (what `pulumi.getProject()` returns in its programs). */
export function readProjectName(root: string): string {
  const project = readProjectFile(root);
  if (project === undefined) return DEFAULT_PROJECT;
  if (project.name === undefined) throw new ConfigError({ path: `${join(root, "Pulumi.yaml")}: name`, message: "is missing: Pulumi.yaml names its project (name: my-project)" });
  return project.name;
}

/**
 * Which cluster of a project to describe: the config key it lives under (default
 * `fluvio-spu:cluster`) and, for a composed `new SpuCluster("orders-bus", ...)`, the resource
 * name, which names the cluster unless its config sets `name`.
 */
export interface ClusterSource {
  configKey?: string;
  name?: string;
}

/** A stack planned from the files on disk, with what the CLI should say about how it was read. */
export interface StackPlan {
  spec: ClusterSpec;
  plan: ClusterPlan;
  /** Where what this describes may differ from what a program declares; printed by the CLI on stderr. */
  notes: string[];
}

/** A stack's cluster config as read and validated from the files on disk, not yet planned. */
interface StackSpec {
  project: string;
  stack: string;
  spec: ClusterSpec;
  notes: string[];
}

/** Reads and validates a stack's cluster config: the stack file's value under the key, named as a program would name it. */
function readStackSpec(root: string, stackName: string, source: ClusterSource): StackSpec {
  const project = readProjectName(root);
  const stack = stackOf(stackName, project);
  const configKey = source.configKey ?? CLUSTER_CONFIG_KEY;
  const config = readStackConfig(root, stack);
  const value = config[configKey];
  if (value === undefined) {
    // A bare `cluster:` is read under the project's own namespace, as Pulumi reads it.
    const projectKey = `${project}:cluster`;
    const hint = !source.configKey && project !== DEFAULT_PROJECT && config[projectKey] !== undefined ? `; the stack file has ${projectKey} (a bare cluster: key is project ${project}'s): read it with --key ${projectKey}` : "";
    throw new ConfigError({
      path: configKey,
      message: `is missing from the ${stack} stack file: add it, for example { environment: dev, spus: 3 }${source.configKey ? "" : ", or name the key a program reads with --key"}${hint}`,
    });
  }
  const raw = parseClusterValue(value, configKey, stackFilePath(root, stack));
  const configName = typeof raw === "object" && raw !== null ? (raw as { name?: unknown }).name : undefined;
  const notes: string[] = [];
  if (source.name === undefined && configName === undefined && project !== DEFAULT_PROJECT) {
    notes.push(
      `note: project ${project} is not fluvio-spu's own program; this describes the cluster as 'fluvio'. A program's new SpuCluster("<name>", ...) is named by its resource name: pass --name <name> (and --key <config key> if it reads another key)`,
    );
  }
  const named = source.name !== undefined && configName === undefined && typeof raw === "object" && raw !== null ? { name: source.name, ...raw } : raw;
  return { project, stack, spec: parseClusterSpec(named), notes };
}

function planStackSpec({ project, stack, spec, notes }: StackSpec, registry: PortRegistry): StackPlan {
  return { spec, plan: planCluster(spec, planContext({ stack, project, registry, target: spec.target })), notes };
}

/**
 * Plans a stack from the files on disk, the way every `fluvio-ports` command does: the stack
 * file's cluster config, the project's name and port registry, and this host's facts.
 */
export function planStackFiles(root: string, stackName: string, registry?: PortRegistry, source: ClusterSource = {}): StackPlan {
  const read = readStackSpec(root, stackName, source);
  return planStackSpec(read, registry ?? loadRegistry(root));
}

/**
 * `planStackFiles`, and for `strategy: isolated` the host's view too: the ports live on this
 * host and those the project's other stacks plan on the same machine (`PlanContext.occupied`),
 * minus this stack's own. Its notes also say which source could not be read.
 */
export async function planStack(root: string, stackName: string, registry: PortRegistry = loadRegistry(root), source: ClusterSource = {}): Promise<StackPlan> {
  // The engine answers while the files are read and validated.
  const asked = askEngineOnce();
  await nextTurn();
  const read = readStackSpec(root, stackName, source);
  await asked;
  const base = planStackSpec(read, registry);
  if (base.spec.strategy !== "isolated") return base;
  const stack = base.plan.stack;
  const otherStacks = listStacks(root)
    .filter((other) => other !== stack)
    .flatMap((other) => {
      try {
        const { plan } = planStackFiles(root, other, registry, source);
        if (!hostsShareMachine(registry, plan.host, base.plan.host, thisMachineNames())) return [];
        return plan.ports.map((row) => ({ port: row.port, holder: `stack ${other} (${nodeLabel(row.owner)} ${row.role})` }));
      } catch {
        return []; // its own commands report its config errors
      }
    });
  const record = findRecord(registry, stack, base.spec.name);
  const ownPorts = new Set(Object.values(record?.nodes ?? {}).flatMap((ports) => Object.values(ports) as number[]));
  const ranges = Object.values(base.plan.ranges);
  const { occupied, notes } = await occupiedPorts({ namePrefix: base.plan.namePrefix, ownPorts, otherStacks, ranges });
  const context = { ...planContext({ stack, project: base.plan.project, registry, target: base.spec.target }), occupied };
  return { spec: base.spec, plan: planCluster(base.spec, context), notes: [...base.notes, ...notes.map((note) => `note: ${note}`)] };
}

/** A host port a stack plans that another stack of the project plans too, on a machine both share. */
export interface StackOverlap {
  port: number;
  /** The node of the stack asked about that wants it, and its role. */
  wantedBy: { node: string; role: PortRole };
  /** The other stack's node planning it. */
  other: { stack: string; cluster: string; node: string; role: PortRole; host: string };
}

/** Another stack planning some of the same ports on a host that may or may not be this stack's machine (a name and an address). */
export interface UnknownSameness {
  stack: string;
  host: string;
  ports: number[];
}

/**
 * The host ports `plan` plans that the project's other stacks (their stack files in the stack
 * folder, planned with the same registry) plan too on a machine they share; and the stacks
 * whose host may be the same machine, which names cannot tell. A stack whose files do not plan
 * is skipped: its own commands report its errors. What `fluvio-ports check` and the program use.
 */
export function otherStackOverlaps(root: string, plan: ClusterPlan, registry: PortRegistry, source: ClusterSource = {}): { overlaps: StackOverlap[]; unknown: UnknownSameness[] } {
  const mine = new Map(plan.ports.filter((row) => plan.hostPorts.includes(row.port)).map((row) => [row.port, row]));
  const here = thisMachineNames();
  const overlaps: StackOverlap[] = [];
  const unknown: UnknownSameness[] = [];
  for (const other of listStacks(root)) {
    if (other === plan.stack) continue;
    let otherPlan: ClusterPlan;
    try {
      otherPlan = planStackFiles(root, other, registry, source).plan;
    } catch {
      continue;
    }
    const shared = otherPlan.ports.filter((row) => mine.has(row.port) && otherPlan.hostPorts.includes(row.port));
    if (!hostsShareMachine(registry, otherPlan.host, plan.host, here)) {
      if (shared.length > 0 && samenessUnknown(otherPlan.host, plan.host, here)) unknown.push({ stack: other, host: otherPlan.host, ports: shared.map((row) => row.port) });
      continue;
    }
    for (const row of shared) {
      const clash = mine.get(row.port)!;
      overlaps.push({ port: row.port, wantedBy: { node: clash.owner, role: clash.role }, other: { stack: other, cluster: otherPlan.cluster, node: row.owner, role: row.role, host: otherPlan.host } });
    }
  }
  return { overlaps, unknown };
}
