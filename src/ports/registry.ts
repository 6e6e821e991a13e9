import { z } from "zod";
import { Document, isMap, isSeq, parse as parseYaml, visit } from "yaml";
import { PORT_ROLES } from "./range";
import { readCanonicalRegistry } from "./registry-text";
import { registryShape } from "./registry-shape";
import type { RegistryData } from "./registry-data";

export type { RegistryData } from "./registry-data";

/** What the schema sees in place of a `__proto__` key (see `escapeProtoKeys`). */
const PROTO_STAND_IN = "\u0000__proto__";
import { ConfigError, type ConfigIssue } from "../errors";
import { formatRange, rangesOverlap, toRange, type PortRange, type PortRole } from "./range";
import { machineKey } from "./machines";

/**
 * A port (or range) some other software owns: a service on the host (Redis on 6379), another
 * team's cluster (9300-9400), or a well-known default. `hosts` names the hosts or host groups
 * it applies to; `*` means every host.
 */
export interface PortClaim {
  owner: string;
  ports: PortRange;
  hosts: string[];
  /** `registry` for claims written in the registry file, `well-known` for the shipped list. */
  source: "registry" | "well-known";
  note?: string;
}

/** One node's recorded ports, keyed by role. */
export type RecordedPorts = Partial<Record<PortRole, number>>;

/**
 * The assignments of one cluster of one stack, as `fluvio-ports plan --record` wrote them:
 * the lockfile entry that keeps every SPU on its ports whatever the config does next.
 * `nodes` is keyed `sc` and `spu-<id>`.
 */
export interface StackRecord {
  stack: string;
  cluster: string;
  host: string;
  nodes: Record<string, RecordedPorts>;
}

/**
 * `stacks/ports.registry.yaml`: who owns which port on which host, reviewed in git.
 * `hostGroups` lets one claim or stack name several machines (`ci-runners: [ci-1, ci-2]`); a
 * group may list other groups (expanded; a cycle is refused), and a group listing `*` means
 * every host.
 */
export interface PortRegistry {
  hostGroups: Record<string, string[]>;
  claims: PortClaim[];
  records: StackRecord[];
}

/** Registries `validateRegistry` returned (deep-frozen, so they cannot have changed since). */
const validated = new WeakSet<PortRegistry>();

/** The registry with nothing in it (frozen). */
export const EMPTY_REGISTRY: PortRegistry = validateRegistry({}, "registry");

/**
 * Parses the registry file's text and validates it as `validateRegistry` does; `where` names the
 * file in errors. A file in the layout `formatRegistry` writes is read by a fast reader
 * (`readCanonicalRegistry`); anything else, and every error, goes through the YAML library and
 * the schema (`validateRegistryText`). Both give the same data, checked the same way after.
 */
export function parseRegistry(text: string, where = "stacks/ports.registry.yaml"): PortRegistry {
  return registryFromData(readCanonicalRegistry(text) ?? validateRegistryText(text, where), where);
}

/** The registry file read with the YAML library and checked against the schema: the reference reading. */
export function validateRegistryText(text: string, where: string): RegistryData {
  return registryData(readRegistryYaml(text, where), where);
}

/** The registry file's text as plain data, unvalidated; bad YAML is a one-line `ConfigError` naming the file. */
export function readRegistryYaml(text: string, where: string): unknown {
  try {
    return parseYaml(text, { logLevel: "error" }) ?? {};
  } catch (error) {
    throw new ConfigError({ path: where, message: `is not valid YAML: ${(error as Error).message.split("\n")[0]}` });
  }
}

/**
 * Validates a registry, read from a file (`parseRegistry`) or built by a program and passed to
 * `planCluster`/`SpuCluster`: the shape (no unknown fields, ports 1-65535, ranges `from <= to`),
 * host groups (a group may name other groups; a cycle is refused), and the records (one per
 * stack and cluster; no two stacks recorded on one port of a shared host). Every problem names
 * its entry; `where` names the file or argument. Returns a frozen `PortRegistry` with host groups
 * as written.
 */
export function validateRegistry(value: unknown, where = "registry"): PortRegistry {
  if (isValidatedRegistry(value)) return value;
  return registryFromData(registryData(value, where), where);
}

