/**
 * `--record` into a registry of the size a platform team reaches: 2,000 records (on five hosts),
 * and 2,000 records on 2,000 hosts. The splice of a record into a registry in the layout
 * `formatRegistry` writes (read and checked by the fast reader) against the general way every
 * edit took before (the YAML library's document and two full parses with the schema), in the
 * same run; and the whole `plan --stack dev --record` in process.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/cli";
import { formatRegistry, type PortRegistry } from "../src/ports/registry";
import { writeRecordText, writeRecordTextGeneral } from "../src/ports/registry-edit";
import { largeRegistry } from "./cli.bench";
import { medianMs, printFigures } from "./support";

const ROOT = join(__dirname, "..");
const RECORD = { stack: "dev", cluster: "fluvio", host: "localhost", nodes: { sc: { public: 9002, private: 9103 }, "spu-5001": { public: 9007, private: 9105, metrics: 9201 } } };

function manyHosts(size: number): PortRegistry {
  const registry = largeRegistry(size);
  return { ...registry, records: registry.records.map((record, index) => ({ ...record, host: `host-${index}` })) };
}

export async function run(): Promise<void> {
  for (const [what, registry] of [
    ["2,000 records on 5 hosts", largeRegistry(2000)],
    ["2,000 records on 2,000 hosts", manyHosts(2000)],
  ] as const) {
    const text = formatRegistry(registry);
    const spliced = await medianMs(9, () => writeRecordText(text, RECORD));
    const general = await medianMs(3, () => writeRecordTextGeneral(text, RECORD));
    const project = mkdtempSync(join(tmpdir(), "fluvio-registry-bench-"));
    try {
      copyFileSync(join(ROOT, "Pulumi.yaml"), join(project, "Pulumi.yaml"));
      const stacks = join(project, "stacks");
      mkdirSync(stacks);
      copyFileSync(join(ROOT, "stacks", "Pulumi.dev.yaml"), join(stacks, "Pulumi.dev.yaml"));
      const quiet = { out: () => undefined, err: () => undefined };
      const record = await medianMs(9, async () => {
        writeFileSync(join(stacks, "ports.registry.yaml"), text);
        const code = await main(["plan", "--stack", "dev", "--record", "--root", project], quiet);
        if (code !== 0) throw new Error(`plan --record exited ${code}`);
      });
      printFigures(`--record into a registry of ${what} (${(text.length / 1024).toFixed(0)} KiB, in process)`, [
        { name: "splice the record (the fast reader reads and checks it)", value: spliced, unit: "ms", note: "median of 9" },
        { name: "the way before: the YAML library's document, parsed three times", value: general, unit: "ms", note: `median of 3; ${(general / spliced).toFixed(1)}x the splice` },
        { name: "fluvio-ports plan --stack dev --record, whole command", value: record, unit: "ms", note: "median of 9; read, plan, lock, splice, write" },
      ]);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }
}
