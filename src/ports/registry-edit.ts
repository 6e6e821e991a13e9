/**
 * `--record` edits the registry a team reviews in git, so it edits the text, not a copy of the
 * data: it finds the stack's record (or where a new one belongs) through the YAML document's
 * source ranges and splices in only what changed. Every other byte — comments, blank lines,
 * the order and style of other entries and claims — stays as written. Pure: text in, text out.
 */
import { isMap, isScalar, isSeq, parse as parseYaml, parseDocument, visit, type Document, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { PORT_ROLES, type PortRole } from "./range";
import { readCanonicalRegistry } from "./registry-text";
import {
  compareNodeKeys,
  compareRecords,
  EMPTY_REGISTRY,
  formatRegistry,
  nodeKeys,
  nodeLine,
  parseRegistry,
  portsFlow,
  recordBlock,
  scalarText,
  validateRegistry,
  withRecord,
  type PortRegistry,
  type RecordedPorts,
  type StackRecord,
} from "./registry";

/** One replacement of `text.slice(start, end)`. */
interface Splice {
  start: number;
  end: number;
  text: string;
}

/**
 * The registry text with `record` written: the stack's record replaced (only the lines that
 * differ), or a new record inserted where code-unit order puts it. Text that already holds the
 * record comes back unchanged; an empty or missing file becomes a fresh registry. A file with
 * Windows line ends (CRLF) gets CRLF in the lines written. `text` must
 * be a valid registry (`parseRegistry`); the result is checked to hold exactly the old registry
 * with the record written, or it falls back to a document-level edit that still keeps comments.
 */
export function writeRecordText(text: string | undefined, record: StackRecord): string {
  if (text === undefined || text.trim() === "") return formatRegistry(withRecord(EMPTY_REGISTRY, record));
  return canonicalRecordText(text, record) ?? writeRecordTextGeneral(text, record);
}

/**
 * `writeRecordText` the general way, for a registry in any layout: the YAML library's document
 * finds what to splice, and the result is parsed and compared with the expected registry. Seconds
 * for a registry of 2,000 records; what every edit did before the splice of `canonicalRecordText`.
 */
export function writeRecordTextGeneral(text: string, record: StackRecord): string {
  if (bareNull(text)) {
    // A bare `null` or `~` (and comments): the comments stay on top of a fresh registry.
    const comments = text.split(/\r?\n/).filter((line) => /^\s*#/.test(line));
    return [...comments, formatRegistry(withRecord(EMPTY_REGISTRY, record))].join("\n");
  }
  const before = validateRegistry(parseYaml(text) ?? {}, "registry");
  const expected = validateRegistry(withRecord(before, record), "registry");
  const crlf = text.includes("\r\n");
  const splices = recordSplices(text, record).map((splice) => (crlf ? { ...splice, text: splice.text.replace(/\r?\n/g, "\r\n") } : splice));
  const spliced = applySplices(text, splices);
  if (sameRegistry(spliced, expected)) return spliced;
  const edited = documentEdit(text, record);
  if (sameRegistry(edited, expected)) return edited;
  throw new Error(`fluvio-ports: could not write the record of stack ${record.stack} into the registry without changing other entries (a bug: please report it with the registry file)`);
}

/**
 * `writeRecordText` for a registry in the layout `formatRegistry` writes (what `--record` keeps
 * it in): the record's lines found by a scan of the lines, its block replaced or a new block
 * inserted in code-unit order, and the result read back by the fast reader and checked to be
 * exactly the old registry with the record written. A YAML library needs seconds to parse a
 * registry of 2,000 records, three times per edit; this needs milliseconds. Undefined (the
 * general way) when the text is in any other layout, or a comment sits inside a record it
 * would rewrite.
 */
function canonicalRecordText(text: string, record: StackRecord): string | undefined {
  const before = readCanonicalRegistry(text);
  if (before === undefined) return undefined;
  const lines = text.split("\n");
  const top = lines.findIndex((line) => /^records:/.test(line));
  // The records as they must read afterwards, in file order: the record replaced where it was, or inserted in code-unit order.
  const at = before.records.findIndex((entry) => entry.stack === record.stack && entry.cluster === record.cluster);
  const next = before.records.findIndex((entry) => compareRecords(entry, record) > 0);
  const expected: StackRecord[] = [...before.records] as StackRecord[];
  if (at >= 0) expected[at] = record;
  else expected.splice(next < 0 ? expected.length : next, 0, record);
  let result: string;
  if (top < 0) {
    result = `${text}${text.endsWith("\n") ? "" : "\n"}records:\n${recordBlock(record)}`;
  } else if (lines[top] === "records: []") {
    result = [...lines.slice(0, top), `records:\n${recordBlock(record).replace(/\n$/, "")}`, ...lines.slice(top + 1)].join("\n");
  } else if (lines[top] === "records:") {
    let end = top + 1;
    while (end < lines.length && (lines[end] === "" || /^[ #]/.test(lines[end] as string))) end++;
    const starts: number[] = [];
    for (let index = top + 1; index < end; index++) if ((lines[index] as string).startsWith("  - ")) starts.push(index);
    if (starts.length !== before.records.length) return undefined;
    /** The last line of an item that is not blank or a comment (its comments below belong to what follows). */
    const lastLine = (item: number): number => {
      let last = (starts[item + 1] ?? end) - 1;
      while (last > starts[item]! && ((lines[last] as string).trim() === "" || (lines[last] as string).trimStart().startsWith("#"))) last--;
      return last;
    };
    const block = recordBlock(record).replace(/\n$/, "").split("\n");
    if (at >= 0) {
      const old = lines.slice(starts[at], lastLine(at) + 1);
      if (old.some((line) => line.includes("#"))) return undefined;
      if (old.join("\n") !== recordBlock(before.records[at] as StackRecord).replace(/\n$/, "")) return undefined;
      if (old.join("\n") === block.join("\n")) return text;
      result = [...lines.slice(0, starts[at]), ...block, ...lines.slice(lastLine(at) + 1)].join("\n");
    } else {
      let insertAt: number;
      if (next >= 0) {
        insertAt = starts[next] as number;
        while (insertAt - 1 > top && (lines[insertAt - 1] as string).startsWith("  #")) insertAt--; // comments above an item are its own
      } else {
        insertAt = before.records.length === 0 ? top + 1 : lastLine(before.records.length - 1) + 1;
      }
      result = [...lines.slice(0, insertAt), ...block, ...lines.slice(insertAt)].join("\n");
    }
  } else {
    return undefined;
  }
  const after = readCanonicalRegistry(result);
  if (after === undefined || after.records.length !== expected.length) return undefined;
  if (!after.records.every((entry, index) => sameRecord(entry, expected[index] as StackRecord))) return undefined;
  if (JSON.stringify([after.hostGroups, after.claims]) !== JSON.stringify([before.hostGroups, before.claims])) return undefined;
  parseRegistry(result, "registry"); // the registry written must be valid: no stack twice, no port twice on a shared host
  return result;
}

/** Whether two records say the same: stack, cluster, host and every node's ports. */
function sameRecord(a: Pick<StackRecord, "stack" | "cluster" | "host" | "nodes">, b: StackRecord): boolean {
  if (a.stack !== b.stack || a.cluster !== b.cluster || a.host !== b.host) return false;
  const keys = Object.keys(a.nodes);
  if (keys.length !== Object.keys(b.nodes).length) return false;
  return keys.every((key) => {
    const left = a.nodes[key] as RecordedPorts;
    const right = b.nodes[key];
    return right !== undefined && PORT_ROLES.every((role) => left[role] === right[role]);
  });
}

/**
 * The registry text without `records` (matched by stack and cluster): each one's lines are cut
 * out of a block list, its comments left behind on lines of their own; other layouts fall back
 * to a document-level edit that still keeps comments. Everything else stays byte for byte.
 */
export function removeRecordsText(text: string, records: readonly Pick<StackRecord, "stack" | "cluster">[]): string {
  if (records.length === 0) return text;
  const before = validateRegistry(parseYaml(text) ?? {}, "registry");
  const gone = new Set(records.map((record) => `${record.stack}\u0000${record.cluster}`));
  const expected = validateRegistry({ ...before, records: before.records.filter((record) => !gone.has(`${record.stack}\u0000${record.cluster}`)) }, "registry");
  const doc = parseDocument(text);
  const seq = doc.get("records", true);
  const splices: Splice[] = [];
  if (isSeq(seq) && !seq.flow) {
    for (const item of seq.items) {
      if (!isMap(item) || !gone.has(`${String(item.get("stack"))}\u0000${String(item.get("cluster"))}`)) continue;
      const start = lineStart(text, dashOffset(text, rangeOf(item)[0]));
      const end = lineEnd(text, trimEnd(text, rangeOf(item)[1]));
      splices.push({ start, end, text: commentLines(text.slice(start, end), dashColumn(text, rangeOf(item)[0])) });
    }
  }
  const spliced = applySplices(text, splices);
  if (sameRegistry(spliced, expected)) return spliced;
  const fallback = parseDocument(text);
  const list = fallback.get("records", true);
  if (isSeq(list)) list.items = list.items.filter((item) => !(isMap(item) && gone.has(`${String(item.get("stack"))}\u0000${String(item.get("cluster"))}`)));
  const edited = fallback.toString();
  if (sameRegistry(edited, expected)) return edited;
  throw new Error("fluvio-ports: could not remove records from the registry without changing other entries (a bug: please report it with the registry file)");
}

/**
 * The anchors (`&name`) and aliases (`*name`) a registry text uses, as `&name`/`*name`: an edit
 * of the text cannot keep what an alias shares (replacing a record that holds an anchor would
 * strand its aliases), so `--record` and `prune` refuse such a file. Cheap when there are none.
 */
export function yamlAnchorsIn(text: string): string[] {
  if (!/(?:^|[\s[{,:-])[&*][^\s,[\]{}]/m.test(text)) return [];
  const found = new Set<string>();
  visit(parseDocument(text), {
    Alias(_, node) {
      found.add(`*${node.source}`);
    },
    Node(_, node) {
      if (node.anchor) found.add(`&${node.anchor}`);
    },
  });
  return [...found];
}

/** The record as one flow map, for a registry written in flow style. */
function recordFlow(record: StackRecord): string {
  const nodes = nodeKeys(record).map((node) => nodeLine(node, record.nodes[node]!));
  return `{ stack: ${scalarText(record.stack)}, cluster: ${scalarText(record.cluster)}, host: ${scalarText(record.host)}, nodes: { ${nodes.join(", ")} } }`;
}

function sameRegistry(text: string, expected: PortRegistry): boolean {
  let actual: PortRegistry;
  try {
    actual = validateRegistry(parseYaml(text) ?? {}, "registry");
  } catch {
    return false;
  }
  const canonical = (registry: PortRegistry): string =>
    JSON.stringify({
      hostGroups: registry.hostGroups,
      claims: registry.claims,
      records: [...registry.records].sort(compareRecords).map((record) => ({ ...record, nodes: canonicalNodes(record.nodes) })),
    });
  return canonical(actual) === canonical(expected);
}

function canonicalNodes(nodes: Record<string, RecordedPorts>): [string, [PortRole, number | undefined][]][] {
  return Object.keys(nodes)
    .sort(compareNodeKeys)
    .map((node) => [node, PORT_ROLES.filter((role) => nodes[node]![role] !== undefined).map((role) => [role, nodes[node]![role]])]);
}

function applySplices(text: string, splices: Splice[]): string {
  let result = text;
  for (const splice of [...splices].sort((a, b) => b.start - a.start)) result = result.slice(0, splice.start) + splice.text + result.slice(splice.end);
  return result;
}

/** The splices that write `record` into `text`; an empty list when the text already holds it. */
function recordSplices(text: string, record: StackRecord): Splice[] {
  const doc = parseDocument(text);
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) return [appendAtEnd(text, `records:\n${recordBlock(record)}`)];
  if (!isMap(root) || root.flow) return [];
  const pair = root.items.find((item) => isScalar(item.key) && item.key.value === "records");
  if (!pair) return [appendAtEnd(text, `${" ".repeat(columnOf(text, rangeOf(root)[0]))}records:\n${recordBlock(record, columnOf(text, rangeOf(root)[0]) + 2)}`)];
  const keyColumn = columnOf(text, rangeOf(pair.key)[0]);
  const value = pair.value;
  const emptyValue = value === null || (isScalar(value) && (value.value === null || value.value === undefined)) || (isSeq(value) && value.items.length === 0);
  if (emptyValue) {
    // `records: []  # none yet` becomes `records:  # none yet` and the record below it.
    const end = trimEnd(text, value ? rangeOf(value)[1] : rangeOf(pair.key)[1]);
    const lineRest = text.slice(end, lineEnd(text, end)).replace(/\r?\n$/, "");
    const comment = lineRest.trim().startsWith("#") ? lineRest : "";
    return [{ start: rangeOf(pair.key)[1], end: end + comment.length, text: `:${comment}\n${recordBlock(record, keyColumn + 2).replace(/\n$/, "")}` }];
  }
  if (!isSeq(value)) return [];
  return value.flow ? flowSeqSplices(text, value, record) : blockSeqSplices(text, value, record);
}

function blockSeqSplices(text: string, seq: YAMLSeq, record: StackRecord): Splice[] {
  const items = seq.items.filter(isMap);
  if (items.length !== seq.items.length) return [];
  const existing = items.find((item) => item.get("stack") === record.stack && item.get("cluster") === record.cluster);
  if (existing) return existing.flow ? replaceFlowItem(text, existing, record) : editRecordMap(text, existing, record);
  const first = items[0]!;
  const content = columnOf(text, rangeOf(first)[0]);
  const dash = dashColumn(text, rangeOf(first)[0]);
  const next = items.find((item) => compareRecords({ stack: String(item.get("stack")), cluster: String(item.get("cluster")) }, record) > 0);
  const block = first.flow ? `${" ".repeat(dash)}- ${recordFlow(record)}\n` : recordBlock(record, dash, content);
  if (next) {
    const at = leadingCommentStart(text, lineStart(text, dashOffset(text, rangeOf(next)[0])));
    return [{ start: at, end: at, text: block }];
  }
  return [insertAfterLine(text, trimEnd(text, rangeOf(items[items.length - 1]!)[1]), block)];
}

function flowSeqSplices(text: string, seq: YAMLSeq, record: StackRecord): Splice[] {
  const items = seq.items.filter(isMap);
  if (items.length !== seq.items.length) return [];
  const existing = items.find((item) => item.get("stack") === record.stack && item.get("cluster") === record.cluster);
  if (existing) return replaceFlowItem(text, existing, record);
  const next = items.find((item) => compareRecords({ stack: String(item.get("stack")), cluster: String(item.get("cluster")) }, record) > 0);
  if (next) return [{ start: rangeOf(next)[0], end: rangeOf(next)[0], text: `${recordFlow(record)}, ` }];
  const last = rangeOf(items[items.length - 1]!)[1];
  return [{ start: last, end: last, text: `, ${recordFlow(record)}` }];
}

function replaceFlowItem(text: string, item: YAMLMap, record: StackRecord): Splice[] {
  if (sameRecordMap(item, record)) return [];
  const [start] = rangeOf(item);
  const end = trimEnd(text, rangeOf(item)[1]);
  return [{ start, end, text: `${recordFlow(record)}${keptComments(text.slice(start, end), columnOf(text, start))}` }];
}

function sameRecordMap(item: YAMLMap, record: StackRecord): boolean {
  const json = item.toJSON() as { host?: unknown; nodes?: unknown };
  return json.host === record.host && JSON.stringify(canonicalNodes((json.nodes ?? {}) as Record<string, RecordedPorts>)) === JSON.stringify(canonicalNodes(record.nodes));
}

/** The record's own map in block style: the host and each node that changed, nothing else. */
function editRecordMap(text: string, item: YAMLMap, record: StackRecord): Splice[] {
  const splices: Splice[] = [];
  const hostPair = pairOf(item, "host");
  if (!hostPair || !isScalar(hostPair.value)) return [];
  if (hostPair.value.value !== record.host) {
    const range = rangeOf(hostPair.value);
    splices.push({ start: range[0], end: range[1], text: scalarText(record.host) });
  }
  const nodesPair = pairOf(item, "nodes");
  if (!nodesPair) return [];
  const nodes = nodesPair.value;
  if (isMap(nodes) && !nodes.flow && nodes.items.length > 0) {
    splices.push(...nodeSplices(text, nodes, record));
    return splices;
  }
  if (sameRecordMap(item, record)) return splices;
  const keyEnd = rangeOf(nodesPair.key)[1];
  const end = nodes && (isMap(nodes) || isScalar(nodes)) ? trimEnd(text, rangeOf(nodes)[1]) : keyEnd;
  const column = columnOf(text, rangeOf(nodesPair.key)[0]) + 2;
  const keys = nodeKeys(record);
  splices.push({
    start: keyEnd,
    end,
    text: `${keys.length === 0 ? ": {}" : `:\n${keys.map((node) => `${" ".repeat(column)}${nodeLine(node, record.nodes[node]!)}`).join("\n")}`}${keptComments(text.slice(keyEnd, end), column)}`,
  });
  return splices;
}

/** Per node of a block `nodes` map: changed values replaced in place, removed nodes' lines dropped, new nodes inserted in order. */
function nodeSplices(text: string, nodes: YAMLMap, record: StackRecord): Splice[] {
  const splices: Splice[] = [];
  const pairs = nodes.items.filter((pair): pair is Pair<unknown, unknown> => isScalar(pair.key));
  const column = columnOf(text, rangeOf(pairs[0]!.key)[0]);
  const written = new Set<string>();
  for (const pair of pairs) {
    const key = String((pair.key as { value: unknown }).value);
    written.add(key);
    const ports = record.nodes[key];
    const valueEnd = pair.value && hasRange(pair.value) ? trimEnd(text, rangeOf(pair.value)[1]) : rangeOf(pair.key)[1];
    if (ports === undefined) {
      // The node's lines go; a comment on them stays, on a line of its own.
      const start = lineStart(text, rangeOf(pair.key)[0]);
      const end = lineEnd(text, valueEnd);
      splices.push({ start, end, text: commentLines(text.slice(start, end), column) });
      continue;
    }
    const current = (isMap(pair.value) ? pair.value.toJSON() : {}) as RecordedPorts;
    if (portsFlow(current) === portsFlow(ports) && isMap(pair.value)) continue;
    const start = rangeOf(pair.key)[1];
    splices.push({ start, end: valueEnd, text: `: ${portsFlow(ports)}${keptComments(text.slice(start, valueEnd), column)}` });
  }
  const added = nodeKeys(record).filter((node) => !written.has(node));
  for (const node of added) {
    const next = pairs.find((pair) => compareNodeKeys(String((pair.key as { value: unknown }).value), node) > 0 && record.nodes[String((pair.key as { value: unknown }).value)] !== undefined);
    const line = `${" ".repeat(column)}${nodeLine(node, record.nodes[node]!)}\n`;
    if (next) {
      const at = leadingCommentStart(text, lineStart(text, rangeOf(next.key)[0]));
      splices.push({ start: at, end: at, text: line });
    } else {
      const remaining = pairs.filter((pair) => record.nodes[String((pair.key as { value: unknown }).value)] !== undefined);
      const last = remaining[remaining.length - 1] ?? pairs[pairs.length - 1]!;
      const end = last.value && hasRange(last.value) ? trimEnd(text, rangeOf(last.value)[1]) : rangeOf(last.key)[1];
      splices.push(insertAfterLine(text, end, line));
    }
  }
  return mergeInsertions(splices);
}

/** Several new lines at one offset keep the order they were made in (node order). */
function mergeInsertions(splices: Splice[]): Splice[] {
  const merged: Splice[] = [];
  for (const splice of splices) {
    const same = merged.find((other) => other.start === splice.start && other.end === splice.start && splice.end === splice.start);
    if (same) same.text += splice.text;
    else merged.push({ ...splice });
  }
  return merged;
}

/** Whether a registry text is a bare null (`null`, `~`) rather than nothing but comments, which the splices append to. */
function bareNull(text: string): boolean {
  const contents = parseDocument(text).contents;
  const written = text.split(/\r?\n/).some((line) => line.trim() !== "" && !/^\s*#/.test(line));
  return written && isScalar(contents) && (contents.value === null || contents.value === undefined);
}

/** The fallback: the yaml package's Document edit, which keeps comments but may re-indent. */
function documentEdit(text: string, record: StackRecord): string {
  const doc: Document = parseDocument(text);
  const plain = { stack: record.stack, cluster: record.cluster, host: record.host, nodes: Object.fromEntries(nodeKeys(record).map((node) => [node, record.nodes[node]])) };
  const records = doc.get("records");
  if (!isSeq(records)) {
    doc.set("records", doc.createNode([plain]));
    return doc.toString();
  }
  const node = doc.createNode(plain) as YAMLMap;
  const index = records.items.findIndex((item) => isMap(item) && item.get("stack") === record.stack && item.get("cluster") === record.cluster);
  if (index >= 0) {
    records.items[index] = node;
  } else {
    const next = records.items.findIndex((item) => isMap(item) && compareRecords({ stack: String(item.get("stack")), cluster: String(item.get("cluster")) }, record) > 0);
    records.items.splice(next < 0 ? records.items.length : next, 0, node);
  }
  return doc.toString();
}

/** The comments in a stretch of YAML about to be replaced (a `#` at a line's start or after a space). */
function commentsIn(slice: string): string[] {
  return [...slice.matchAll(/(?:^|[ \t])(#[^\n]*)/gm)].map((match) => match[1]!.trimEnd());
}

/** The comments of a replaced stretch, each on a line of its own at `column`, so no comment is lost. */
function commentLines(slice: string, column: number): string {
  return commentsIn(slice)
    .map((comment) => `${" ".repeat(column)}${comment}\n`)
    .join("");
}

/** The same, to follow replacement text on the line after it. */
function keptComments(slice: string, column: number): string {
  const comments = commentsIn(slice);
  return comments.length === 0 ? "" : `\n${comments.map((comment) => `${" ".repeat(column)}${comment}`).join("\n")}`;
}

function pairOf(map: YAMLMap, key: string): Pair<unknown, unknown> | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key) as Pair<unknown, unknown> | undefined;
}

function hasRange(node: unknown): boolean {
  return typeof node === "object" && node !== null && Array.isArray((node as { range?: unknown }).range);
}

function rangeOf(node: unknown): [number, number, number] {
  const range = (node as { range?: [number, number, number] | null }).range;
  if (!range) throw new Error("yaml node without a source range");
  return range;
}

function appendAtEnd(text: string, addition: string): Splice {
  return { start: text.length, end: text.length, text: `${text.endsWith("\n") ? "" : "\n"}${addition}` };
}

/** Inserts whole lines after the line holding `offset`. */
function insertAfterLine(text: string, offset: number, lines: string): Splice {
  const at = lineEnd(text, offset);
  return { start: at, end: at, text: at === text.length && !text.endsWith("\n") ? `\n${lines}` : lines };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** The offset just past the newline ending the line that holds `offset`. */
function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  return newline < 0 ? text.length : newline + 1;
}

function columnOf(text: string, offset: number): number {
  const start = lineStart(text, offset);
  return offset - start - (text[start] === "\ufeff" ? 1 : 0); // a byte-order mark takes no column
}

/** The offset of the `-` that starts the sequence item whose content starts at `offset`. */
function dashOffset(text: string, offset: number): number {
  const dash = text.lastIndexOf("-", offset - 1);
  return dash >= lineStart(text, offset) ? dash : offset;
}

function dashColumn(text: string, offset: number): number {
  return columnOf(text, dashOffset(text, offset));
}

/** Moves back over trailing whitespace and newlines, so a splice ends where the value does. */
function trimEnd(text: string, offset: number): number {
  let end = offset;
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  return end;
}

/**
 * The start of the comment lines right above a line: they belong to what follows them, unless
 * indented deeper than it (then they close the entry above).
 */
function leadingCommentStart(text: string, start: number): number {
  const indent = /^[ \t]*/.exec(text.slice(start))![0].length;
  let at = start;
  while (at > 0) {
    const previous = lineStart(text, at - 1);
    const line = text.slice(previous, at);
    if (!line.trim().startsWith("#") || /^[ \t]*/.exec(line)![0].length > indent) break;
    at = previous;
  }
  return at;
}
