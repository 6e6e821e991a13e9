/**
 * The allocator on its own, one property per rule, over random requests by the thousand: it
 * speaks only ports (owners, roles, ranges, blocked and avoided ports with opaque holders) and
 * reports what it cannot do as typed failures, never as messages or exceptions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocatePorts, type AllocationInput, type AllocationStrategy, type PortRequest } from "../../src/ports/allocator";
import { inRange, rangeSize, type PortRange, type PortRole } from "../../src/ports/range";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const ROLES: PortRole[] = ["public", "private", "metrics"];

type Input = AllocationInput<string, string>;

/** Three disjoint ranges of 1-60 ports somewhere in the unprivileged space. */
const rangesArb = fc
  .record({ base: fc.integer({ min: 1024, max: 60000 }), sizes: fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 })) })
  .map(({ base, sizes: [a, b, c] }): Record<PortRole, PortRange> => ({
    public: { from: base, to: base + a - 1 },
    private: { from: base + a, to: base + a + b - 1 },
    metrics: { from: base + a + b, to: base + a + b + c - 1 },
    nodePort: { from: 30000, to: 30085 },
  }));

/** A port somewhere in (or just beside) the three ranges. */
function portNear(ranges: Record<PortRole, PortRange>): fc.Arbitrary<number> {
  return fc.integer({ min: Math.max(1, ranges.public.from - 3), max: Math.min(65535, ranges.metrics.to + 3) });
}

const inputArb: fc.Arbitrary<Input> = rangesArb.chain((ranges) =>
  fc.record({
    nodes: fc.integer({ min: 1, max: 25 }),
    roles: fc.subarray(ROLES, { minLength: 1 }),
    pins: fc.array(fc.record({ node: fc.nat(30), role: fc.constantFrom(...ROLES), port: portNear(ranges) }), { maxLength: 4 }),
    records: fc.array(fc.record({ node: fc.nat(30), role: fc.constantFrom(...ROLES), port: portNear(ranges) }), { maxLength: 6 }),
    blocked: fc.array(portNear(ranges).chain((from) => fc.integer({ min: from, max: Math.min(65535, from + 4) }).map((to) => ({ ports: { from, to }, holder: `blocker ${from}-${to}` }))), { maxLength: 5 }),
    avoided: fc.array(portNear(ranges).map((port) => ({ ports: { from: port, to: port }, holder: `well-known ${port}` })), { maxLength: 5 }),
    strategy: fc.constantFrom<AllocationStrategy>("sequential", "stack-hash"),
    seed: fc.string({ maxLength: 8 }),
  }).map(({ nodes, roles, pins, records, blocked, avoided, strategy, seed }): Input => {
    const requests: PortRequest[] = [];
    for (let node = 0; node < nodes; node++) {
      for (const role of roles) {
        const pin = pins.find((entry) => entry.node === node && entry.role === role);
        const record = records.find((entry) => entry.node === node && entry.role === role);
        requests.push({ owner: `spu-${node}`, role, ...(pin ? { pinned: pin.port } : {}), ...(record ? { recorded: record.port } : {}) });
      }
    }
    return { requests, ranges, blocked, avoided, strategy, seed };
  }),
);

const blockedAt = (input: Input, port: number): boolean => input.blocked.some((entry) => inRange(port, entry.ports));