/** The schema's reading of a registry value; a shape error names the entry and what the field takes. */
function registryData(value: unknown, where: string): RegistryData {
  // Parsed once per process: without zod's compiled fast path (see ONE_PARSE in config/schema.ts).
  const parsed = registryShape.safeParse(escapeProtoKeys(withoutNullLists(value)), { jitless: true });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const path = issue.path.map((key) => (key === PROTO_STAND_IN ? "__proto__" : key));
        return { path: `${where}: ${formatIssuePath(path)}`, message: `${issueWords(issue)}${entryLabel(value, path)}${fixFor(issue)}` };
      }),
      `invalid port registry (${where})`,
    );
  }
  return restoreProtoKeys(parsed.data);
}

/**
 * `__proto__` as a host group or a node name is a name like any other, but a plain object
 * cannot hold it as a key (assigning it sets the prototype): the schema sees a stand-in, and
 * the data comes back in objects without a prototype, where it is an own key again.
 */

function escapeProtoKeys(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const registry = value as { hostGroups?: unknown; records?: unknown };
  const rename = (map: unknown): unknown =>
    typeof map === "object" && map !== null && !Array.isArray(map) ? Object.fromEntries(Object.entries(map).map(([key, entry]) => [key === "__proto__" ? PROTO_STAND_IN : key, entry])) : map;
  return {
    ...registry,
    ...(registry.hostGroups !== undefined ? { hostGroups: rename(registry.hostGroups) } : {}),
    ...(Array.isArray(registry.records)
      ? { records: registry.records.map((record: unknown) => (typeof record === "object" && record !== null && !Array.isArray(record) ? { ...record, nodes: rename((record as { nodes?: unknown }).nodes) } : record)) }
      : {}),
  };
}

function restoreProtoKeys(data: RegistryData): RegistryData {
  const restore = <T>(map: Record<string, T>): Record<string, T> => {
    if (!Object.hasOwn(map, PROTO_STAND_IN)) return map;
    const plain = Object.create(null) as Record<string, T>;
    for (const [key, entry] of Object.entries(map)) plain[key === PROTO_STAND_IN ? "__proto__" : key] = entry;
    return plain;
  };
  return { ...data, hostGroups: restore(data.hostGroups), records: data.records.map((record) => ({ ...record, nodes: restore(record.nodes) })) };
}

