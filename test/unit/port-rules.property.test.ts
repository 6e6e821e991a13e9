/**
 * The port rules over random configs by the thousand, for both strategies: every plan keeps
 * the rules or the config is rejected with a ConfigError; never another exception.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, parseClusterSpec, planCluster, type ClusterPlan } from "../../src";
import { recordOf } from "../../src/plan/record";
import { EMPTY_REGISTRY, withRecord, type PortClaim, type PortRegistry, type StackRecord } from "../../src/ports/registry";
import { brokenPortRules, movedPorts } from "../support/port-rules";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);

interface Scenario {
  config: Record<string, unknown> & { spus: number | { id: number; publicPort?: number; privatePort?: number; metricsPort?: number }[] };
  registry: PortRegistry;
  stack: string;
}

const strategy = fc.constantFrom("sequential", "stack-hash");

/** A value in one draw out of `oneIn`, else null. */
function rarely<T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

/** Three ranges near each other; sometimes overlapping, sometimes tiny, sometimes privileged. */
const ranges = fc
  .record({
    base: fc.integer({ min: 600, max: 60000 }),
    sizes: fc.tuple(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 120 })),
    gaps: fc.tuple(fc.integer({ min: -10, max: 40 }), fc.integer({ min: -10, max: 40 })),
  })
  .map(({ base, sizes: [a, b, c], gaps: [g1, g2] }) => {
    const clamp = (port: number): number => Math.max(1, Math.min(65535, port));
    const publicRange = { from: clamp(base), to: clamp(base + a - 1) };
    const privateRange = { from: clamp(publicRange.to + 1 + g1), to: clamp(publicRange.to + 1 + g1 + b - 1) };
    const metricsRange = { from: clamp(privateRange.to + 1 + g2), to: clamp(privateRange.to + 1 + g2 + c - 1) };
    return { public: publicRange, private: privateRange, metrics: metricsRange };
  });

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    ranges,
    strategy,
    stack: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
    count: fc.integer({ min: 1, max: 30 }),
    listForm: fc.boolean(),
    ids: fc.uniqueArray(fc.integer({ min: 0, max: 80 }), { minLength: 1, maxLength: 20 }),
    duplicateId: rarely(fc.integer({ min: 0, max: 80 }), 12),
    pinOffsets: fc.array(rarely(fc.tuple(fc.constantFrom("publicPort", "privatePort", "metricsPort"), fc.integer({ min: -3, max: 130 })), 6), { maxLength: 20 }),
    reservedOffsets: fc.array(fc.tuple(fc.integer({ min: -2, max: 120 }), fc.integer({ min: 0, max: 4 })), { maxLength: 3 }),
    claimOffsets: fc.array(fc.tuple(fc.integer({ min: -2, max: 120 }), fc.integer({ min: 0, max: 6 }), fc.boolean()), { maxLength: 2 }),
    otherRecordOffsets: fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 4 }),
    metrics: fc.boolean(),
  })
  .map((draw): Scenario => {
    const rangeOf = { publicPort: draw.ranges.public, privatePort: draw.ranges.private, metricsPort: draw.ranges.metrics };
    const spus =
      draw.listForm || draw.duplicateId !== null
        ? [...draw.ids, ...(draw.duplicateId !== null ? [draw.duplicateId] : [])].map((id, index) => {
            const pin = draw.pinOffsets[index];
            return pin ? { id, [pin[0]]: rangeOf[pin[0]].from + pin[1] } : { id };
          })
        : draw.count;
    const claims: PortClaim[] = draw.claimOffsets.map(([offset, width, sameHost]) => ({
      owner: "someone",
      ports: { from: draw.ranges.public.from + offset, to: draw.ranges.public.from + offset + width },
      hosts: [sameHost ? "localhost" : "elsewhere"],
      source: "registry",
    }));
    const records: StackRecord[] =
      draw.otherRecordOffsets.length > 0
        ? [{ stack: `${draw.stack}-other`, cluster: "fluvio", host: "localhost", nodes: { "spu-1": { public: draw.ranges.public.from + (draw.otherRecordOffsets[0] ?? 0) }, "spu-2": { private: draw.ranges.private.from + (draw.otherRecordOffsets[1] ?? 0) } } }]
        : [];
    return {
      stack: draw.stack,
      registry: { hostGroups: {}, claims, records },
      config: {
        strategy: draw.strategy,
        ports: draw.ranges,
        spus,
        reserved: draw.reservedOffsets.map(([offset, width]) => ({ from: draw.ranges.private.from + offset, to: draw.ranges.private.from + offset + width })),
        metrics: { enabled: draw.metrics },
      },
    };
  });

/** Plans, or undefined when the config is rejected with a ConfigError. Any other exception fails the property. */
function planOrReject(config: unknown, stack: string, registry: PortRegistry): ClusterPlan | undefined {
  try {
    return planCluster(config, { stack, registry });
  } catch (error) {
    if (error instanceof ConfigError) {
      expect(error.issues.length).toBeGreaterThan(0);
      for (const issue of error.issues) expect(issue.message.length).toBeGreaterThan(10);
      return undefined;
    }
    throw error;
  }
}

