/**
 * `npm run bench`: every `bench/*.bench.ts` in turn, each printing its figures (medians over
 * several runs, and ratios against the naive way measured in the same run).
 */
import { readdirSync } from "node:fs";

// `pulumi up` runs the compiled program (dist/), where stack traces are not rewritten through
// source maps; tsx turns that on, and Pulumi's SDK takes a stack trace for every promise it
// tracks, which would bill source-map work to the program under test.
process.setSourceMapsEnabled(false);
import { join } from "node:path";

async function main(): Promise<void> {
  const only = process.argv[2];
  const dir = __dirname;
  const files = readdirSync(dir).filter((file) => file.endsWith(".bench.ts") && (!only || file.includes(only))).sort();
  console.log(`fluvio-spu bench on node ${process.version}, ${files.length} suite(s)`);
  for (const file of files) {
    const suite = (await import(join(dir, file))) as { run: () => Promise<void> };
    await suite.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
