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
import type { RegistryData } from "./registry";

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

/** One line: its indent and its text; tabs, trailing spaces and stray characters make the fast path give up. */
interface Line {
  indent: number;
  text: string;
}

function significantLines(text: string): Line[] {
  if (/[\t\r\uFEFF]/.test(text)) giveUp();
  const lines: Line[] = [];
  for (const raw of text.split("\n")) {
    let indent = 0;
    while (raw.charCodeAt(indent) === 0x20) indent++;
    if (indent === raw.length || raw[indent] === "#") continue; // blank or a comment line
    if (/\s/.test(raw[indent] as string) || /\s$/.test(raw)) giveUp();
    lines.push({ indent, text: raw.slice(indent) });
  }
  return lines;
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
  const given = new Map<string, Scalar>();
  for (const [role, value] of pairs) {
    if (given.has(role) || !(ROLE_KEYS as readonly string[]).includes(role) || !isPort(value)) giveUp();
    given.set(role, value);
  }
  const ports: NodePorts = {};
  for (const role of ROLE_KEYS) {
    const value = given.get(role);
    if (value !== undefined) ports[role] = value as number;
  }
  return ports;
}

/** Reads `lines[start]` and the lines under it (before `end`) as one list item's `key: value` pairs (indent: the item's keys). */
function itemPairs(lines: readonly Line[], start: number, end: number, indent: number): { pairs: [string, string | undefined, number][]; next: number } {
  const first = lines[start] as Line;
  const pairs: [string, string | undefined, number][] = [];
  const [firstKey, firstValue] = pair(first.text.slice(2));
  pairs.push([firstKey, firstValue, start]);
  let index = start + 1;
  while (index < end) {
    const line = lines[index] as Line;
    if (line.indent < indent) break;
    if (line.indent === indent) {
      const [name, value] = pair(line.text);
      pairs.push([name, value, index]);
      index++;
      continue;
    }
    // Deeper lines belong to the pair before (only `nodes:` has any).
    index++;
  }
  return { pairs, next: index };
}

function readHostGroups(lines: readonly Line[], start: number, end: number): RegistryData["hostGroups"] {
  const groups: RegistryData["hostGroups"] = {};
  let index = start;
  while (index < end) {
    const line = lines[index] as Line;
    if (line.indent !== 2) giveUp();
    const [name, value] = pair(line.text);
    if (Object.hasOwn(groups, name)) giveUp();
    index++;
    let members: Scalar[];
    if (value === undefined) {
      members = [];
      while (index < end && (lines[index] as Line).indent === 4 && (lines[index] as Line).text.startsWith("- ")) {
        members.push(scalar((lines[index] as Line).text.slice(2)));
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

function readClaims(lines: readonly Line[], start: number, end: number): ClaimData[] {
  const claims: ClaimData[] = [];
  let index = start;
  while (index < end) {
    const line = lines[index] as Line;
    if (line.indent !== 2 || !line.text.startsWith("- ")) giveUp();
    const { pairs, next } = itemPairs(lines, index, end, 4);
    if (next !== index + pairs.length) giveUp(); // no nested lines in a claim
    const values = new Map<string, Scalar | Scalar[]>();
    for (const [name, value] of pairs) {
      if (!CLAIM_KEYS.has(name) || values.has(name) || value === undefined) giveUp();
      values.set(name, inlineValue(value));
    }
    const owner = values.get("owner");
    const ports = values.get("ports");
    const hosts = values.has("hosts") ? values.get("hosts") : "*";
    const note = values.get("note");
    if (!nonEmptyString(owner)) giveUp();
    if (!(isPort(ports) || typeof ports === "string")) giveUp();
    if (!(nonEmptyString(hosts) || (Array.isArray(hosts) && hosts.length > 0 && hosts.every(nonEmptyString)))) giveUp();
    if (note !== undefined && typeof note !== "string") giveUp();
    claims.push({ owner, ports, hosts: hosts as string | string[], ...(note !== undefined ? { note } : {}) });
    index = next;
  }
  return claims;
}

function readRecords(lines: readonly Line[], start: number, end: number): RecordData[] {
  const records: RecordData[] = [];
  let index = start;
  while (index < end) {
    const line = lines[index] as Line;
    if (line.indent !== 2 || !line.text.startsWith("- ")) giveUp();
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
    records.push({ stack, cluster, host, nodes });
    index = next;
  }
  return records;
}

/** The line after a pair's own lines: the next pair's line, or the end of the item. */
function nextPairLine(pairs: readonly [string, string | undefined, number][], at: number, end: number): number {
  const later = pairs.find((entry) => entry[2] > at);
  return later ? later[2] : end;
}

/** `nodes: {}` or `nodes:` followed by `      sc: { public: 9002, private: 9103 }` lines. */
function readNodes(lines: readonly Line[], value: string | undefined, start: number, end: number): RecordData["nodes"] {
  const nodes: RecordData["nodes"] = {};
  if (value !== undefined) {
    const pairs = flowMap(value);
    if (pairs === undefined || pairs.length > 0 || start !== end) giveUp();
    return nodes;
  }
  if (start === end) giveUp(); // `nodes:` with nothing under it is null
  for (let index = start; index < end; index++) {
    const line = lines[index] as Line;
    if (line.indent !== 6) giveUp();
    const [name, ports] = pair(line.text);
    if (ports === undefined || Object.hasOwn(nodes, name)) giveUp();
    nodes[name] = nodePorts(flowMap(ports) ?? giveUp());
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
  while (index < lines.length) {
    const line = lines[index] as Line;
    if (line.indent !== 0) giveUp();
    const [name, value] = pair(line.text);
    if (sections.has(name)) giveUp();
    let end = index + 1;
    while (end < lines.length && (lines[end] as Line).indent > 0) end++;
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
      if (name === "claims") data.claims = readClaims(lines, section.start, section.end);
      else data.records = readRecords(lines, section.start, section.end);
    } else {
      giveUp();
    }
  }
  return data;
}
