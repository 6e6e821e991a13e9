import { describe, expect, it } from "vitest";
import { ConfigError, parseClusterSpec, planCluster } from "../../src";
import { formatRegistry, parseRegistry, withRecord, EMPTY_REGISTRY } from "../../src/ports/registry";
import { recordOf } from "../../src/plan/record";
import { brokenPortRules, movedPorts } from "../support/port-rules";

const dev = { environment: "dev", spus: 3 } as const;

describe("rule 1: every port inside its role's range, unique, never reserved or claimed", () => {
  for (const strategy of ["sequential", "stack-hash"] as const) {
    it(`holds for the dev preset with ${strategy}`, () => {
      const config = { ...dev, strategy, reserved: [9020, "9030-9040"] };
      const plan = planCluster(config, { stack: "dev" });
      expect(brokenPortRules(plan, parseClusterSpec(config), EMPTY_REGISTRY)).toEqual([]);
    });
  }

  it("steps around Fluvio's own defaults and other well-known owners in the preset ranges", () => {
    const plan = planCluster({ environment: "dev", spus: 12 }, { stack: "dev" });
    const used = plan.ports.map((row) => row.port);
    for (const wellKnown of [9000, 9001, 9003, 9004, 9005, 9006, 9009, 9010, 9042, 9090, 9092, 9101, 9200, 9229]) expect(used).not.toContain(wellKnown);
  });

  it("never assigns a port another stack on the same host recorded, but ignores stacks on other hosts", () => {
    const other = planCluster(dev, { stack: "other" });
    const registry = withRecord(EMPTY_REGISTRY, recordOf(other));
    const mine = planCluster(dev, { stack: "dev", registry });
    const theirs = new Set(other.ports.map((row) => row.port));
    expect(mine.ports.filter((row) => theirs.has(row.port))).toEqual([]);
    const elsewhere = planCluster({ ...dev, host: "box-2" }, { stack: "dev", registry });
    expect(elsewhere.ports.map((row) => row.port)).toEqual(other.ports.map((row) => row.port));
  });

  it("host groups share their claims with every member", () => {
    const registry = parseRegistry("hostGroups:\n  ci: [ci-1, ci-2]\nclaims:\n  - { owner: runner cache, ports: 9000-9050, hosts: [ci] }\n");
    const plan = planCluster({ ...dev, host: "ci-2" }, { stack: "pr-1", registry });
    expect(plan.ports.filter((row) => row.role === "public").every((row) => row.port > 9050)).toBe(true);
  });
});

describe("rule 2: deterministic", () => {
  it("the same config and stack give a byte-identical plan, in any order of the SPU list", () => {
    const list = [{ id: 7, rack: "a" }, { id: 3 }, { id: 12, publicPort: 9050 }, { id: 5 }];
    const forward = planCluster({ environment: "dev", strategy: "stack-hash", spus: list }, { stack: "pr-42" });
    const reversed = planCluster({ environment: "dev", strategy: "stack-hash", spus: [...list].reverse() }, { stack: "pr-42" });
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(forward));
  });

  it("stack-hash puts different stacks sharing one range in different places", () => {
    const config = { environment: "dev", spus: 3, strategy: "stack-hash" } as const;
    const a = planCluster(config, { stack: "pr-101" }).ports.map((row) => row.port);
    const b = planCluster(config, { stack: "pr-102" }).ports.map((row) => row.port);
    expect(a).not.toEqual(b);
  });
});

