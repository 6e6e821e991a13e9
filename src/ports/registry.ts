import { z } from "zod";
import { Document, isMap, isSeq, parse as parseYaml, visit } from "yaml";
import { ConfigError } from "../errors";
import { formatRange, rangesOverlap, toRange, type PortRange, type PortRole } from "./range";
import { readCanonicalRegistry } from "./registry-text";

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
 * `hostGroups` lets one claim or stack name several machines (`ci-runners: [ci-1, ci-2]`).
 */
export interface PortRegistry {
  hostGroups: Record<string, string[]>;
  claims: PortClaim[];
  records: StackRecord[];
}

export const EMPTY_REGISTRY: PortRegistry = { hostGroups: {}, claims: [], records: [] };

const portNumber = z.number().int().min(1).max(65535);
const rangeValue = z.union([portNumber, z.string(), z.strictObject({ from: portNumber, to: portNumber })]);
const recordedPorts = z.strictObject({
  public: portNumber.optional(),
  private: portNumber.optional(),
  metrics: portNumber.optional(),
  nodePort: portNumber.optional(),
});

const registryFile = z.strictObject({
  hostGroups: z.record(z.string(), z.array(z.string().min(1))).default({}),
  claims: z
    .array(
      z.strictObject({
        owner: z.string().min(1),
        ports: rangeValue,
        hosts: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).default("*"),
        note: z.string().optional(),
      }),
    )
    .default([]),
  records: z
    .array(
      z.strictObject({
        stack: z.string().min(1),
        cluster: z.string().min(1),
        host: z.string().min(1),
        nodes: z.record(z.string(), recordedPorts),
      }),
    )
    .default([]),
});

/** The registry file's data as its schema outputs it (defaults applied), before ranges are read. */
export type RegistryData = z.output<typeof registryFile>;

/**
 * Parses the registry file's text; `where` names the file in errors. A file in the layout
 * `formatRegistry` writes is read by a fast reader (`readCanonicalRegistry`); anything else,
 * and every error, goes through the YAML library and the schema. Both give the same data.
 */
export function parseRegistry(text: string, where = "stacks/ports.registry.yaml"): PortRegistry {
  return registryFromData(readCanonicalRegistry(text) ?? validateRegistryText(text, where), where);
}

/** The registry file read with the YAML library and validated by the schema: the reference reading. */
export function validateRegistryText(text: string, where: string): RegistryData {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError({ path: where, message: `is not valid YAML: ${(error as Error).message.split("\n")[0]}` });
  }
  const parsed = registryFile.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ path: `${where}: ${issue.path.join(".")}`, message: issue.message })),
      `invalid port registry ${where}`,
    );
  }
  return parsed.data;
}

function registryFromData(data: RegistryData, where: string): PortRegistry {
  const issues: { path: string; message: string }[] = [];
  const claims = data.claims.map((entry, index): PortClaim => {
    const ports = toRange(entry.ports);
    if (!ports || ports.from > ports.to || ports.from < 1 || ports.to > 65535) {
      issues.push({ path: `${where}: claims[${index}].ports`, message: `'${String(entry.ports)}' is not a port range such as 6379 or 9300-9400` });
    }
    return {
      owner: entry.owner,
      ports: ports ?? { from: 1, to: 0 },
      hosts: typeof entry.hosts === "string" ? [entry.hosts] : entry.hosts,
      source: "registry",
      ...(entry.note ? { note: entry.note } : {}),
    };
  });
  if (issues.length > 0) throw new ConfigError(issues, `invalid port registry ${where}`);
  return { hostGroups: data.hostGroups, claims, records: data.records.map((record) => ({ ...record, nodes: record.nodes as Record<string, RecordedPorts> })) };
}

