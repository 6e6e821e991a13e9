import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../errors";
import { parseClusterSpec, type ClusterSpec } from "./schema";
import { EMPTY_REGISTRY, parseRegistry, type PortRegistry } from "../ports/registry";
import { describeFileError, errorCode, fileError, readOptionalText } from "./files";
import { stackOf } from "./stack-name";

/** The Pulumi config namespace (the project name) and the key the cluster lives under. */
export const CONFIG_NAMESPACE = "fluvio-spu";
export const CLUSTER_CONFIG_KEY = `${CONFIG_NAMESPACE}:cluster`;
const REGISTRY_FILE = "ports.registry.yaml";

/** What this package reads from `Pulumi.yaml`. */
export interface ProjectFile {
  /** The project's name, if the file gives one. */
  name?: string;
  /** Where stack files live, relative to the project root (`stackConfigDir`). */
  stackConfigDir?: string;
}

/**
 * `Pulumi.yaml` of a project, or undefined when there is none. Bad YAML, a file that is not a
 * map, or a `name`/`stackConfigDir` that is not text is a one-line `ConfigError` naming the file;
 * a folder or an unreadable file is a `HostError`.
 */
export function readProjectFile(projectRoot: string): ProjectFile | undefined {
  const file = projectFilePath(projectRoot);
  if (file === undefined) return undefined;
  const text = readOptionalText(file);
  if (text === undefined) return undefined;
  // A command reads the file several times (stack folder, stack name, registry); it is parsed once per text.
  const known = projectFiles.get(file);
  if (known?.text === text) return known.project;
  const project = parseProjectFile(file, text);
  projectFiles.set(file, { text, project });
  return project;
}

/** The names Pulumi reads a project file by, in its order: `Pulumi.yaml`, then `Pulumi.yml`. */
export const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml"] as const;

/**
 * The project file of a project root: `Pulumi.yaml` or `Pulumi.yml`, as Pulumi accepts both;
 * undefined when there is neither. Both at once is a one-line `ConfigError` (which one Pulumi
 * reads is a guess nobody should have to make).
 */
export function projectFilePath(projectRoot: string): string | undefined {
  const found = PROJECT_FILES.map((name) => join(projectRoot, name)).filter((file) => existsSync(file));
  if (found.length > 1) throw new ConfigError({ path: found[1] as string, message: `and ${found[0]} are both here: a project has one project file; merge them into one and remove the other` });
  return found[0];
}

/** The extension of a project's files: a project written `Pulumi.yml` keeps its stack files as `Pulumi.<stack>.yml`, as Pulumi does. */
function projectExtension(projectRoot: string): ".yaml" | ".yml" {
  return projectFilePath(projectRoot)?.endsWith(".yml") ? ".yml" : ".yaml";
}

/** The last text read of each Pulumi.yaml, and what it says. */
const projectFiles = new Map<string, { text: string; project: ProjectFile }>();

function parseProjectFile(file: string, text: string): ProjectFile {
  let doc: unknown;
  try {
    doc = parseYaml(text, { logLevel: "error" });
  } catch (error) {
    throw new ConfigError({ path: file, message: `is not valid YAML (${firstLine(error)}): fix it; Pulumi.yaml holds the project's name, runtime and stackConfigDir (stacks)` });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new ConfigError({ path: file, message: "is not a map of project settings: it should start with name: <project> and runtime: nodejs" });
  const { name, stackConfigDir } = doc as { name?: unknown; stackConfigDir?: unknown };
  if (name !== undefined && (typeof name !== "string" || name.length === 0)) throw new ConfigError({ path: `${file}: name`, message: `must be the project's name as text, not ${JSON.stringify(name)}` });
  if (stackConfigDir !== undefined && (typeof stackConfigDir !== "string" || stackConfigDir.length === 0)) {
    throw new ConfigError({ path: `${file}: stackConfigDir`, message: `must be a folder path as text (such as stacks), not ${JSON.stringify(stackConfigDir)}` });
  }
  return { ...(name !== undefined ? { name } : {}), ...(stackConfigDir !== undefined ? { stackConfigDir } : {}) };
}

/** The first line of a parser's message, so an error stays one line. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}

/** Where a project keeps its stack files: `stackConfigDir` of `Pulumi.yaml`, else the project root. */
export function stackConfigDir(projectRoot: string): string {
  return resolve(projectRoot, readProjectFile(projectRoot)?.stackConfigDir ?? ".");
}

/** The stacks that have a stack file. */
export function listStacks(projectRoot: string): string[] {
  const dir = stackConfigDir(projectRoot);
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return [];
    throw fileError(dir, describeFileError(error, "read"));
  }
  const extension = projectExtension(projectRoot);
  return files
    .map((file) => (file.endsWith(extension) ? /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1] : undefined))
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** The stack file of a stack (`org/project/stack` names use the stack part, as Pulumi does). */
export function stackFilePath(projectRoot: string, stack: string): string {
  return join(stackConfigDir(projectRoot), `Pulumi.${stackOf(stack, readProjectFile(projectRoot)?.name)}${projectExtension(projectRoot)}`);
}

