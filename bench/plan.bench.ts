/**
 * Planning figures: time to plan 1,000 SPUs over wide ranges, for both strategies, against
 * the naive way measured in the same run (for every port, scan the range from its start and
 * test every earlier assignment: what a hand-written loop does); and a port registry of 1,000
 * records and claims: read by the fast reader against the reference reading (yaml + zod), and
 * planned with.
 */
import { planCluster } from "../src/plan/plan";
import { formatRegistry, parseRegistry, validateRegistryText } from "../src/ports/registry";
import { largeRegistry } from "./cli.bench";
import { medianMs, printFigures } from "./support";

const SPUS = 1000;
const wideRanges = { public: "20000-29999", private: "30000-39999", metrics: "40000-49999" };

/** The naive allocator: lowest port not in a list of taken ports (a linear search per port). */
function naiveSequential(count: number, from: number, to: number, avoid: number[]): number[] {
  const taken: number[] = [...avoid];
  const result: number[] = [];
  for (let node = 0; node < count; node++) {
    for (let port = from; port <= to; port++) {
      if (!taken.includes(port)) {
        taken.push(port);
        result.push(port);
        break;
      }
    }
  }
  return result;
}

export async function run(): Promise<void> {
  const config = (strategy: string) => ({ spus: SPUS, ports: wideRanges, strategy, reserved: ["20000-20499"] });
  const reserved = Array.from({ length: 500 }, (_, index) => 20000 + index);
  const sequential = await medianMs(15, () => planCluster(config("sequential"), { stack: "bench" }));
  const hashed = await medianMs(15, () => planCluster(config("stack-hash"), { stack: "bench" }));
  const naive = await medianMs(15, () => {
    for (const [from, to, avoid] of [[20000, 29999, reserved], [30000, 39999, []], [40000, 49999, []]] as const) naiveSequential(SPUS + 1, from, to, [...avoid]);
  });
  const small = await medianMs(50, () => planCluster({ environment: "dev", spus: 3 }, { stack: "dev" }));
  printFigures("planCluster", [
    { name: `plan ${SPUS} SPUs (3 roles, 10,000-port ranges), sequential`, value: sequential, unit: "ms", note: "median of 15" },
    { name: `plan ${SPUS} SPUs (3 roles, 10,000-port ranges), stack-hash`, value: hashed, unit: "ms", note: "median of 15" },
    { name: `naive linear-search allocation of the same ports alone`, value: naive, unit: "ms", note: "median of 15; no validation, no plan" },
    { name: "naive / planCluster(sequential)", value: naive / sequential, unit: "×" },
    { name: "plan the dev stack (3 SPUs)", value: small, unit: "ms", note: "median of 50" },
  ]);

  // A registry of 1,000 records and 1,000 claims, as `--record` writes it: read, and planned with.
  const text = formatRegistry(largeRegistry());
  const registry = parseRegistry(text);
  const dev = { environment: "dev", spus: 3 };
  const read = await medianMs(15, () => parseRegistry(text));
  const reference = await medianMs(15, () => validateRegistryText(text, "registry"));
  const planLarge = await medianMs(50, () => planCluster(dev, { stack: "dev", registry }));
  printFigures("port registry of 1,000 records and 1,000 claims (in process)", [
    { name: `parseRegistry (${(text.length / 1024).toFixed(0)} KiB, the fast reader)`, value: read, unit: "ms", note: "median of 15" },
    { name: "the reference reading alone: yaml + zod (the way before)", value: reference, unit: "ms", note: `median of 15; ${(reference / read).toFixed(1)}x parseRegistry` },
    { name: "plan the dev stack with it", value: planLarge, unit: "ms", note: `median of 50; ${(planLarge / small).toFixed(1)}x with no registry` },
  ]);
}
