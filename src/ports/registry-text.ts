/**
 * A fast reader for the port registry in the layout `formatRegistry` writes (and people keep
 * when they edit it by hand): a YAML library and a schema validator cost some 200 ms on a
 * registry of 1,000 records and claims, on every command. This reader accepts only that
 * layout, line by line, with scalars it can read without doubt (plain words, whole numbers,
 * quotes without escapes), and only values the schema accepts; it gives up (undefined) on
 * anything else, and `parseRegistry` then reads the file with the YAML library and the schema
 * as before, which also words every error. Where it answers, it answers what they would, key
 * order included: a property test holds it to that.
 */
import type { RegistryData } from "./registry-data";

type Scalar = string | number;
type ClaimData = RegistryData["claims"][number];
type RecordData = RegistryData["records"][number];
type NodePorts = RecordData["nodes"][string];

/** Why the fast path gives up; never seen by users (the full parser takes over). */
class GiveUp extends Error {}

function giveUp(): never {
  throw new GiveUp();
}

const ROLE_KEYS = ["public", "private", "metrics", "nodePort"] as const;
const CLAIM_KEYS = new Set(["owner", "ports", "hosts", "note"]);
const RECORD_KEYS = new Set(["stack", "cluster", "host", "nodes"]);
/** Plain scalars YAML 1.2's core schema reads as null or booleans, not strings. */
const NOT_STRINGS = new Set(["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"]);
/** Keys that would not become plain own properties. */
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*$/;
const PLAIN_RANGE = /^[0-9]+-[0-9]+$/;
const INTEGER = /^(?:0|[1-9][0-9]{0,8})$/;
const DOUBLE_QUOTED = /^"([ !#-[\]-~]*)"$/;
const SINGLE_QUOTED = /^'([ -&(-~]*)'$/;

/** One scalar, as YAML's core schema reads it; gives up on anything it is not sure of. */
function scalar(text: string): Scalar {
  if (INTEGER.test(text)) return Number(text);
  if (PLAIN_RANGE.test(text)) return text;
  if (PLAIN.test(text) && !NOT_STRINGS.has(text)) return text;
  const quoted = DOUBLE_QUOTED.exec(text) ?? SINGLE_QUOTED.exec(text);
  if (quoted) return quoted[1] as string;
  return giveUp();
}

function key(text: string): string {
  const value = scalar(text);
  if (typeof value !== "string" || UNSAFE_KEYS.has(value)) giveUp();
  return value;
}

/** The items of a one-line flow collection's inside (`a, "b"` or `public: 1, private: 2`), split at the commas between scalars. */
function flowItems(inside: string): string[] {
  const items: string[] = [];
  let index = 0;
  while (index < inside.length) {
    while (inside[index] === " ") index++;
    let end = index;
    while (end < inside.length && inside[end] !== ",") {
      if (inside[end] === '"' || inside[end] === "'") {
        const close = inside.indexOf(inside[end] as string, end + 1);
        if (close < 0) giveUp();
        end = close;
      }
      end++;
    }
    const item = inside.slice(index, end).trim();
    if (item === "") giveUp();
    items.push(item);
    index = end + 1;
    if (end < inside.length && index >= inside.length) giveUp(); // a trailing comma
  }
  return items;
}

/** `[]`, `[ a, b ]`: the scalars; undefined when the text is not a one-line flow sequence. */
function flowSequence(text: string): Scalar[] | undefined {
  if (!text.startsWith("[") || !text.endsWith("]")) return undefined;
  return flowItems(text.slice(1, -1)).map(scalar);
}

/** `{}`, `{ public: 9010, private: 9111 }`: the pairs in order; undefined when the text is not a one-line flow map. */
function flowMap(text: string): [string, Scalar][] | undefined {
  if (!text.startsWith("{") || !text.endsWith("}")) return undefined;
  return flowItems(text.slice(1, -1)).map((item) => {
    const colon = item.indexOf(": ");
    if (colon < 0) giveUp();
    return [key(item.slice(0, colon)), scalar(item.slice(colon + 2).trim())];
  });
}

/**
 * The significant lines: each one's indent and its text after the indent, in two parallel
 * arrays (a registry of 1,000 records and claims has some 12,000 lines: no object per line).
 * Tabs, trailing spaces and stray characters make the fast path give up.
 */
interface Lines {
  indent: number[];
  text: string[];
}

function significantLines(text: string): Lines {
  if (/[\t\r\uFEFF]/.test(text)) giveUp();
  const lines: Lines = { indent: [], text: [] };
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf("\n", start);
    const end = newline < 0 ? text.length : newline;
    let first = start;
    while (first < end && text.charCodeAt(first) === 0x20) first++;
    if (first < end && text.charCodeAt(first) !== 0x23) {
      // not blank, not a comment line
      if (!visible(text.charCodeAt(first)) || !visible(text.charCodeAt(end - 1))) giveUp();
      lines.indent.push(first - start);
      lines.text.push(text.slice(first, end));
    }
    start = end + 1;
  }
  return lines;
}