/**
 * The `config:` map of a stack file, the way `pulumi up` hands it to a program: every key as
 * written, structured values (objects and lists) as JSON text. Secure values stay opaque. A
 * stack name Pulumi would refuse is refused before any file is read.
 */
export function readStackConfig(projectRoot: string, stack: string): Record<string, string> {
  const file = stackFilePath(projectRoot, stack);
  const text = readOptionalText(file);
  if (text === undefined) {
    if (projectFilePath(projectRoot) === undefined) {
      throw new ConfigError({
        path: join(projectRoot, "Pulumi.yaml"),
        message: "does not exist: this is not a Pulumi project (no Pulumi.yaml here or in any folder above); run from the project folder, or name it with --root <dir>",
      });
    }
    const known = listStacks(projectRoot);
    const name = stackOf(stack);
    throw new ConfigError({
      path: "stack",
      message: `no stack file for '${name}' (looked for ${file}): ${known.length > 0 ? `known stacks are ${known.join(", ")}` : "no stack files exist yet"}; create Pulumi.${name}.yaml with a ${CLUSTER_CONFIG_KEY} key`,
    });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { logLevel: "error" });
  } catch (error) {
    throw new ConfigError({ path: file, message: `is not valid YAML: ${firstLine(error)}` });
  }
  if (doc !== null && doc !== undefined && (typeof doc !== "object" || Array.isArray(doc))) {
    throw new ConfigError({ path: file, message: "is not a map: a stack file holds config: with one key per setting" });
  }
  const config = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError({ path: `${file}: config`, message: `must be a map of settings (${CLUSTER_CONFIG_KEY}: {...}), not ${describeValue(config)}` });
  }
  // A bare key is the project's own, as Pulumi reads it: `cluster:` in project myapp is myapp:cluster.
  const namespace = readProjectFile(projectRoot)?.name ?? CONFIG_NAMESPACE;
  const entries = new Map<string, { written: string; value: string }>();
  for (const [key, value] of Object.entries(config)) {
    const full = key.includes(":") ? key : `${namespace}:${key}`;
    const earlier = entries.get(full);
    if (earlier !== undefined) {
      throw new ConfigError({
        path: `${file}: config`,
        message: `has both ${earlier.written} and ${key}, which Pulumi reads as one key (${full}: a bare key belongs to project ${namespace}); keep one of them`,
      });
    }
    entries.set(full, { written: key, value: typeof value === "string" ? value : JSON.stringify(value) });
  }
  return Object.fromEntries([...entries].map(([key, entry]) => [key, entry.value]));
}

/** `a list`, `the number 5`, `null`: what a value is, for messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "empty (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === "object") return "a map";
  return `the ${typeof value} ${String(value)}`;
}

/**
 * A config value as `readStackConfig` gives it (structured values as JSON text), parsed back the
 * way Pulumi's `requireObject` does. A value that is no map (a plain string, `null`, a number,
 * a list) is a one-line `ConfigError` naming the key and the file.
 */
export function parseClusterValue(value: string, key: string, where: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = value;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError({ path: key, message: `in ${where} is ${describeValue(parsed)}; it must be a map such as { environment: dev, spus: 3 }` });
  }
  return parsed;
}

/** The raw `fluvio-spu:cluster` value of a stack file. */
export function readClusterConfig(projectRoot: string, stack: string): unknown {
  const config = readStackConfig(projectRoot, stack);
  const value = config[CLUSTER_CONFIG_KEY];
  if (value === undefined) {
    throw new ConfigError({ path: CLUSTER_CONFIG_KEY, message: `is missing from the ${stack} stack file: add it, for example { environment: dev, spus: 3 }` });
  }
  return parseClusterValue(value, CLUSTER_CONFIG_KEY, stackFilePath(projectRoot, stack));
}

/** The validated cluster spec of a stack file. */
export function loadClusterSpec(projectRoot: string, stack: string): ClusterSpec {
  return parseClusterSpec(readClusterConfig(projectRoot, stack));
}

/** The path of the port registry of a project. */
export function registryPath(projectRoot: string): string {
  return join(stackConfigDir(projectRoot), REGISTRY_FILE);
}

/** The port registry of a project (empty when the file does not exist yet). */
export function loadRegistry(projectRoot: string): PortRegistry {
  const file = registryPath(projectRoot);
  const text = readOptionalText(file, "cannot read the port registry");
  return text === undefined ? EMPTY_REGISTRY : parseRegistry(text, file);
}

/** The host's ephemeral port range (Linux), or undefined where the OS does not say. */
export function readEphemeralRange(): { from: number; to: number } | undefined {
  try {
    const [from, to] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    return from && to ? { from, to } : undefined;
  } catch {
    return undefined;
  }
}
