/**
 * One plan context for every edge: the component, the root program and the CLI build the
 * `{ stack, project, registry, host facts }` a plan depends on here, and nowhere else, so that
 * `fluvio-ports plan`/`render` describe exactly what `pulumi up` creates.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "./errors";
import { CLUSTER_CONFIG_KEY, loadRegistry, readEphemeralRange, readStackConfig } from "./config/stack";
import { parseClusterSpec, type ClusterSpec } from "./config/schema";
import type { HostFactsAnswer } from "./plan/host-access";
import { DEFAULT_PROJECT, planCluster, type PlanContext } from "./plan/plan";
import { askHostFacts } from "./preflight/host-facts";
import type { ClusterPlan } from "./plan/types";
import type { PortRegistry } from "./ports/registry";

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
}

/** The engine's answer, asked once per process (`check` plans every stack of the project). */
let engineAnswer: HostFactsAnswer | undefined;

/** The container engine's answer for a Docker plan: given, asked of the local engine once, or none for an explicit provider. */
function dockerHostFacts(input: ContextInput): HostFactsAnswer {
  if (input.hostFacts) return input.hostFacts;
  if (input.explicitProvider) return { ok: false, reason: "an explicit Docker provider may point at another engine; pass hostFacts to SpuCluster" };
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
  };
}

/** The project's name as `Pulumi.yaml` gives it (what `pulumi.getProject()` returns in its programs). */
export function readProjectName(root: string): string {
  const file = join(root, "Pulumi.yaml");
  if (!existsSync(file)) return DEFAULT_PROJECT;
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError({ path: file, message: `is not valid YAML: ${(error as Error).message.split("\n")[0]}` });
  }
  const name = typeof doc === "object" && doc !== null ? (doc as { name?: unknown }).name : undefined;
  if (typeof name !== "string" || name.length === 0) throw new ConfigError({ path: `${file}: name`, message: "is missing: Pulumi.yaml names its project (name: my-project)" });
  return name;
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

/**
 * Plans a stack from the files on disk, the way every `fluvio-ports` command does: the stack
 * file's cluster config, the project's name and port registry, and this host's facts.
 */
export function planStackFiles(root: string, stack: string, registry: PortRegistry = loadRegistry(root), source: ClusterSource = {}): StackPlan {
  const configKey = source.configKey ?? CLUSTER_CONFIG_KEY;
  const value = readStackConfig(root, stack)[configKey];
  if (value === undefined) {
    throw new ConfigError({
      path: configKey,
      message: `is missing from the ${stack} stack file: add it, for example { environment: dev, spus: 3 }${source.configKey ? "" : ", or name the key a program reads with --key"}`,
    });
  }
  const raw = JSON.parse(value) as unknown;
  const project = readProjectName(root);
  const configName = typeof raw === "object" && raw !== null ? (raw as { name?: unknown }).name : undefined;
  const notes: string[] = [];
  if (source.name === undefined && configName === undefined && project !== DEFAULT_PROJECT) {
    notes.push(
      `note: project ${project} is not fluvio-spu's own program; this describes the cluster as 'fluvio'. A program's new SpuCluster("<name>", ...) is named by its resource name: pass --name <name> (and --key <config key> if it reads another key)`,
    );
  }
  const named = source.name !== undefined && configName === undefined && typeof raw === "object" && raw !== null ? { name: source.name, ...raw } : raw;
  const spec = parseClusterSpec(named);
  return { spec, plan: planCluster(spec, planContext({ stack, project, registry, target: spec.target })), notes };
}