describe("the allocator, rule by rule", () => {
  it("gives every port inside its role's range, a pin exactly, and refuses a pin outside it", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { assignments } = allocatePorts(input);
        for (const row of assignments) {
          const request = input.requests.find((entry) => entry.owner === row.owner && entry.role === row.role)!;
          if (row.source === "pinned") expect(row.port).toBe(request.pinned);
          expect(inRange(row.port, input.ranges[row.role])).toBe(true);
        }
        const { failures } = allocatePorts(input);
        // Capacity and record conflicts are reported first, before any pin is looked at.
        if (failures.some((failure) => failure.kind === "range-full" || failure.kind === "recorded-pinned")) return;
        for (const request of input.requests) {
          if (request.pinned !== undefined && !inRange(request.pinned, input.ranges[request.role])) {
            expect(failures).toContainEqual({ kind: "pin-outside-range", request, port: request.pinned, range: input.ranges[request.role] });
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("never gives one port twice, and never a blocked port (a recorded one that is blocked now moves)", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { assignments } = allocatePorts(input);
        const ports = assignments.map((row) => row.port);
        expect(new Set(ports).size).toBe(ports.length);
        for (const row of assignments) expect(blockedAt(input, row.port)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("either assigns every request or reports a typed failure for what it could not", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { assignments, failures } = allocatePorts(input);
        if (failures.length === 0) expect(assignments).toHaveLength(input.requests.length);
        for (const failure of failures) expect(["pin-taken", "pin-outside-range", "recorded-pinned", "range-full", "exhausted"]).toContain(failure.kind);
      }),
      { numRuns: RUNS },
    );
  });

  it("reports range-full, with the figures, exactly when a range holds fewer free ports than the requests that need one", () => {
    fc.assert(
      fc.property(rangesArb, fc.integer({ min: 1, max: 80 }), (ranges, nodes) => {
        const requests = Array.from({ length: nodes }, (_, node): PortRequest => ({ owner: `spu-${node}`, role: "public" }));
        const { failures, assignments } = allocatePorts({ requests, ranges, blocked: [], avoided: [], strategy: "sequential", seed: "s" });
        if (nodes > rangeSize(ranges.public)) {
          expect(failures).toEqual([expect.objectContaining({ kind: "range-full", role: "public", usable: rangeSize(ranges.public), widenTo: ranges.public.from + nodes - 1 })]);
        } else {
          expect(failures).toEqual([]);
          expect(assignments.map((row) => row.port)).toEqual(requests.map((_, index) => ranges.public.from + index));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("keeps a recorded port whenever it is still inside the range, free and not another's pin", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { assignments, notices, failures } = allocatePorts(input);
        if (failures.length > 0) return;
        for (const request of input.requests) {
          if (request.recorded === undefined || request.pinned !== undefined) continue;
          const row = assignments.find((entry) => entry.owner === request.owner && entry.role === request.role)!;
          const moved = notices.some((notice) => notice.kind === "record-moved" && notice.request === request);
          expect(row.port === request.recorded || moved).toBe(true);
          if (moved) expect(row.source).toBe("derived");
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("is deterministic: the same input gives the same allocation", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        expect(JSON.stringify(allocatePorts(input))).toBe(JSON.stringify(allocatePorts(structuredClone(input))));
      }),
      { numRuns: RUNS },
    );
  });

  it("is stable: appending requests never moves the ports of earlier ones (no pins, no records)", () => {
    fc.assert(
      fc.property(inputArb, fc.integer({ min: 1, max: 5 }), (input, extra) => {
        const plain = input.requests.map(({ owner, role }) => ({ owner, role }));
        const roles = [...new Set(plain.map((request) => request.role))];
        const more = [...plain, ...Array.from({ length: extra }, (_, index) => roles.map((role) => ({ owner: `spu-new-${index}`, role }))).flat()];
        const before = allocatePorts({ ...input, requests: plain });
        const after = allocatePorts({ ...input, requests: more });
        if (before.failures.length > 0 || after.failures.length > 0) return;
        expect(after.assignments.slice(0, before.assignments.length)).toEqual(before.assignments);
      }),
      { numRuns: RUNS },
    );
  });

  it("takes an avoided (well-known) port only when its range has no other free port, and says so", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { assignments, notices, failures } = allocatePorts(input);
        if (failures.length > 0) return;
        const taken = new Set(assignments.map((row) => row.port));
        for (const row of assignments) {
          const avoided = input.avoided.some((entry) => inRange(row.port, entry.ports));
          if (!avoided || row.source !== "derived") continue;
          expect(notices.some((notice) => notice.kind === "avoided" && notice.port === row.port)).toBe(true);
          const range = input.ranges[row.role];
          for (let port = range.from; port <= range.to; port++) {
            const free = !taken.has(port) && !blockedAt(input, port) && !input.avoided.some((entry) => inRange(port, entry.ports));
            expect(free).toBe(false);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses a pin on a blocked or already given port with the holder, never moving it", () => {
    const ranges = { public: { from: 9000, to: 9010 }, private: { from: 9011, to: 9020 }, metrics: { from: 9021, to: 9030 }, nodePort: { from: 30000, to: 30085 } };
    const blocked = allocatePorts({ requests: [{ owner: "sc", role: "public", pinned: 9003 }], ranges, blocked: [{ ports: { from: 9003, to: 9003 }, holder: "redis" }], avoided: [], strategy: "sequential", seed: "s" });
    expect(blocked.failures).toEqual([{ kind: "pin-taken", request: { owner: "sc", role: "public", pinned: 9003 }, port: 9003, holder: { kind: "blocked", holder: "redis" } }]);
    const twice = allocatePorts({
      requests: [
        { owner: "sc", role: "public", pinned: 9004 },
        { owner: "spu-1", role: "public", pinned: 9004 },
      ],
      ranges,
      blocked: [],
      avoided: [],
      strategy: "stack-hash",
      seed: "s",
    });
    expect(twice.failures).toEqual([expect.objectContaining({ kind: "pin-taken", port: 9004, holder: expect.objectContaining({ kind: "assigned", source: "pinned" }) })]);
    expect(twice.assignments).toEqual([{ owner: "sc", role: "public", port: 9004, source: "pinned" }]);
  });
});
