import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../errors";
import { parseClusterSpec, type ClusterSpec } from "./schema";
import { EMPTY_REGISTRY, parseRegistry, type PortRegistry } from "../ports/registry";

/** The Pulumi config namespace (the project name) and the key the cluster lives under. */
export const CONFIG_NAMESPACE = "fluvio-spu";
export const CLUSTER_CONFIG_KEY = `${CONFIG_NAMESPACE}:cluster`;
const REGISTRY_FILE = "ports.registry.yaml";

/**
 * A text file's content. Node leaves the path out of some errors (EISDIR from a read): it is
 * added, so that whoever reports the error can name the file.
 */
export function readTextFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if (error instanceof Error && (error as NodeJS.ErrnoException).path === undefined) (error as NodeJS.ErrnoException).path = file;
    throw error;
  }
}

/** Where a project keeps its stack files: `stackConfigDir` of `Pulumi.yaml`, else the project root. */
export function stackConfigDir(projectRoot: string): string {
  const projectFile = join(projectRoot, "Pulumi.yaml");
  if (!existsSync(projectFile)) return projectRoot;
  const text = readTextFile(projectFile);
  let project: unknown;
  try {
    project = parseYaml(text);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    throw new ConfigError({ path: projectFile, message: `is not valid YAML (${error.message.split("\n")[0]}): fix it; Pulumi.yaml holds the project's name, runtime and stackConfigDir (stacks)` });
  }
  const dir = typeof project === "object" && project !== null ? (project as { stackConfigDir?: unknown }).stackConfigDir : undefined;
  if (dir !== undefined && typeof dir !== "string") throw new ConfigError({ path: `${projectFile}: stackConfigDir`, message: `must be a folder name such as stacks, not ${JSON.stringify(dir)}` });
  return resolve(projectRoot, dir ?? ".");
}

/** The stacks that have a stack file. */
export function listStacks(projectRoot: string): string[] {
  const dir = stackConfigDir(projectRoot);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/**
 * The `config:` map of a stack file, the way `pulumi up` hands it to a program: every key as
 * written, structured values (objects and lists) as JSON text. Secure values stay opaque.
 */
export function readStackConfig(projectRoot: string, stack: string): Record<string, string> {
  const file = join(stackConfigDir(projectRoot), `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    const known = listStacks(projectRoot);
    throw new ConfigError({
      path: "stack",
      message: `no stack file for '${stack}' (looked for ${file}): ${known.length > 0 ? `known stacks are ${known.join(", ")}` : "no stack files exist yet"}; create Pulumi.${stack}.yaml with a ${CLUSTER_CONFIG_KEY} key`,
    });
  }
  let doc: { config?: Record<string, unknown> } | null;
  try {
    doc = parseYaml(readTextFile(file)) as { config?: Record<string, unknown> } | null;
  } catch (error) {
    throw new ConfigError({ path: file, message: `is not valid YAML: ${(error as Error).message.split("\n")[0]}` });
  }
  const entries = Object.entries(doc?.config ?? {}).map(([key, value]) => [
    key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`,
    typeof value === "string" ? value : JSON.stringify(value),
  ]);
  return Object.fromEntries(entries);
}

/** The raw `fluvio-spu:cluster` value of a stack file. */
export function readClusterConfig(projectRoot: string, stack: string): unknown {
  const config = readStackConfig(projectRoot, stack);
  const value = config[CLUSTER_CONFIG_KEY];
  if (value === undefined) {
    throw new ConfigError({ path: CLUSTER_CONFIG_KEY, message: `is missing from the ${stack} stack file: add it, for example { environment: dev, spus: 3 }` });
  }
  return JSON.parse(value) as unknown;
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
  if (!existsSync(file)) return EMPTY_REGISTRY;
  return parseRegistry(readTextFile(file), file);
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