function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed || 1;
  for (let index = copy.length - 1; index > 0; index--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

describe("port rules over random configs (property-based)", () => {
  it(`rules 1, 3 (pins), 4 and 5: every plan keeps the rules, or the config is rejected with a ConfigError (${RUNS} configs)`, () => {
    let planned = 0;
    let rejected = 0;
    fc.assert(
      fc.property(scenario, ({ config, registry, stack }) => {
        const plan = planOrReject(config, stack, registry);
        if (!plan) {
          rejected++;
          return;
        }
        planned++;
        expect(brokenPortRules(plan, parseClusterSpec(config), registry)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    // The generator must exercise both sides, or the property proves little (about 28 % are planned).
    expect(planned).toBeGreaterThan(RUNS / 5);
    expect(rejected).toBeGreaterThan(RUNS / 5);
    console.log(`port rules property: ${planned} configs planned, ${rejected} rejected with a ConfigError`);
  });

  it(`rule 2: byte-identical plans for the same config and stack, in any order of the SPU list (${RUNS} configs)`, () => {
    fc.assert(
      fc.property(scenario, fc.integer(), ({ config, registry, stack }, seed) => {
        const plan = planOrReject(config, stack, registry);
        if (!plan || typeof config.spus === "number") return;
        const reordered = planCluster({ ...config, spus: shuffled(config.spus, seed) }, { stack, registry });
        expect(JSON.stringify(reordered)).toBe(JSON.stringify(plan));
      }),
      { numRuns: RUNS },
    );
  });

  it(`rule 3: adding SPUs with new higher ids or removing the highest never moves the others, without a record (${RUNS} configs)`, () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), ({ config, registry, stack }, added, removed) => {
        const plan = planOrReject(config, stack, registry);
        if (!plan) return;
        const list = typeof config.spus === "number" ? plan.spus.map((spu) => ({ id: spu.id })) : [...config.spus].sort((a, b) => a.id - b.id);
        const highest = list[list.length - 1]!.id;
        const grown = [...list, ...Array.from({ length: added }, (_, index) => ({ id: highest + 1 + index }))];
        const bigger = planOrReject({ ...config, spus: grown }, stack, registry);
        if (bigger) expect(movedPorts(plan, bigger)).toEqual([]);
        if (list.length > removed) {
          const smaller = planOrReject({ ...config, spus: list.slice(0, list.length - removed) }, stack, registry);
          expect(smaller, "removing SPUs frees ports; it cannot make a valid config invalid").toBeDefined();
          expect(movedPorts(plan, smaller!)).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`rule 3: with the stack's record in the registry, no change of the SPU list moves an SPU that stays (${RUNS} configs)`, () => {
    fc.assert(
      fc.property(scenario, fc.uniqueArray(fc.integer({ min: 0, max: 120 }), { maxLength: 6 }), fc.integer(), ({ config, registry, stack }, newIds, seed) => {
        const plan = planOrReject(config, stack, registry);
        if (!plan) return;
        const recorded = withRecord(registry, recordOf(plan));
        const list = typeof config.spus === "number" ? plan.spus.map((spu) => ({ id: spu.id })) : config.spus;
        const kept = shuffled(list, seed).slice(0, Math.max(1, Math.floor(list.length / 2)));
        const keptIds = new Set(kept.map((spu) => spu.id));
        const changed = [...kept, ...newIds.filter((id) => !keptIds.has(id)).map((id) => ({ id }))];
        const after = planOrReject({ ...config, spus: changed }, stack, recorded);
        if (after) expect(movedPorts(plan, after)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("never throws anything but a ConfigError for arbitrary JSON-ish input", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom("dev", "prod", ""), (raw, stack) => {
        try {
          planCluster(raw, { stack });
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("stack-hash keeps concurrent stacks apart (the reason it exists)", () => {
  it("ten PR stacks of three SPUs sharing one 101-port range collide far less than with sequential", () => {
    const config = (strategyName: string) => ({ environment: "dev", spus: 3, metrics: { enabled: false }, strategy: strategyName });
    const collisions = (strategyName: string): number => {
      const owners = new Map<number, number>();
      for (let stack = 0; stack < 10; stack++) {
        for (const row of planCluster(config(strategyName), { stack: `pr-${stack}`, registry: EMPTY_REGISTRY }).ports) {
          if (row.role === "public") owners.set(row.port, (owners.get(row.port) ?? 0) + 1);
        }
      }
      return [...owners.values()].filter((count) => count > 1).reduce((sum, count) => sum + count - 1, 0);
    };
    // Sequential puts every stack on the same four public ports (SC + 3 SPUs): 9 × 4 collisions.
    expect(collisions("sequential")).toBe(9 * 4);
    expect(collisions("stack-hash")).toBeLessThan((9 * 4) / 2);
  });
});
