/**
 * Writes test/fixtures/plan-snapshot/plans.json: the scenarios of `plan-scenarios.ts` with
 * the SHA-256 of what each gives now. Made once with the planner as it was before the
 * performance work (issue #13); re-run only when a result is meant to change, and say so in
 * the commit. `npx tsx test/support/write-plan-snapshot.ts`
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sampleScenarios, scenarioOutput, sha256, type SnapshotEntry } from "./plan-scenarios";

export const SNAPSHOT_FILE = join(__dirname, "../fixtures/plan-snapshot/plans.json");
const COUNT = 1000;
const SEED = 13;

const entries: SnapshotEntry[] = sampleScenarios(COUNT, SEED).map((scenario) => ({ ...scenario, result: sha256(scenarioOutput(scenario)) }));
mkdirSync(dirname(SNAPSHOT_FILE), { recursive: true });
writeFileSync(SNAPSHOT_FILE, `[\n${entries.map((entry) => JSON.stringify(entry)).join(",\n")}\n]\n`);
const planned = entries.filter((entry) => scenarioOutput(entry).startsWith("plan ")).length;
console.log(`wrote ${entries.length} scenarios (${planned} planned, ${entries.length - planned} rejected) to ${SNAPSHOT_FILE}`);
