/**
 * `npm run package-schema`: writes schema.json, the Pulumi package schema of `fluvio-spu`,
 * generated from the config schema (src/provider/schema.ts). test/unit/package-schema.test.ts
 * fails when the committed file is stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageSchemaText } from "../src/provider/schema";
import { providerVersion } from "../src/provider/provider";

const file = join(__dirname, "..", "schema.json");
writeFileSync(file, packageSchemaText(providerVersion()));
process.stdout.write(`wrote ${file}\n`);
