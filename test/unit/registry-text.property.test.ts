/**
 * The fast registry reader against the reference reading (the YAML library and the schema):
 * over random registries written by `formatRegistry`, written by hand in block style, and
 * broken line by line in the ways a person or a merge breaks them, the fast reader either
 * gives up or gives exactly the reference's data, key order included. And it does not give
 * up on what `--record` writes, or the speed-up would be for nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ConfigError } from "../../src/errors";
import { compareRecords, formatRegistry, parseRegistry, validateRegistry, validateRegistryText, type PortClaim, type PortRegistry, type RecordedPorts, type StackRecord } from "../../src/ports/registry";
import { readCanonicalRegistry } from "../../src/ports/registry-text";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

const word = fc.constantFrom("redis", "team-b cluster", "ci-1", "ci-2", "ci-runners", "localhost", "build-box", "pr-17", "fluvio", "events", "a_b", "x.y/z");
const port = fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(1, 65535, 9000));
const roles = fc.record({ public: port, private: port, metrics: port, nodePort: port }, { requiredKeys: [] });
const claim: fc.Arbitrary<PortClaim> = fc.record({
  owner: word,
  from: port,
  width: fc.integer({ min: 0, max: 100 }),
  hosts: fc.uniqueArray(fc.constantFrom("*", "localhost", "ci-1", "ci-runners"), { minLength: 1, maxLength: 3 }),
  note: fc.option(fc.constantFrom("shared box", "see #12: ports: moved", "it's 'quoted'", "null", "true", "0x10", "a \"b\""), { nil: undefined }),
}).map(({ owner, from, width, hosts, note }) => ({ owner, ports: { from, to: Math.min(65535, from + width) }, hosts, source: "registry" as const, ...(note !== undefined ? { note } : {}) }));
const record: fc.Arbitrary<StackRecord> = fc.record({
  stack: word,
  cluster: word,
  host: word,
  nodes: fc.dictionary(fc.oneof(fc.constant("sc"), fc.integer({ min: 0, max: 9999 }).map((id) => `spu-${id}`)), roles as fc.Arbitrary<RecordedPorts>, { maxKeys: 6 }),
});
const registry: fc.Arbitrary<PortRegistry> = fc.record({
  hostGroups: fc.dictionary(fc.constantFrom("ci-runners", "builders", "edge"), fc.uniqueArray(word, { maxLength: 3 }), { maxKeys: 2 }),
  claims: fc.array(claim, { maxLength: 6 }),
  records: fc.array(record, { maxLength: 6 }),
});

/** Ways one line goes wrong (or just different) in a hand-edited file. */
const LINE_EDITS: ((line: string) => string)[] = [
  (line) => `${line} # comment`,
  (line) => ` ${line}`,
  (line) => line.replace(/^(\s*)/, "$1\t"),
  (line) => `${line} `,
  (line) => line.replace(/: .*/, ": true"),
  (line) => line.replace(/: .*/, ": ~"),
  (line) => line.replace(/: .*/, ": 0x10"),
  (line) => line.replace(/: .*/, ": 1.5"),
  (line) => line.replace(/: .*/, ": 0123"),
  (line) => line.replace(/: .*/, ': "esc\\n"'),
  (line) => line.replace(/: .*/, ": 'it''s'"),
  (line) => line.replace(/: .*/, ": *anchor"),
  (line) => line.replace(/: .*/, ": [ a, ]"),
  (line) => line.replace(/: .*/, ": { public: 1, public: 2 }"),
  (line) => line.replace(/: .*/, ": { public: 70000 }"),
  (line) => line.replace(/: .*/, ": { bogus: 1 }"),
  (line) => line.replace(/: .*/, ":"),
  (line) => line.replace(/: .*/, ": []"),
  (line) => line.replace(/: .*/, ": {}"),
  (line) => line.replace(/: .*/, ': ""'),
  (line) => line.replace(/^(\s*)(- )?(\w+)/, "$1$2__proto__"),
  (line) => line.replace(/^(\s*)(- )?(\w+)/, "$1$2unknown"),
  (line) => `${line}\n${line}`,
  () => "",
  () => "# a comment line",
  () => "---",
  (line) => line.replace("- ", "-  "),
  (line) => line.replace(/(\d+)/, "-$1"),
  // Node lines, spelt a little off: the scanner reads them exactly as the YAML library does, or leaves them to the general path.
  (line) => line.replace(/: (\d+)/, ": 0$1"),
  (line) => line.replace(/: (\d+)/, ": $1$1"),
  (line) => line.replace(/: (\d+)/, ": 123456"),
  (line) => line.replace(/: (\d+)/, ": 65536"),
  (line) => line.replace(/: (\d+)/, ": 65535"),
  (line) => line.replace(/: (\d+)/, ":$1"),
  (line) => line.replace(/, /, ","),
  (line) => line.replace(/ \}$/, ", }"),
  (line) => line.replace(/ \}$/, "}"),
  (line) => line.replace(/\{ /, "{"),
  (line) => line.replace(/: \{ /, ": { public: 9, "),
  (line) => line.replace(/: \{ (\w+): (\d+)/, ": { $1: $2, $1: $2"),
  (line) => line.replace(/^(\s*)([\w-]+):/, '$1"$2":'),
  (line) => line.replace(/^(\s*)([\w-]+):/, "$1null:"),
];

/** The fast reader's answer must be the reference's data, or nothing. */
function agrees(text: string): "read" | "gave up" {
  const fast = readCanonicalRegistry(text);
  if (fast === undefined) return "gave up";
  let reference: unknown;
  try {
    reference = validateRegistryText(text, "registry");
  } catch (error) {
    throw new Error(`the fast reader read a file the reference rejects:\n${text}\n${(error as Error).message}`);
  }
  expect(JSON.stringify(fast), text).toBe(JSON.stringify(reference));
  expect(fast).toEqual(reference);
  return "read";
}

describe("the fast registry reader reads what the YAML library and the schema read, or gives up", () => {
  it(`reads every registry formatRegistry writes, as the reference does (${RUNS} registries)`, () => {
    fc.assert(
      fc.property(registry, (value) => {
        // A note with a quote inside is written as a plain scalar, which the fast reader leaves to the reference.
        const odd = value.claims.some((entry) => /["']/.test(entry.note ?? ""));
        expect(agrees(formatRegistry(value))).toBe(odd ? agrees(formatRegistry(value)) : "read");
        // Random records may repeat a stack or share a port (or host groups may cycle): parseRegistry refuses those, as validateRegistry does.
        let valid = true;
        try {
          validateRegistry(value, "generated");
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          valid = false;
        }
        if (valid) expect(parseRegistry(formatRegistry(value))).toEqual({ ...value, records: [...value.records].sort(compareRecords) });
        else expect(() => parseRegistry(formatRegistry(value))).toThrow(ConfigError);
      }),
      { numRuns: RUNS },
    );
  });

  it(`agrees on hand-written block-style registries, where it mostly gives up (block maps under nodes) (${RUNS} registries)`, () => {
    fc.assert(
      fc.property(registry, fc.boolean(), (value, stringsForHosts) => {
        const text = stringify({
          hostGroups: value.hostGroups,
          claims: value.claims.map((entry) => ({ owner: entry.owner, ports: entry.ports.from === entry.ports.to ? entry.ports.from : `${entry.ports.from}-${entry.ports.to}`, hosts: stringsForHosts && entry.hosts.length === 1 ? entry.hosts[0] : entry.hosts, ...(entry.note !== undefined ? { note: entry.note } : {}) })),
          records: value.records,
        });
        agrees(text);
      }),
      { numRuns: RUNS },
    );
  });

  it(`agrees on registries broken line by line (${RUNS} files)`, () => {
    let gaveUp = 0;
    fc.assert(
      fc.property(registry, fc.array(fc.tuple(fc.nat(), fc.nat({ max: LINE_EDITS.length - 1 })), { minLength: 1, maxLength: 3 }), (value, edits) => {
        const lines = formatRegistry(value).split("\n");
        for (const [at, edit] of edits) {
          const index = at % lines.length;
          lines[index] = (LINE_EDITS[edit] as (line: string) => string)(lines[index] as string);
        }
        if (agrees(lines.join("\n")) === "gave up") gaveUp++;
      }),
      { numRuns: RUNS },
    );
    expect(gaveUp).toBeGreaterThan(RUNS / 10);
  });
});
