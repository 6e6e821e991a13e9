/**
 * The `fluvio-spu` component provider: serves `SpuCluster` to every Pulumi language through
 * `construct`, running the same TypeScript component a TypeScript program runs, so the plan is
 * the same whatever language declared the cluster. `bin/pulumi-resource-fluvio-spu` starts it.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { SpuCluster, SPU_CLUSTER_TYPE, type SpuClusterArgs } from "../component";
import { ConfigError, isConfigError, isHostError, type ConfigIssue } from "../errors";
import { readText } from "../config/files";
import { parseRegistry, type PortRegistry } from "../ports/registry";
import type { ClusterPlan } from "../plan/types";
import { packageSchemaText } from "./schema";

/** The provider's version: the npm package's. */
export function providerVersion(): string {
  const file = join(__dirname, "..", "..", "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/** Inputs that are not cluster config: passed on as they come (outputs and secrets kept). */
const PASSED_AS_IS = ["images", "network", "tlsCertificates"] as const;

/** A JSON value without nulls. */
export type PlainJson = string | number | boolean | PlainJson[] | { [key: string]: PlainJson };

/**
 * The plan as the `plan` output carries it in every language: plain JSON without null fields,
 * since Python and YAML programs drop them from outputs (TypeScript keeps them), so the same
 * plan reads as the same bytes from any language. Non-enumerable fields stay out, as in JSON.
 */
export function planOutput(plan: ClusterPlan): PlainJson {
  return withoutNulls(JSON.parse(JSON.stringify(plan)) as unknown) ?? {};
}

function withoutNulls(value: unknown): PlainJson | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((item) => withoutNulls(item)).filter((item): item is PlainJson => item !== undefined);
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
      const kept = withoutNulls(item);
      return kept === undefined ? [] : [[key, kept] as const];
    });
    return Object.fromEntries(entries);
  }
  return value as PlainJson;
}

/** What an `Output` hides from the public API: its value and whether it is known (the SDK's own fields). */
interface OutputInternals {
  promise(): Promise<unknown>;
  isKnown: Promise<boolean>;
}

/**
 * A config input as plain data: the plan is made before anything is created, from values the
 * program knows. An input that is an output (of another resource, or a secret) is awaited; one
 * not known yet (a preview before the resource it comes from exists) is a ConfigError.
 */
async function plainInput(key: string, value: unknown, issues: ConfigIssue[]): Promise<unknown> {
  if (!pulumi.Output.isInstance(value)) return value;
  const output = value as unknown as OutputInternals;
  if (!(await output.isKnown)) {
    issues.push({ path: key, message: "is not known until another resource is created: SpuCluster plans its ports before it creates anything, so give it a value the program knows" });
    return undefined;
  }
  return output.promise();
}

/**
 * The `SpuCluster` args a program in another language gave, as the TypeScript component takes
 * them: `spus` (a count) or `spuList` (a list) as `spus`, the registry read from `registryFile`
 * (relative to the program's directory, where the engine starts this provider).
 */
export async function clusterArgs(inputs: Record<string, unknown>, cwd = process.cwd()): Promise<{ args: SpuClusterArgs; listForm: boolean }> {
  const issues: ConfigIssue[] = [];
  const plain: Record<string, unknown> = {};
  const passed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (value === undefined) continue;
    if ((PASSED_AS_IS as readonly string[]).includes(key)) passed[key] = value;
    else plain[key] = await plainInput(key, value, issues);
  }
  const { spus, spuList, registryFile, ...config } = plain;
  if (spus !== undefined && spuList !== undefined) issues.push({ path: "spuList", message: "give spus (a count) or spuList (a list of SPUs), not both" });
  const registry = typeof registryFile === "string" ? readRegistry(registryFile, cwd) : undefined;
  if (registryFile !== undefined && typeof registryFile !== "string") issues.push({ path: "registryFile", message: "must be a path, for example stacks/ports.registry.yaml" });
  if (issues.length > 0) throw new ConfigError(issues);
  const args = {
    ...config,
    ...passed,
    spus: spuList ?? spus,
    ...(registry !== undefined ? { registry } : {}),
  } as SpuClusterArgs;
  return { args, listForm: spuList !== undefined };
}

function readRegistry(file: string, cwd: string): PortRegistry {
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  return parseRegistry(readText(path), file);
}

/**
 * A ConfigError about the list form, with its paths as the program wrote them: `spuList[0].rack`
 * where the component says `spus[0].rack`.
 */
function inListTerms(error: ConfigError): ConfigError {
  const issues = error.issues.map((issue) => ({ ...issue, path: issue.path.replace(/^spus(?=\[|$)/, "spuList") }));
  return new ConfigError(issues);
}

/**
 * An error a user can fix, as the engine should print it: the ConfigError's (or HostError's)
 * own text and nothing else (no JavaScript stack, no "Error:" prefix).
 */
function userError(error: unknown, listForm: boolean): Error {
  if (isConfigError(error)) return plainError(listForm ? inListTerms(error).message : error.message);
  if (isHostError(error)) return plainError(error.message);
  return error instanceof Error ? error : new Error(String(error));
}

function plainError(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** Declares one `SpuCluster` for `construct`, and returns its URN and outputs. */
export async function constructSpuCluster(name: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<provider.ConstructResult> {
  let listForm = false;
  try {
    const { args, listForm: list } = await clusterArgs(inputs as Record<string, unknown>);
    listForm = list;
    const cluster = new SpuCluster(name, args, options);
    return {
      urn: cluster.urn,
      state: {
        plan: planOutput(cluster.plan),
        spus: cluster.spus,
        sc: cluster.sc,
        ports: cluster.ports,
        clientProfile: cluster.clientProfile,
        containerClientProfile: cluster.containerClientProfile,
        tls: cluster.plan.tls,
      },
    };
  } catch (error) {
    throw userError(error, listForm);
  }
}

/** The provider `pulumi.provider.main` serves. */
export function fluvioSpuProvider(version = providerVersion()): provider.Provider {
  return {
    version,
    getSchema: async () => packageSchemaText(version),
    construct: async (name, type, inputs, options) => {
      if (type !== SPU_CLUSTER_TYPE) throw new Error(`unknown resource type ${type}: this provider serves ${SPU_CLUSTER_TYPE}`);
      return constructSpuCluster(name, inputs, options);
    },
  };
}