/** The registry as reviewable YAML, in a stable order so that re-recording an unchanged stack changes nothing. */
export function formatRegistry(registry: PortRegistry): string {
  const records = [...registry.records].sort((a, b) => recordKey(a).localeCompare(recordKey(b)));
  const doc = {
    hostGroups: registry.hostGroups,
    claims: registry.claims.map((claim) => ({
      owner: claim.owner,
      ports: claim.ports.from === claim.ports.to ? claim.ports.from : formatRange(claim.ports),
      hosts: claim.hosts,
      ...(claim.note ? { note: claim.note } : {}),
    })),
    records: records.map((record) => ({
      stack: record.stack,
      cluster: record.cluster,
      host: record.host,
      nodes: Object.fromEntries(
        Object.keys(record.nodes)
          .sort(compareNodeKeys)
          .map((key) => [key, record.nodes[key]]),
      ),
    })),
  };
  const header =
    "# The port registry: who owns which port on which host. Reviewed in git like a lockfile.\n" +
    "# claims: ports other services or teams own. records: written by `fluvio-ports plan --stack <s> --record`.\n";
  const yaml = new Document(doc);
  // One line per node (`spu-5001: { public: 9010, private: 9111 }`) keeps review diffs to the node that changed.
  visit(yaml, {
    Pair(_, pair) {
      const key = String((pair.key as { value?: unknown } | null)?.value ?? "");
      if ((key === "sc" || /^spu-\d+$/.test(key) || key === "hosts") && (isMap(pair.value) || isSeq(pair.value))) pair.value.flow = true;
    },
  });
  return header + yaml.toString({ flowCollectionPadding: true });
}

function recordKey(record: Pick<StackRecord, "stack" | "cluster">): string {
  return `${record.stack}\u0000${record.cluster}`;
}

/** `sc` first, then SPUs by numeric id. */
export function compareNodeKeys(a: string, b: string): number {
  const rank = (key: string): number => (key === "sc" ? -1 : Number(key.replace(/^spu-/, "")));
  return rank(a) - rank(b) || a.localeCompare(b);
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

/** The set of machine names a host or host group stands for. */
export function expandHost(registry: Pick<PortRegistry, "hostGroups">, host: string): Set<string> {
  const members = registry.hostGroups[host];
  return new Set(members && members.length > 0 ? members : [host]);
}

/** Whether two host names (or groups, or `*`) share a machine. */
export function hostsShareMachine(registry: Pick<PortRegistry, "hostGroups">, a: string, b: string): boolean {
  if (a === "*" || b === "*") return true;
  const left = expandHost(registry, a);
  for (const machine of expandHost(registry, b)) if (left.has(machine)) return true;
  return false;
}

/** Whether a claim applies to a stack deployed on `host`. */
export function claimApplies(registry: Pick<PortRegistry, "hostGroups">, claim: PortClaim, host: string): boolean {
  return claim.hosts.some((claimHost) => hostsShareMachine(registry, claimHost, host));
}

/** One port two records on a shared host both hold. */
export interface RecordOverlap {
  port: number;
  first: { stack: string; cluster: string; node: string; role: PortRole };
  second: { stack: string; cluster: string; node: string; role: PortRole };
}

/** Ports that two recorded stacks sharing a host both hold: what `fluvio-ports check` reports. */
export function findRecordOverlaps(registry: PortRegistry): RecordOverlap[] {
  const overlaps: RecordOverlap[] = [];
  const flat = registry.records.flatMap((record) =>
    Object.entries(record.nodes).flatMap(([node, ports]) =>
      (Object.entries(ports) as [PortRole, number][]).map(([role, port]) => ({ record, node, role, port })),
    ),
  );
  for (let i = 0; i < flat.length; i++) {
    for (let j = i + 1; j < flat.length; j++) {
      const a = flat[i]!;
      const b = flat[j]!;
      if (a.port !== b.port || a.record === b.record) continue;
      if (!hostsShareMachine(registry, a.record.host, b.record.host)) continue;
      overlaps.push({
        port: a.port,
        first: { stack: a.record.stack, cluster: a.record.cluster, node: a.node, role: a.role },
        second: { stack: b.record.stack, cluster: b.record.cluster, node: b.node, role: b.role },
      });
    }
  }
  return overlaps;
}

/** Claims in the registry that overlap a range: for messages that explain what took the ports. */
export function claimsInRange(claims: readonly PortClaim[], range: PortRange): PortClaim[] {
  return claims.filter((claim) => rangesOverlap(claim.ports, range));
}
