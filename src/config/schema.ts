/**
 * Parsing a cluster config: its shape (`shape.ts`, zod), the ranges and SPU list resolved, then
 * the rules between fields (`rules.ts`); every problem worded for the user, all at once. This
 * module is the config's front door: what the rest of the code imports from the config is
 * re-exported here.
 */
import { z } from "zod";
import { ConfigError, type ConfigIssue } from "../errors";
import { DEFAULT_FIRST_SPU_ID, ENVIRONMENTS, RANGE_PRESETS } from "./presets";
import { dropUndefined } from "./objects";
import { toRange, type PortRange, type PortRole } from "../ports/range";
import { checkSpec } from "./rules";
import {
  ONE_PARSE,
  clusterInput,
  clusterJsonSchema as shapeJsonSchema,
  stackFileJsonSchema as shapeStackFileJsonSchema,
  spuCount,
  spuList,
  type ClusterInput,
} from "./shape";
import type { ClusterSpec, DockerSpec, KubernetesSpec, MonitoringSpec, SpuSpec, TlsSpec } from "./types.generated";

export { activeRoles, alertsOn, criticalSpuIds, defaultSpuName, explicitLocalPorts, pinField, type ExplicitLocalPort } from "./rules";
export type {
  ClusterConfig,
  ClusterSpec,
  DockerSpec,
  Encryption,
  ImageSpec,
  KubernetesSpec,
  LocalEndpointPolicy,
  MetricsSpec,
  MonitoringSpec,
  ScSpec,
  ServiceType,
  SpuConfig,
  SpuSpec,
  Strategy,
  Target,
  TlsSpec,
} from "./types.generated";

/**
 * The JSON Schema of the `fluvio-spu:cluster` value, for editors (YAML language servers map it
 * onto stack files): every field with its description and default. `io: "output"` describes
 * the value parsing returns (defaults applied).
 */
export function clusterJsonSchema(io: "input" | "output" = "input"): Record<string, unknown> {
  return shapeJsonSchema(io);
}

/**
 * The JSON Schema of a whole stack file (`Pulumi.<stack>.yaml`): the cluster value under `key`,
 * every other key left open. What a YAML language server maps onto `stacks/Pulumi.*.yaml`.
 */
export function stackFileJsonSchema(key: string): Record<string, unknown> {
  return shapeStackFileJsonSchema(key);
}

// ---------------------------------------------------------------------------------------------

/**
 * Validates raw cluster config (the value under `fluvio-spu:cluster` in a stack file, or the
 * args of `SpuCluster`) and applies every default. Throws a `ConfigError` listing every
 * problem, each with its field path, the values and the fix.
 */
