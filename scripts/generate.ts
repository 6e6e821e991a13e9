/**
 * `npm run docs`: writes what is generated from the code, so that it cannot drift from it —
 * the config types (from the zod schema), the config reference and the CLI reference (from the
 * schema and the command table). test/unit/generated.test.ts fails when a file here is stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED } from "./generate/files";

const root = join(__dirname, "..");
for (const [path, text] of Object.entries(GENERATED)) {
  writeFileSync(join(root, path), text());
  process.stdout.write(`wrote ${path}\n`);
}