/** Printable ASCII other than a space: a character that is certainly not whitespace (others make the fast path give up at line ends). */
function visible(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

/** `key: value` or `key:`; the value is undefined for the second. */
function pair(text: string): [string, string | undefined] {
  if (text.endsWith(":")) return [key(text.slice(0, -1)), undefined];
  const colon = text.indexOf(": ");
  if (colon < 0) giveUp();
  return [key(text.slice(0, colon)), text.slice(colon + 2)];
}

/** A value on the same line: a flow sequence, or a scalar (flow maps only where `nodes` expects them). */
function inlineValue(text: string): Scalar | Scalar[] {
  return flowSequence(text) ?? scalar(text);
}

function isPort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/** A node's ports as the schema outputs them: roles in the schema's order, each a valid port. */
function nodePorts(pairs: [string, Scalar][]): NodePorts {
  const given: Partial<Record<(typeof ROLE_KEYS)[number], number>> = {};
  for (const [role, value] of pairs) {
    if ((role !== "public" && role !== "private" && role !== "metrics" && role !== "nodePort") || given[role] !== undefined || !isPort(value)) giveUp();
    given[role] = value;
  }
  const ports: NodePorts = {};
  for (const role of ROLE_KEYS) {
    const value = given[role];
    if (value !== undefined) ports[role] = value;
  }
  return ports;
}

const ROLE = "(public|private|metrics|nodePort): ([1-9][0-9]{0,4})";
/** A node line as `formatRegistry` writes it: `spu-5001: { public: 9010, private: 9111 }` (up to four roles); other spellings take the general path. */
const NODE_LINE = new RegExp(`^([A-Za-z_][A-Za-z0-9_./-]*): \\{ ${ROLE}(?:, ${ROLE})?(?:, ${ROLE})?(?:, ${ROLE})? \\}$`);

/** A node line's ports straight from its match (role, port; up to four times), as `nodePorts` gives them: roles in the schema's order, each once. */
function matchedPorts(match: RegExpExecArray): NodePorts {
  const given: (number | undefined)[] = [undefined, undefined, undefined, undefined];
  for (let group = 2; group < 10 && match[group] !== undefined; group += 2) {
    const role = ROLE_KEYS.indexOf(match[group] as (typeof ROLE_KEYS)[number]);
    const port = Number(match[group + 1]);
    if (given[role] !== undefined || port > 65535) giveUp();
    given[role] = port;
  }
  const ports: NodePorts = {};
  if (given[0] !== undefined) ports.public = given[0];
  if (given[1] !== undefined) ports.private = given[1];
  if (given[2] !== undefined) ports.metrics = given[2];
  if (given[3] !== undefined) ports.nodePort = given[3];
  return ports;
}

/** One node line: its key and ports. */
function nodeLine(text: string): [string, NodePorts] {
  const match = NODE_LINE.exec(text);
  if (match && !NOT_STRINGS.has(match[1] as string) && !UNSAFE_KEYS.has(match[1] as string)) return [match[1] as string, matchedPorts(match)];
  const [name, ports] = pair(text);
  if (ports === undefined) giveUp();
  return [name, nodePorts(flowMap(ports) ?? giveUp())];
}

/** Reads `lines[start]` and the lines under it (before `end`) as one list item's `key: value` pairs (indent: the item's keys). */
function itemPairs(lines: Lines, start: number, end: number, indent: number): { pairs: [string, string | undefined, number][]; next: number } {
  const pairs: [string, string | undefined, number][] = [];
  const [firstKey, firstValue] = pair((lines.text[start] as string).slice(2));
  pairs.push([firstKey, firstValue, start]);
  let index = start + 1;
  while (index < end) {
    const lineIndent = lines.indent[index] as number;
    if (lineIndent < indent) break;
    if (lineIndent === indent) {
      const [name, value] = pair(lines.text[index] as string);
      pairs.push([name, value, index]);
      index++;
      continue;
    }
    // Deeper lines belong to the pair before (only `nodes:` has any).
    index++;
  }
  return { pairs, next: index };
}

function readHostGroups(lines: Lines, start: number, end: number): RegistryData["hostGroups"] {
  const groups: RegistryData["hostGroups"] = {};
  let index = start;
  while (index < end) {
    if (lines.indent[index] !== 2) giveUp();
    const [name, value] = pair(lines.text[index] as string);
    if (Object.hasOwn(groups, name)) giveUp();
    index++;
    let members: Scalar[];
    if (value === undefined) {
      members = [];
      while (index < end && lines.indent[index] === 4 && (lines.text[index] as string).startsWith("- ")) {
        members.push(scalar((lines.text[index] as string).slice(2)));
        index++;
      }
      if (members.length === 0) giveUp();
    } else {
      members = flowSequence(value) ?? giveUp();
    }
    if (!members.every(nonEmptyString)) giveUp();
    groups[name] = members as string[];
  }
  return groups;
}

/** One list item read: its value, and the line after it. */
type ItemRead<T> = { item: T; next: number };

/**
 * The items of a list section (`claims:`, `records:`), each at indent 2 after `- `: read in the
 * layout `formatRegistry` writes where it is (`canonical`), else the general way.
 */
function readItems<T>(lines: Lines, start: number, end: number, canonical: (lines: Lines, index: number, end: number) => ItemRead<T> | undefined, general: (lines: Lines, index: number, end: number) => ItemRead<T>): T[] {
  const items: T[] = [];
  let index = start;
  while (index < end) {
    if (lines.indent[index] !== 2 || !(lines.text[index] as string).startsWith("- ")) giveUp();
    const read = canonical(lines, index, end) ?? general(lines, index, end);
    items.push(read.item);
    index = read.next;
  }
  return items;
}

/** A claim spelt any way the reader knows: its `key: value` lines, each once, no nested lines. */
function generalClaim(lines: Lines, index: number, end: number): ItemRead<ClaimData> {
  const { pairs, next } = itemPairs(lines, index, end, 4);
  if (next !== index + pairs.length) giveUp(); // no nested lines in a claim
  const values = new Map<string, Scalar | Scalar[]>();
  for (const [name, value] of pairs) {
    if (!CLAIM_KEYS.has(name) || values.has(name) || value === undefined) giveUp();
    values.set(name, inlineValue(value));
  }
  return { item: claimOf(values.get("owner"), values.get("ports"), values.has("hosts") ? values.get("hosts") : "*", values.get("note")), next };
}

/** A claim as `formatRegistry` writes it: `- owner:`, `ports:`, `hosts:` and maybe `note:`; undefined when it is spelt otherwise. */
function canonicalClaim(lines: Lines, index: number, end: number): ItemRead<ClaimData> | undefined {
  if (index + 2 >= end) return undefined;
  const [ownerLine, portsLine, hostsLine] = lines.text.slice(index, index + 3) as [string, string, string];
  if (!ownerLine.startsWith("- owner: ") || lines.indent[index + 1] !== 4 || lines.indent[index + 2] !== 4) return undefined;
  if (!portsLine.startsWith("ports: ") || !hostsLine.startsWith("hosts: ")) return undefined;
  const noted = index + 3 < end && lines.indent[index + 3] === 4;
  const noteLine = noted ? (lines.text[index + 3] as string) : undefined;
  if (noteLine !== undefined && !noteLine.startsWith("note: ")) return undefined;
  const next = index + (noted ? 4 : 3);
  if (next < end && (lines.indent[next] as number) > 2) return undefined;
  const owner = inlineValue(ownerLine.slice(9));
  const ports = inlineValue(portsLine.slice(7));
  const hosts = inlineValue(hostsLine.slice(7));
  const note = noteLine === undefined ? undefined : inlineValue(noteLine.slice(6));
  return { item: claimOf(owner, ports, hosts, note), next };
}

/** A claim's values as the schema outputs them (`hosts` defaults to every host); gives up on a value it would refuse. */
function claimOf(owner: Scalar | Scalar[] | undefined, ports: Scalar | Scalar[] | undefined, hosts: Scalar | Scalar[] | undefined, note: Scalar | Scalar[] | undefined): ClaimData {
  if (!nonEmptyString(owner)) giveUp();
  if (!(isPort(ports) || typeof ports === "string")) giveUp();
  if (!(nonEmptyString(hosts) || (Array.isArray(hosts) && hosts.length > 0 && hosts.every(nonEmptyString)))) giveUp();
  if (note !== undefined && typeof note !== "string") giveUp();
  return { owner, ports, hosts: hosts as string | string[], ...(note !== undefined ? { note } : {}) };
}

/** A record as `formatRegistry` writes it: `- stack:`, `cluster:`, `host:`, `nodes:` and its node lines; undefined when it is spelt otherwise. */
function canonicalRecord(lines: Lines, index: number, end: number): ItemRead<RecordData> | undefined {
  if (index + 3 >= end) return undefined;
  const [stackLine, clusterLine, hostLine, nodesLine] = lines.text.slice(index, index + 4) as [string, string, string, string];
  if (!stackLine.startsWith("- stack: ") || lines.indent[index + 1] !== 4 || lines.indent[index + 2] !== 4 || lines.indent[index + 3] !== 4) return undefined;
  if (!clusterLine.startsWith("cluster: ") || !hostLine.startsWith("host: ") || (nodesLine !== "nodes:" && nodesLine !== "nodes: {}")) return undefined;
  let next = index + 4;
  while (next < end && (lines.indent[next] as number) > 4) next++;
  const stack = scalar(stackLine.slice(9));
  const cluster = scalar(clusterLine.slice(9));
  const host = scalar(hostLine.slice(6));
  if (!nonEmptyString(stack) || !nonEmptyString(cluster) || !nonEmptyString(host)) giveUp();
  const nodes = readNodes(lines, nodesLine === "nodes:" ? undefined : "{}", index + 4, next);
  return { item: { stack, cluster, host, nodes }, next };
}

/** A record spelt any way the reader knows: `stack`, `cluster`, `host` once each on one line, `nodes` with its node lines. */
function generalRecord(lines: Lines, index: number, end: number): ItemRead<RecordData> {
  const { pairs, next } = itemPairs(lines, index, end, 4);
  const values = new Map<string, Scalar>();
  let nodes: RecordData["nodes"] | undefined;
  for (const [name, value, at] of pairs) {
    if (!RECORD_KEYS.has(name) || values.has(name) || (name === "nodes" && nodes !== undefined)) giveUp();
    if (name === "nodes") {
      nodes = readNodes(lines, value, at + 1, nextPairLine(pairs, at, next));
      continue;
    }
    const following = nextPairLine(pairs, at, next);
    if (value === undefined || following !== at + 1) giveUp();
    values.set(name, scalar(value));
  }
  const stack = values.get("stack");
  const cluster = values.get("cluster");
  const host = values.get("host");
  if (!nonEmptyString(stack) || !nonEmptyString(cluster) || !nonEmptyString(host) || nodes === undefined) giveUp();
  return { item: { stack, cluster, host, nodes }, next };
}

/** The line after a pair's own lines: the next pair's line, or the end of the item. */
function nextPairLine(pairs: readonly [string, string | undefined, number][], at: number, end: number): number {
  const later = pairs.find((entry) => entry[2] > at);
  return later ? later[2] : end;
}

/** `nodes: {}` or `nodes:` followed by `      sc: { public: 9002, private: 9103 }` lines. */
function readNodes(lines: Lines, value: string | undefined, start: number, end: number): RecordData["nodes"] {
  const nodes: RecordData["nodes"] = {};
  if (value !== undefined) {
    const pairs = flowMap(value);
    if (pairs === undefined || pairs.length > 0 || start !== end) giveUp();
    return nodes;
  }
  if (start === end) giveUp(); // `nodes:` with nothing under it is null
  for (let index = start; index < end; index++) {
    if (lines.indent[index] !== 6) giveUp();
    const [name, ports] = nodeLine(lines.text[index] as string);
    if (Object.hasOwn(nodes, name)) giveUp();
    nodes[name] = ports;
  }
  return nodes;
}

/**
 * The registry file's data as the schema would output it, when the text is in the layout
 * this reader knows and every value is valid; undefined otherwise (read it the slow way).
 */
export function readCanonicalRegistry(text: string): RegistryData | undefined {
  try {
    return read(text);
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
}

function read(text: string): RegistryData {
  const lines = significantLines(text);
  const sections = new Map<string, { value: string | undefined; start: number; end: number }>();
  let index = 0;
  const count = lines.text.length;
  while (index < count) {
    if (lines.indent[index] !== 0) giveUp();
    const [name, value] = pair(lines.text[index] as string);
    if (sections.has(name)) giveUp();
    let end = index + 1;
    while (end < count && (lines.indent[end] as number) > 0) end++;
    sections.set(name, { value, start: index + 1, end });
    index = end;
  }
  const data: RegistryData = { hostGroups: {}, claims: [], records: [] };
  for (const [name, section] of sections) {
    const empty = section.start === section.end;
    if (section.value !== undefined && !empty) giveUp();
    if (name === "hostGroups") {
      if (section.value !== undefined && section.value !== "{}") giveUp();
      if (section.value === undefined && empty) giveUp();
      data.hostGroups = readHostGroups(lines, section.start, section.end);
    } else if (name === "claims" || name === "records") {
      if (section.value !== undefined && section.value !== "[]") giveUp();
      if (section.value === undefined && empty) giveUp();
      if (name === "claims") data.claims = readItems(lines, section.start, section.end, canonicalClaim, generalClaim);
      else data.records = readItems(lines, section.start, section.end, canonicalRecord, generalRecord);
    } else {
      giveUp();
    }
  }
  return data;
}