export function parseClusterSpec(raw: unknown): ClusterSpec {
  if (raw === undefined || raw === null) {
    throw new ConfigError({
      path: "fluvio-spu:cluster",
      message: "is missing: set it in the stack file, for example `spus: 3` and `environment: dev`",
    });
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError({ path: "fluvio-spu:cluster", message: `must be an object such as { environment: dev, spus: 3 }, not ${describeValue(raw)}` });
  }
  const parsed = clusterInput.safeParse(raw, ONE_PARSE);
  if (!parsed.success) throw new ConfigError(everyProblem(raw, parsed.error.issues));
  const issues: ConfigIssue[] = [];
  const spec = specOf(parsed.data, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  Object.defineProperty(spec, VALIDATED, { value: true, enumerable: false });
  return spec;
}

/** The spec a well-shaped input gives: ranges and SPUs resolved, every cross-field rule applied (their problems added to `issues`). */
function specOf(input: ClusterInput, issues: ConfigIssue[]): ClusterSpec {
  const spus = parseSpus(input, issues);
  const ports = resolveRanges(input, issues);
  const reserved = input.reserved.map((value) => toRange(value) as PortRange);
  const kubernetes = { ...input.kubernetes, allowedNodePortRange: toRange(input.kubernetes.allowedNodePortRange) as PortRange };
  const spec: ClusterSpec = {
    name: input.name,
    target: input.target,
    ...(input.environment ? { environment: input.environment } : {}),
    host: input.host,
    publicHost: input.publicHost ?? "localhost",
    strategy: input.strategy,
    firstSpuId: input.firstSpuId,
    ports,
    reserved,
    allowPrivilegedPorts: input.allowPrivilegedPorts,
    logLevel: input.logLevel,
    sc: dropUndefined(input.sc),
    spus,
    localEndpoint: input.localEndpoint === false ? false : dropUndefined(input.localEndpoint),
    tls: dropUndefined(input.tls) as TlsSpec,
    metrics: input.metrics,
    images: input.images,
    docker: dropUndefined(input.docker) as DockerSpec,
    kubernetes: dropUndefined(kubernetes) as KubernetesSpec,
    monitoring: dropUndefined(input.monitoring) as MonitoringSpec,
  };
  checkSpec(spec, issues);
  return spec;
}

/**
 * Every problem of a config whose shape is wrong, at once: the shape's own (the SPU list's worded
 * by its form), then what the rest says once the refused fields are set aside (their defaults
 * stand in): one unknown field never hides a duplicate SPU id or an overlap of ranges.
 */
function everyProblem(raw: object, shapeIssues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const own = shapeIssues.filter((issue) => !(issue.path.length === 1 && issue.path[0] === "spus")).flatMap(toConfigIssues);
  // The SPU list is worded by the form the user chose; a bad list stands aside as one SPU for the rest.
  const spuIssues: ConfigIssue[] = [];
  parseSpusValue((raw as { spus?: unknown }).spus, DEFAULT_FIRST_SPU_ID, spuIssues);
  const rest = withoutRefused(raw, shapeIssues);
  if (rest !== undefined && spuIssues.length > 0) rest.spus = 1;
  const again = rest === undefined ? undefined : clusterInput.safeParse(rest, ONE_PARSE);
  const later: ConfigIssue[] = [];
  if (again?.success) specOf(again.data, later);
  const refused = [...shapeIssues.map((issue) => formatPath(issue.path)), ...(spuIssues.length > 0 ? ["spus"] : [])];
  const environmentRefused = refused.includes("environment");
  const follows = (issue: ConfigIssue): boolean =>
    refused.some((path) => path !== "" && (issue.path === path || issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`))) ||
    (environmentRefused && issue.path.startsWith("ports.") && /has no range/.test(issue.message));
  const seen = new Set([...own, ...spuIssues].map((issue) => `${issue.path}\u0000${issue.message}`));
  return [...own, ...spuIssues, ...later.filter((issue) => !follows(issue) && !seen.has(`${issue.path}\u0000${issue.message}`))];
}

/**
 * A copy of the raw config without what the shape refused: unknown keys dropped, a refused value
 * removed (so its default stands in), a refused list entry left out. Undefined when the config
 * itself was refused.
 */
function withoutRefused(raw: object, issues: readonly z.core.$ZodIssue[]): Record<string, unknown> | undefined {
  const copy = plainCopy(raw) as Record<string, unknown>;
  const holes = new Set<unknown[]>();
  for (const issue of issues) {
    const keys = issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    for (const path of keys) {
      if (path.length === 0) return undefined;
      let parent: unknown = copy;
      for (const part of path.slice(0, -1)) parent = typeof parent === "object" && parent !== null ? (parent as Record<PropertyKey, unknown>)[part as PropertyKey] : undefined;
      if (typeof parent !== "object" || parent === null) continue;
      const last = path[path.length - 1] as PropertyKey;
      if (Array.isArray(parent) && typeof last === "number") {
        parent[last] = HOLE;
        holes.add(parent);
      } else delete (parent as Record<PropertyKey, unknown>)[last];
    }
  }
  for (const list of holes) {
    const kept = list.filter((entry) => entry !== HOLE);
    list.length = 0;
    list.push(...kept);
  }
  return copy;
}

const HOLE = Symbol("refused");

/** Plain objects and lists copied, level by level; anything else as it is. */
function plainCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainCopy);
  if (typeof value === "object" && value !== null && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, plainCopy(entry)]));
  }
  return value;
}

/** Marks a spec `parseClusterSpec` returned, so that planning never validates it twice. Not enumerable: copies and JSON drop it. */
const VALIDATED = Symbol("fluvio-spu.validated");

/** Whether a value is a spec `parseClusterSpec` returned (and not a copy or raw config). */
export function isClusterSpec(value: unknown): value is ClusterSpec {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[VALIDATED] === true;
}

function parseSpus(input: ClusterInput, issues: ConfigIssue[]): SpuSpec[] {
  return parseSpusValue(input.spus, input.firstSpuId, issues);
}


/**
 * The SPU list, checked by the form the user chose, so that an error inside an entry names
 * that entry's field (`spus[0].publicPort: must be a whole number`) instead of the whole union.
 */
function parseSpusValue(value: unknown, firstSpuId: number, issues: ConfigIssue[]): SpuSpec[] {
  if (value === undefined || value === null) {
    issues.push({ path: "spus", message: "is missing: give a count (spus: 3) or a list ([{ id: 5001 }, ...])" });
    return [];
  }
  if (typeof value === "number") {
    const parsed = spuCount.safeParse(value, ONE_PARSE);
    if (!parsed.success) {
      issues.push({ path: "spus", message: `${value} is not a count of SPUs: give a whole number from 1 to 10000, or a list ([{ id: 5001 }, ...])` });
      return [];
    }
    return Array.from({ length: parsed.data }, (_, index) => ({ id: firstSpuId + index }));
  }
  if (!Array.isArray(value)) {
    issues.push({ path: "spus", message: `must be a count (spus: 3) or a list of SPUs ([{ id: 5001 }, ...]), not ${describeValue(value)}` });
    return [];
  }
  const parsed = spuList.safeParse(value, ONE_PARSE);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(...toConfigIssues({ ...issue, path: ["spus", ...issue.path] }));
    return [];
  }
  return parsed.data.map((spu) => dropUndefined(spu) as SpuSpec);
}

/** A short description of a value a user wrote where another kind was expected. */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value === "number" ? "the number" : `a ${typeof value}`} ${String(value)}`;
}

function resolveRanges(input: ClusterInput, issues: ConfigIssue[]): Record<PortRole, PortRange> {
  const preset = input.environment ? RANGE_PRESETS[input.environment] : undefined;
  const pick = (role: PortRole): PortRange => {
    const explicit = input.ports[role];
    if (explicit !== undefined) return toRange(explicit) as PortRange;
    if (preset) return preset[role];
    if (role === "nodePort") return RANGE_PRESETS.dev.nodePort;
    issues.push({
      path: `ports.${role}`,
      message: `has no range: set environment (${ENVIRONMENTS.join(" or ")}) for the preset, or give ports.${role}: { from, to }`,
    });
    return { from: 0, to: -1 };
  };
  return { public: pick("public"), private: pick("private"), metrics: pick("metrics"), nodePort: pick("nodePort") };
}

// ---------------------------------------------------------------------------------------------

/** One zod issue as the user reads it (a union whose matching branch knows the field gives that branch's issues). */
function toConfigIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return [
        {
          path,
          message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `'${key}'`).join(", ")}: check the spelling against the README's config reference (fields are camelCase)`,
        },
      ];
    case "invalid_value":
      return [{ path, message: `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}` }];
    case "invalid_type":
      if (issue.expected === "object" && issue.path.length > 0 && isSpuEntryPath(issue.path)) {
        return [{ path, message: "must be an SPU such as { id: 5001 } (the list form needs an object per SPU with its id)" }];
      }
      if (/received undefined$/.test(issue.message)) {
        return [{ path, message: `is missing: ${path.startsWith("spus[") && path.endsWith(".id") ? "every SPU in the list form needs its id (spus: [{ id: 5001 }, ...])" : `give ${expectedKind(issue.expected)}`}` }];
      }
      return [{ path, message: `must be ${expectedKind(issue.expected)}` }];
    case "too_small":
    case "too_big":
      return [{ path, message: boundMessage(issue, isPortPath(issue.path)) }];
    case "invalid_union": {
      // The branch whose shape matched (an object where an object may stand) knows the field.
      const matched = issue.errors.filter((branch) => branch.every((inner) => inner.path.length > 0));
      const only = matched.length === 1 ? matched[0] : undefined;
      if (only !== undefined && only.length > 0) return only.flatMap((inner) => toConfigIssues({ ...inner, path: [...issue.path, ...inner.path] }));
      return [{ path, message: unionMessage(path) }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

/** The kind a field expects, as a sentence reads it. */
function expectedKind(expected: string): string {
  // Every number in the config is a whole number (ports, ids, counts).
  if (expected === "int" || expected === "number") return "a whole number";
  if (expected === "object") return "an object";
  if (expected === "array") return "a list";
  // zod's names for "any value" (`nonoptional`, `unknown`): what the field takes is said by its own check.
  if (expected === "nonoptional" || expected === "unknown" || expected === "any") return "a value";
  return `a ${expected}`;
}

/** Whether a zod path points at an SPU entry itself (`spus[0]`). */
function isSpuEntryPath(path: readonly PropertyKey[]): boolean {
  return path.length === 2 && path[0] === "spus" && typeof path[1] === "number";
}

/** Fields that hold a port number: only these get the "ports run 1-65535" hint. */
const PORT_FIELDS = new Set(["publicPort", "privatePort", "metricsPort", "nodePort", "port", "from", "to"]);

function isPortPath(path: readonly PropertyKey[]): boolean {
  const last = [...path].reverse().find((part) => typeof part === "string");
  if (last !== undefined && PORT_FIELDS.has(String(last))) return true;
  return path[0] === "ports" || path[0] === "reserved" || path.includes("allowedNodePortRange");
}

/** A bound (too small / too big) as one sentence, with the port hint only where a port is meant. */
function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, isPort: boolean): string {
  const small = issue.code === "too_small";
  const limit = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
  const hint = isPort ? " (ports run 1-65535)" : "";
  switch (issue.origin) {
    case "number":
    case "int":
      return `must be ${small ? "at least" : "at most"} ${String(limit)}${hint}`;
    case "array":
      return `must hold ${small ? "at least" : "at most"} ${String(limit)} entr${Number(limit) === 1 ? "y" : "ies"}`;
    case "string":
      return `must be ${small ? "at least" : "at most"} ${String(limit)} character${Number(limit) === 1 ? "" : "s"} long`;
    default:
      return `${issue.message}${hint}`;
  }
}

function unionMessage(path: string): string {
  if (path.endsWith("localEndpoint")) return "must be false or { host, port?, encryption? }";
  if (/^ports\.|reserved|allowedNodePortRange/.test(path)) return "must be a port range: { from: 9000, to: 9100 }, '9000-9100' or a single port";
  if (path === "spus") return "must be a count (spus: 3) or a list of SPUs ([{ id: 5001 }, ...])";
  return "has an unexpected shape";
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out.length === 0 ? String(part) : `.${String(part)}`;
  }
  return out;
}
