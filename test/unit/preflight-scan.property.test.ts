/**
 * The fast listener scan (`parseProcNetTcpOn`) skips rows on unwanted ports without parsing
 * them: over random tables (kernel rows for both families, every state, and rows broken in
 * every way a filter could trip on) it must give exactly what the full parser gives, filtered
 * to the wanted ports.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseProcNetTcp, parseProcNetTcpOn } from "../../src/preflight/proc-parse";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);
const PORTS = [80, 9010, 9011, 18000, 24003, 65535];

const hex = (value: number, width: number): string => value.toString(16).toUpperCase().padStart(width, "0");

/** One row as the kernel prints it in the table of `family`. */
const kernelRow = (family: 4 | 6) => fc
  .record({
    sl: fc.integer({ min: 0, max: 20000 }),
    address: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 4, maxLength: 4 }),
    port: fc.oneof(fc.constantFrom(...PORTS), fc.integer({ min: 0, max: 65535 })),
    state: fc.constantFrom("0A", "0A", "01", "06", "08"),
    uid: fc.integer({ min: 0, max: 70000 }),
    inode: fc.integer({ min: 0, max: 99999999 }),
  })
  .map(({ sl, address, port, state, uid, inode }) => {
    const addr = family === 4 ? hex(address[0] as number, 8) : address.map((word) => hex(word, 8)).join("");
    const zero = "0".repeat(addr.length);
    return {
      text: `${String(sl).padStart(4, " ")}: ${addr}:${hex(port, 4)} ${zero}:0000 ${state} 00000000:00000000 00:00000000 00000000 ${String(uid).padStart(5, " ")}        0 ${inode} 1 0000000000000000 100 0 0 10 0`,
    };
  });

/** A row broken at one place (a character inserted, replaced or lost): a tab, two spaces, a non-ASCII or odd character, an extra colon or field. */
const brokenRow = (family: 4 | 6) => fc
  .record({ row: kernelRow(family), at: fc.nat(), edit: fc.constantFrom("\t", "  ", "\u00a0", "\u2028", ":", "é", "", "x", " ", "0A ", "\r"), replace: fc.boolean() })
  .map(({ row, at, edit, replace }) => {
    const index = at % (row.text.length + 1);
    const remove = edit === "" || replace ? 1 : 0;
    return { text: `${row.text.slice(0, index)}${edit}${row.text.slice(index + remove)}` };
  });

const table = fc.constantFrom<4 | 6>(4, 6).chain((family) =>
  fc.record({
    family: fc.constant(family),
    rows: fc.array(
      fc.oneof({ weight: 3, arbitrary: kernelRow(family) }, { weight: 2, arbitrary: brokenRow(family) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((text) => ({ text })) }),
      { maxLength: 30 },
    ),
    header: fc.boolean(),
    trailingNewline: fc.boolean(),
    wanted: fc.uniqueArray(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PORTS) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }) }), { maxLength: 6 }),
  }),
);

describe("the fast listener scan gives what the full parser gives, filtered to the wanted ports", () => {
  it(`over random tables with broken rows (${RUNS} tables)`, () => {
    let found = 0;
    fc.assert(
      fc.property(table, ({ family, rows, header, trailingNewline, wanted }) => {
        const lines = [...(header ? ["  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"] : []), ...rows.map((row) => row.text)];
        const text = lines.join("\n") + (trailingNewline ? "\n" : "");
        const ports = new Set(wanted);
        const expected = parseProcNetTcp(text, family).filter((listener) => ports.has(listener.port));
        found += expected.length;
        expect(parseProcNetTcpOn(text, family, ports)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
    // The tables must hold wanted listeners often enough for the property to mean something.
    expect(found).toBeGreaterThan(RUNS / 10);
  });

  it("on a table of 10,000 unrelated listeners and two wanted ones", () => {
    const rows = Array.from({ length: 10_000 }, (_, index) => `${String(index).padStart(4, " ")}: 0100007F:${hex(32768 + index, 4)} 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 ${100000 + index} 1 0000000000000000 100 0 0 10 0`);
    rows.splice(5000, 0, "5000: 00000000:2332 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0000000000000000 100 0 0 10 0");
    const text = `  sl  local_address rem_address   st\n${rows.join("\n")}\n`;
    const wanted = new Set([9010, 32768 + 42]);
    expect(parseProcNetTcpOn(text, 4, wanted)).toEqual(parseProcNetTcp(text, 4).filter((listener) => wanted.has(listener.port)));
    expect(parseProcNetTcpOn(text, 4, wanted).map((listener) => listener.port)).toEqual([32810, 9010]);
  });
});
