/**
 * Issue 12, part 3 in the pure core and the CLI: `strategy: isolated` plans around the ports the
 * edge found occupied (the other strategies ignore them, staying independent of the host), and
 * `fluvio-ports registry prune` lists, then (with --apply) drops, the records of stacks whose
 * stack file is gone.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planCluster } from "../../src";
import { recordOf } from "../../src/plan/record";
import { pruneRecords } from "../../src/ports/prune";
import { EMPTY_REGISTRY, formatRegistry, parseRegistry, withRecord, type PortRegistry } from "../../src/ports/registry";
import { runCli } from "../support/cli";
import { makeProject } from "../support/project";

const isolated = { environment: "dev", spus: 3, strategy: "isolated" };

describe("strategy: isolated", () => {
  it("steps around every occupied port, and is deterministic given them", () => {
    const free = planCluster(isolated, { stack: "pr-42", occupied: [] });
    const taken = free.ports.filter((row) => row.role === "public").map((row) => ({ port: row.port, holder: "nginx (pid 4242)" }));
    const around = planCluster(isolated, { stack: "pr-42", occupied: taken });
    const takenPorts = new Set(taken.map((entry) => entry.port));
    expect(around.ports.filter((row) => takenPorts.has(row.port))).toEqual([]);
    expect(planCluster(isolated, { stack: "pr-42", occupied: [...taken].reverse() })).toEqual(around);
    expect(around.warnings).toEqual([]);
  });

  it("places like stack-hash when nothing is occupied; the other strategies ignore occupied ports", () => {
    const hashed = planCluster({ ...isolated, strategy: "stack-hash" }, { stack: "pr-42" });
    expect(planCluster(isolated, { stack: "pr-42", occupied: [] }).ports).toEqual(hashed.ports);
    const occupied = hashed.ports.map((row) => ({ port: row.port, holder: "x" }));
    expect(planCluster({ ...isolated, strategy: "stack-hash" }, { stack: "pr-42", occupied }).ports).toEqual(hashed.ports);
  });

  it("a pin on an occupied port is a ConfigError naming the holder", () => {
    expect(() => planCluster({ ...isolated, spus: [{ id: 5001, publicPort: 9050 }] }, { stack: "pr-1", occupied: [{ port: 9050, holder: "redis-server (pid 7)" }] })).toThrow(
      /spus\[0\]\.publicPort: 9050 is held by redis-server \(pid 7\) \(strategy isolated plans around it\)/,
    );
  });

  it("warns when planned without the host's view and without a record; the record keeps it", () => {
    const blind = planCluster(isolated, { stack: "pr-9" });
    expect(blind.warnings).toEqual([expect.stringMatching(/^strategy isolated: stack pr-9 has no record yet .*fluvio-ports plan --stack pr-9 --record/)]);
    const registry = withRecord(EMPTY_REGISTRY, recordOf(blind));
    const kept = planCluster(isolated, { stack: "pr-9", registry });
    expect(kept.warnings).toEqual([]);
    expect(kept.ports.every((row) => row.source === "recorded")).toBe(true);
  });
});

describe("registry prune", () => {
  // Each stack recorded in turn, as --record does: planned around the records before it (two
  // stacks recorded on one port of a shared host are refused by the registry's validation).
  const registryText = () =>
    formatRegistry(
      ([[{ environment: "dev", spus: 1 }, "dev"], [isolated, "pr-7"], [isolated, "pr-8"]] as const).reduce<PortRegistry>(
        (registry, [config, stack]) => withRecord(registry, recordOf(planCluster(config, { stack, registry }))),
        { ...EMPTY_REGISTRY, claims: [{ owner: "redis", ports: { from: 6379, to: 6379 }, hosts: ["*"], source: "registry" as const }] },
      ),
    );

  it("pruneRecords keeps the records of living stacks and every claim", () => {
    const registry = parseRegistry(registryText(), "test");
    const { registry: kept, removed } = pruneRecords(registry, ["dev", "pr-8"]);
    expect(removed.map((record) => record.stack)).toEqual(["pr-7"]);
    expect(kept.records.map((record) => record.stack).sort()).toEqual(["dev", "pr-8"]);
    expect(kept.claims).toEqual(registry.claims);
  });

  it("lists first (a dry run that writes nothing), removes with --apply, then has nothing to do", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 }, "pr-8": isolated }, registryText());
    const file = join(root, "stacks", "ports.registry.yaml");
    const before = readFileSync(file, "utf8");
    const dry = await runCli(["registry", "prune", "--root", root]);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^would remove the record of stack pr-7 \(cluster fluvio, host localhost\): ports \d+/);
    expect(dry.err).toMatch(/dry run: no stack file for pr-7; run `fluvio-ports registry prune --apply`/);
    expect(readFileSync(file, "utf8")).toBe(before);
    const applied = await runCli(["registry", "prune", "--apply", "--root", root]);
    expect(applied.out).toMatch(/^removed the record of stack pr-7/);
    expect(parseRegistry(readFileSync(file, "utf8"), file).records.map((record) => record.stack).sort()).toEqual(["dev", "pr-8"]);
    expect((await runCli(["registry", "prune", "--root", root])).out).toMatch(/^nothing to prune/);
    expect((await runCli(["registry", "drop", "--root", root])).code).toBe(2);
  });
});