describe("rule 3: stable", () => {
  for (const strategy of ["sequential", "stack-hash"] as const) {
    it(`${strategy}: adding SPUs or removing the highest ids never moves the SPUs that stay, even with no record`, () => {
      const three = planCluster({ ...dev, strategy, spus: 3 }, { stack: "dev" });
      const five = planCluster({ ...dev, strategy, spus: 5 }, { stack: "dev" });
      const four = planCluster({ ...dev, strategy, spus: 4 }, { stack: "dev" });
      expect(movedPorts(three, five)).toEqual([]);
      expect(movedPorts(five, four)).toEqual([]);
    });

    it(`${strategy}: with the stack's record, no change of the SPU list moves an SPU that stays`, () => {
      const before = planCluster({ environment: "dev", strategy, spus: [{ id: 10 }, { id: 20 }, { id: 30 }] }, { stack: "dev" });
      const registry = parseRegistry(formatRegistry(withRecord(EMPTY_REGISTRY, recordOf(before))));
      const after = planCluster({ environment: "dev", strategy, spus: [{ id: 1 }, { id: 20 }, { id: 25 }, { id: 30 }] }, { stack: "dev", registry });
      expect(movedPorts(before, after)).toEqual([]);
      expect(after.ports.find((row) => row.owner === "spu-20")?.source).toBe("recorded");
    });
  }

  it("a pin is honoured exactly", () => {
    const plan = planCluster({ environment: "dev", spus: [{ id: 1, publicPort: 9077, privatePort: 9177, metricsPort: 9277 }] }, { stack: "dev" });
    expect(plan.spus[0]?.ports).toEqual({ public: 9077, private: 9177, metrics: 9277 });
    expect(plan.ports.filter((row) => row.owner === "spu-1").map((row) => row.source)).toEqual(["pinned", "pinned", "pinned"]);
  });

  it("a pin on a well-known owner's port is honoured with a warning, not refused", () => {
    const plan = planCluster({ environment: "dev", spus: [{ id: 1, publicPort: 9092 }] }, { stack: "dev" });
    expect(plan.spus[0]?.ports.public).toBe(9092);
    expect(plan.warnings.join("\n")).toMatch(/9092.*Kafka/);
  });

  it("a new pin on a port the registry records for another SPU is rejected, not moved", () => {
    const before = planCluster(dev, { stack: "dev" });
    const registry = withRecord(EMPTY_REGISTRY, recordOf(before));
    const taken = before.spus[0]!.ports.public;
    expect(() => planCluster({ environment: "dev", spus: [{ id: 5001 }, { id: 5002 }, { id: 5003 }, { id: 5004, publicPort: taken }] }, { stack: "dev", registry })).toThrow(
      new RegExp(`${taken} is recorded in the port registry for SPU 5001 public`),
    );
  });

  it("a recorded port that left its range moves with a warning, never silently", () => {
    const before = planCluster(dev, { stack: "dev" });
    const registry = withRecord(EMPTY_REGISTRY, recordOf(before));
    const after = planCluster({ ...dev, ports: { public: "9400-9500" } }, { stack: "dev", registry });
    expect(after.spus[0]!.ports.public).toBeGreaterThanOrEqual(9400);
    expect(after.warnings.join("\n")).toMatch(/recorded port \d+ is outside ports.public 9400-9500 now, so it moves/);
  });
});

describe("rule 4: exhaustion and conflicts are ConfigErrors, never a moved port", () => {
  it("a pin on another pin", () => {
    expect(() => planCluster({ environment: "dev", spus: [{ id: 1, publicPort: 9050 }], sc: { publicPort: 9050 } }, { stack: "dev" })).toThrow(ConfigError);
  });

  it("too many SPUs for a range names the numbers", () => {
    expect(() => planCluster({ environment: "dev", spus: 200 }, { stack: "dev" })).toThrow(/201 public ports needed .* but only \d+ of its 101 ports are free/);
  });

  it("falls back to a well-known owner's port only when nothing else is free, and says so", () => {
    const plan = planCluster({ spus: 2, ports: { public: "9000-9002", private: "9150-9160", metrics: "9250-9260" } }, { stack: "dev" });
    expect(plan.ports.filter((row) => row.role === "public").map((row) => row.port)).toEqual([9002, 9000, 9001]);
    expect(plan.warnings.filter((warning) => warning.includes("usually holds"))).toHaveLength(2);
  });
});

describe("rule 5: matching mappings", () => {
  it("the planned number is the one in the command, the endpoints and the registration", () => {
    const config = { environment: "dev", spus: 4, localEndpoint: { host: "host.docker.internal" } } as const;
    const plan = planCluster(config, { stack: "dev" });
    expect(brokenPortRules(plan, parseClusterSpec(config), EMPTY_REGISTRY)).toEqual([]);
    for (const spu of plan.spus) expect(spu.local).toBe(`host.docker.internal:${spu.ports.public}`);
  });
});

describe("the host's ephemeral port range", () => {
  it("warns when a range overlaps it", () => {
    const plan = planCluster({ spus: 1, ports: { public: "40000-40100", private: "9101-9200", metrics: "9201-9300" } }, { stack: "dev" });
    expect(plan.warnings.join("\n")).toMatch(/ports.public 40000-40100 overlaps the host's ephemeral port range 32768-60999/);
    const tuned = planCluster({ environment: "prod", spus: 1 }, { stack: "prod", ephemeralRange: { from: 10000, to: 65000 } });
    expect(tuned.warnings.join("\n")).toMatch(/10000-10100 overlaps the host's ephemeral port range 10000-65000/);
  });
});