/** What is wrong with a field, in this tool's words (the schema library's own are for programmers). */
function issueWords(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((key) => `'${key === PROTO_STAND_IN ? "__proto__" : key}'`).join(", ")}`;
    case "invalid_type":
      return /received undefined$/.test(issue.message) ? "is missing" : "has the wrong kind of value";
    case "too_small":
      return issue.origin === "string" ? "is empty" : issue.origin === "array" ? "is an empty list" : "is too small";
    case "too_big":
      return "is too big";
    default:
      return "is not valid";
  }
}

/** Ranges read, host groups and records checked; the result frozen and remembered as validated. */
function registryFromData(data: RegistryData, where: string): PortRegistry {
  const issues: ConfigIssue[] = [];
  const claims = data.claims.map((entry, index) => toClaim(entry, index, where, issues));
  // The data is the fast reader's or the schema's own output (new objects, never the caller's),
  // so its host groups and records are frozen as they are rather than copied.
  const registry: PortRegistry = { hostGroups: data.hostGroups, claims, records: data.records as StackRecord[] };
  issues.push(...hostGroupIssues(registry.hostGroups, where));
  if (issues.length === 0) issues.push(...duplicateRecordIssues(registry, where), ...overlapIssues(registry, where));
  if (issues.length > 0) throw new ConfigError(issues, `invalid port registry (${where})`);
  freezeRegistry(registry);
  validated.add(registry);
  return registry;
}

/** `records:` with nothing after it (YAML null) means no records, as an absent key does. */
function withoutNullLists(value: unknown): unknown {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key, field]) => !(field === null && (key === "hostGroups" || key === "claims" || key === "records"))));
}

/** Whether `value` is a registry `validateRegistry` returned (and so needs no second look). */
export function isValidatedRegistry(value: unknown): value is PortRegistry {
  return typeof value === "object" && value !== null && validated.has(value as PortRegistry);
}

function toClaim(entry: RegistryData["claims"][number], index: number, where: string, issues: ConfigIssue[]): PortClaim {
  const ports = toRange(entry.ports);
  if (!ports || !Number.isInteger(ports.from) || !Number.isInteger(ports.to) || ports.from > ports.to || ports.from < 1 || ports.to > 65535) {
    const shown = typeof entry.ports === "object" ? `${entry.ports.from}-${entry.ports.to}` : String(entry.ports);
    issues.push({ path: `${where}: claims[${index}].ports`, message: `'${shown}' (claim of ${entry.owner}) is not a port range such as 6379 or 9300-9400 (1-65535, from <= to)` });
  }
  return {
    owner: entry.owner,
    ports: ports ?? { from: 1, to: 0 },
    hosts: typeof entry.hosts === "string" ? [entry.hosts] : [...entry.hosts],
    source: entry.source ?? "registry",
    ...(entry.note ? { note: entry.note } : {}),
  };
}

/** `records[1].nodes.sc.public`, as the user would point at it. */
function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), "") || "(root)";
}

/** ` (the record of stack dev, cluster fluvio)` for an issue inside a record or claim, so the entry is named even in a long list. */
function entryLabel(value: unknown, path: readonly PropertyKey[]): string {
  const [list, index] = path;
  if (typeof index !== "number" || (list !== "records" && list !== "claims")) return "";
  const entry = (value as Record<string, unknown[] | undefined> | null)?.[list]?.[index] as Record<string, unknown> | undefined;
  if (typeof entry !== "object" || entry === null) return "";
  if (list === "claims") return typeof entry.owner === "string" ? ` (the claim of ${entry.owner})` : "";
  return typeof entry.stack === "string" ? ` (the record of stack ${entry.stack}${typeof entry.cluster === "string" ? `, cluster ${entry.cluster}` : ""})` : "";
}

/** What a registry field takes, by the field's name: the fix that follows a shape error. */
const FIELD_FIXES: Record<string, string> = {
  ports: "a port (6379), a range (9300-9400) or { from, to }",
  hosts: "a host or host group name, or a list of them ([\"*\"] for every host)",
  owner: "who owns the ports, as text",
  note: "text",
  stack: "the stack's name, as text",
  cluster: "the cluster's name, as text",
  host: "the host (or host group) the stack deploys to, as text",
  nodes: "a map of node keys (sc, spu-<id>) to their ports",
  public: "a port number 1-65535",
  private: "a port number 1-65535",
  metrics: "a port number 1-65535",
  nodePort: "a port number 1-65535",
  hostGroups: "a map of group names to lists of hosts",
  claims: "a list of claims ({ owner, ports, hosts })",
  records: "a list of records (written by fluvio-ports plan --record)",
};

const KNOWN_FIELDS: Record<string, string> = {
  "": "hostGroups, claims, records",
  claims: "owner, ports, hosts, note",
  records: "stack, cluster, host, nodes",
  nodes: "public, private, metrics, nodePort",
};

function fixFor(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const [list] = issue.path;
    const known = KNOWN_FIELDS[issue.path.length === 0 ? "" : issue.path.length >= 4 && list === "records" ? "nodes" : String(list)];
    return known ? `: remove it (the fields are ${known})` : ": remove it";
  }
  const field = [...issue.path].reverse().find((key): key is string => typeof key === "string");
  const fix = field === undefined ? undefined : FIELD_FIXES[field];
  return fix ? `: must be ${fix}` : "";
}

/** A cycle among host groups (`a: [b]`, `b: [a]`): refused, since no machine is ever reached. */
function hostGroupIssues(hostGroups: Readonly<Record<string, readonly string[]>>, where: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const reported = new Set<string>();
  for (const group of Object.keys(hostGroups).sort(compareCodeUnits)) {
    const cycle = findCycle(hostGroups, group, []);
    if (!cycle) continue;
    const key = [...cycle.slice(1)].sort(compareCodeUnits).join("\u0000");
    if (reported.has(key)) continue;
    reported.add(key);
    issues.push({ path: `${where}: hostGroups.${cycle[0]}`, message: `host groups name each other in a cycle (${cycle.join(" -> ")}): a group may list other groups, but not itself through them; list machines instead` });
  }
  return issues;
}

function findCycle(hostGroups: Readonly<Record<string, readonly string[]>>, group: string, path: string[]): string[] | undefined {
  const at = path.indexOf(group);
  if (at >= 0) return [...path.slice(at), group];
  for (const member of hostGroups[group] ?? []) {
    if (!Object.hasOwn(hostGroups, member)) continue;
    const cycle = findCycle(hostGroups, member, [...path, group]);
    if (cycle) return cycle;
  }
  return undefined;
}

function recordName(record: StackRecord, index: number): string {
  return `records[${index}] (stack ${record.stack}, cluster ${record.cluster}, host ${record.host})`;
}

/** Two records of one stack's cluster: which one counts would be a guess, so neither does. */
function duplicateRecordIssues(registry: PortRegistry, where: string): ConfigIssue[] {
  const first = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  registry.records.forEach((record, index) => {
    const key = recordKey(record);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, index);
      return;
    }
    issues.push({
      path: `${where}: records[${index}]`,
      message: `stack ${record.stack}, cluster ${record.cluster} is recorded twice: ${recordName(registry.records[earlier]!, earlier)} and ${recordName(record, index)}; delete one and run fluvio-ports plan --stack ${record.stack} --record`,
    });
  });
  return issues;
}

/** Two stacks recorded on one port of a machine they share (host groups expanded): one of them would fail to start. */
function overlapIssues(registry: PortRegistry, where: string): ConfigIssue[] {
  const index = new Map(registry.records.map((record, position) => [record, position]));
  return findRecordOverlaps(registry).map((overlap) => {
    const first = registry.records.find((record) => record.stack === overlap.first.stack && record.cluster === overlap.first.cluster)!;
    const second = registry.records.find((record) => record.stack === overlap.second.stack && record.cluster === overlap.second.cluster)!;
    return {
      path: `${where}: records[${index.get(second)}].nodes.${overlap.second.node}.${overlap.second.role}`,
      message: `port ${overlap.port} is recorded twice on a shared host: ${recordName(first, index.get(first)!)} ${overlap.first.node} ${overlap.first.role}, and ${recordName(second, index.get(second)!)} ${overlap.second.node} ${overlap.second.role}; delete one of the two records and run fluvio-ports plan --stack ${overlap.second.stack} --record so it plans around the other`,
    };
  });
}

/** Freezes every object of a registry, level by level (its shape is known: no walk over every value). */
function freezeRegistry(registry: PortRegistry): void {
  for (const members of Object.values(registry.hostGroups)) Object.freeze(members);
  Object.freeze(registry.hostGroups);
  for (const claim of registry.claims) {
    Object.freeze(claim.ports);
    Object.freeze(claim.hosts);
    Object.freeze(claim);
  }
  for (const record of registry.records) {
    for (const node in record.nodes) Object.freeze(record.nodes[node]);
    Object.freeze(record.nodes);
    Object.freeze(record);
  }
  Object.freeze(registry.claims);
  Object.freeze(registry.records);
  Object.freeze(registry);
}

/** Plain code-unit order (`<`), the same on every machine and in every locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The registry as reviewable YAML, in a stable order so that re-recording an unchanged stack changes nothing. */
export function formatRegistry(registry: PortRegistry): string {
  const records = [...registry.records].sort(compareRecords);
  const doc = {
    hostGroups: registry.hostGroups,
    claims: registry.claims.map((claim) => ({
      owner: claim.owner,
      ports: claim.ports.from === claim.ports.to ? claim.ports.from : formatRange(claim.ports),
      hosts: claim.hosts,
      ...(claim.note ? { note: claim.note } : {}),
    })),
  };
  const header =
    "# The port registry: who owns which port on which host. Reviewed in git like a lockfile.\n" +
    "# claims: ports other services or teams own. records: written by `fluvio-ports plan --stack <s> --record`.\n";
  const yaml = new Document(doc);
  visit(yaml, {
    Pair(_, pair) {
      const key = String((pair.key as { value?: unknown } | null)?.value ?? "");
      if (key === "hosts" && (isMap(pair.value) || isSeq(pair.value))) pair.value.flow = true;
    },
  });
  const recordsText = records.length === 0 ? "records: []\n" : `records:\n${records.map((record) => recordBlock(record)).join("")}`;
  return header + yaml.toString({ flowCollectionPadding: true }) + recordsText;
}

/** The record as one block sequence item, its dash at `dash` and its fields at `content` (columns). */
export function recordBlock(record: StackRecord, dash = 2, content = dash + 2): string {
  const pad = " ".repeat(content);
  const nodes = nodeKeys(record);
  return [
    `${" ".repeat(dash)}-${" ".repeat(Math.max(1, content - dash - 1))}stack: ${scalarText(record.stack)}`,
    `${pad}cluster: ${scalarText(record.cluster)}`,
    `${pad}host: ${scalarText(record.host)}`,
    nodes.length === 0 ? `${pad}nodes: {}` : `${pad}nodes:`,
    ...nodes.map((node) => `${pad}  ${nodeLine(node, record.nodes[node]!)}`),
  ]
    .map((line) => `${line}\n`)
    .join("");
}

/** A record's node keys in registry order. */
export function nodeKeys(record: StackRecord): string[] {
  return Object.keys(record.nodes).sort(compareNodeKeys);
}

/** `spu-5001: { public: 9007, private: 9105 }`: one line per node keeps review diffs to the node that changed. */
export function nodeLine(node: string, ports: RecordedPorts): string {
  return `${scalarText(node)}: ${portsFlow(ports)}`;
}

/** `{ public: 9007, private: 9105 }`, roles in their fixed order. */
export function portsFlow(ports: RecordedPorts): string {
  const roles = PORT_ROLES.filter((role) => ports[role] !== undefined);
  return roles.length === 0 ? "{}" : `{ ${roles.map((role) => `${role}: ${ports[role]}`).join(", ")} }`;
}

/** A string as YAML: plain when it reads back as the same string, else double-quoted (JSON is YAML). */
export function scalarText(value: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(value) && parseYaml(value) === value) return value;
  return JSON.stringify(value);
}

function recordKey(record: Pick<StackRecord, "stack" | "cluster">): string {
  return `${record.stack}\u0000${record.cluster}`;
}

/** Records by stack, then cluster, in code-unit order: the order `--record` keeps them in, whatever the locale. */
export function compareRecords(a: Pick<StackRecord, "stack" | "cluster">, b: Pick<StackRecord, "stack" | "cluster">): number {
  return compareCodeUnits(a.stack, b.stack) || compareCodeUnits(a.cluster, b.cluster);
}

/** `sc` first, then SPUs by numeric id, then any other node by name (code-unit order). */
export function compareNodeKeys(a: string, b: string): number {
  const rank = (key: string): number => (key === "sc" ? -1 : /^spu-\d+$/.test(key) ? Number(key.slice(4)) : Number.MAX_SAFE_INTEGER);
  return rank(a) - rank(b) || compareCodeUnits(a, b);
}

/** The record of one stack's cluster, if it was recorded. */
export function findRecord(registry: PortRegistry, stack: string, cluster: string): StackRecord | undefined {
  return registry.records.find((record) => record.stack === stack && record.cluster === cluster);
}

/** The registry with this stack's record written (replacing the previous one). */
export function withRecord(registry: PortRegistry, record: StackRecord): PortRegistry {
  const others = registry.records.filter((existing) => recordKey(existing) !== recordKey(record));
  return { ...registry, records: [...others, record] };
}

/** Host groups expanded to machines, per (frozen) `hostGroups` object: the planner asks for every claim and record. */
const expansions = new WeakMap<object, Map<string, ReadonlySet<string>>>();

/**
 * The set of machines (`machineKey`s) a host or host group stands for. A group may name other
 * groups (expanded, depth first); a group met again on the way (a cycle, which
 * `validateRegistry` refuses) adds nothing more. An empty group stands for the name itself.
 * Spellings of one machine are one (`LOCALHOST`, `localhost.`, `127.0.0.1`: `machineKey`), and
 * `here` names this machine (its host name, its addresses) where the caller knows them.
 */
export function expandHost(registry: Pick<PortRegistry, "hostGroups">, host: string, here?: ReadonlySet<string>): ReadonlySet<string> {
  const groups = registry.hostGroups;
  const cacheKey = here === undefined || here.size === 0 ? host : `${host}\u0000${[...here].join("\u0000")}`;
  const cache = Object.isFrozen(groups) ? (expansions.get(groups) ?? new Map<string, ReadonlySet<string>>()) : undefined;
  if (cache && !expansions.has(groups)) expansions.set(groups, cache);
  const cached = cache?.get(cacheKey);
  if (cached) return cached;
  const machines = new Set<string>();
  collectMachines(groups, host, new Set(), machines, here);
  cache?.set(cacheKey, machines);
  return machines;
}

/** A group by its name as written, else by the name's machine key (`CI-Runners.` finds `ci-runners`). */
function groupMembers(groups: Readonly<Record<string, readonly string[]>>, name: string): readonly string[] | undefined {
  if (Object.hasOwn(groups, name)) return groups[name];
  const key = machineKey(name);
  for (const group of Object.keys(groups)) if (machineKey(group) === key) return groups[group];
  return undefined;
}

function collectMachines(groups: Readonly<Record<string, readonly string[]>>, name: string, seen: Set<string>, into: Set<string>, here: ReadonlySet<string> | undefined): void {
  const members = groupMembers(groups, name);
  if (!members || members.length === 0) {
    into.add(machineKey(name, here));
    return;
  }
  if (seen.has(name)) return;
  seen.add(name);
  for (const member of members) collectMachines(groups, member, seen, into, here);
}

/** Whether two host names (or groups, or `*`) share a machine; `here`: this machine's own names, where known. */
export function hostsShareMachine(registry: Pick<PortRegistry, "hostGroups">, a: string, b: string, here?: ReadonlySet<string>): boolean {
  if (a.trim() === "*" || b.trim() === "*") return true;
  const left = expandHost(registry, a, here);
  const right = expandHost(registry, b, here);
  if (left.has("*") || right.has("*")) return true; // a group that lists `*` stands for every host
  for (const machine of right) if (left.has(machine)) return true;
  return false;
}

/** Whether a claim applies to a stack deployed on `host`. */
export function claimApplies(registry: Pick<PortRegistry, "hostGroups">, claim: PortClaim, host: string, here?: ReadonlySet<string>): boolean {
  return claim.hosts.some((claimHost) => hostsShareMachine(registry, claimHost, host, here));
}

/** One port two records on a shared host both hold. */
export interface RecordOverlap {
  port: number;
  first: { stack: string; cluster: string; node: string; role: PortRole };
  second: { stack: string; cluster: string; node: string; role: PortRole };
}

/**
 * Ports that two records on a shared machine both hold (host groups expanded): what
 * `validateRegistry` refuses. Bucketed by port, so a large registry costs one pass.
 */
export function findRecordOverlaps(registry: PortRegistry): RecordOverlap[] {
  // First how often each port is recorded at all (most are once): only those recorded twice or more get entries.
  const counts = new Uint16Array(65_536);
  let repeated = false;
  for (const record of registry.records) {
    for (const node in record.nodes) {
      const ports = record.nodes[node] as RecordedPorts;
      for (const role in ports) {
        const port = ports[role as PortRole] as number;
        // A port outside 0-65535 (never in a validated registry) goes the long way, like a repeated one.
        if (!Number.isInteger(port) || port < 0 || port >= counts.length || ++counts[port]! > 1) repeated = true;
      }
    }
  }
  if (!repeated) return [];
  const byPort = new Map<number, { index: number; record: StackRecord; node: string; role: PortRole }[]>();
  let index = 0;
  for (const record of registry.records) {
    for (const [node, ports] of Object.entries(record.nodes)) {
      for (const [role, port] of Object.entries(ports) as [PortRole, number][]) {
        if (Number.isInteger(port) && counts[port] === 1) {
          index++;
          continue;
        }
        const bucket = byPort.get(port);
        const entry = { index: index++, record, node, role };
        if (bucket) bucket.push(entry);
        else byPort.set(port, [entry]);
      }
    }
  }
  const found: { order: [number, number]; overlap: RecordOverlap }[] = [];
  for (const [port, entries] of byPort) {
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        const a = entries[i]!;
        const b = entries[j]!;
        if (a.record === b.record || !hostsShareMachine(registry, a.record.host, b.record.host)) continue;
        found.push({
          order: [a.index, b.index],
          overlap: {
            port,
            first: { stack: a.record.stack, cluster: a.record.cluster, node: a.node, role: a.role },
            second: { stack: b.record.stack, cluster: b.record.cluster, node: b.node, role: b.role },
          },
        });
      }
    }
  }
  return found.sort((x, y) => x.order[0] - y.order[0] || x.order[1] - y.order[1]).map((entry) => entry.overlap);
}

/** Claims in the registry that overlap a range: for messages that explain what took the ports. */
export function claimsInRange(claims: readonly PortClaim[], range: PortRange): PortClaim[] {
  return claims.filter((claim) => rangesOverlap(claim.ports, range));
}
