/**
 * No result may change (issue #13): 1,000 random configs with random port registries (as YAML
 * text), planned by the code before the performance work, each result's SHA-256 committed in
 * test/fixtures/plan-snapshot/plans.json. Today's planner must give byte-identical plans and
 * byte-identical ConfigErrors for every one of them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scenarioOutput, sha256, type SnapshotEntry } from "../support/plan-scenarios";

const entries = JSON.parse(readFileSync(join(__dirname, "../fixtures/plan-snapshot/plans.json"), "utf8")) as SnapshotEntry[];

describe("plans are byte-identical to the snapshot made before the performance work", () => {
  it(`${entries.length} configs and registries give the same plan JSON or the same ConfigError`, () => {
    const outputs = entries.map(scenarioOutput);
    const changed = entries.flatMap((entry, index) => (sha256(outputs[index]!) === entry.result ? [] : [`#${index} stack ${entry.stack}: ${outputs[index]!.slice(0, 300)}`]));
    expect(changed).toEqual([]);
    const planned = outputs.filter((output) => output.startsWith("plan ")).length;
    // Both sides must be exercised, or the snapshot proves little.
    expect(planned).toBeGreaterThan(entries.length / 5);
    expect(entries.length - planned).toBeGreaterThan(entries.length / 5);
  });

  it("the comparison can fail: one changed port in a plan gives another hash", () => {
    const entry = entries.find((candidate) => scenarioOutput(candidate).startsWith("plan "))!;
    const output = scenarioOutput(entry);
    expect(sha256(output.replace(/"port": (\d+)/, (_, port: string) => `"port": ${Number(port) + 1}`))).not.toBe(entry.result);
  });
});
