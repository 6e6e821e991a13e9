/** `fluvio-ports schema`: the JSON Schema of the `fluvio-spu:cluster` value, for editors. */
import { clusterJsonSchema } from "../config/schema";
import { EXIT } from "./failure";
import type { CommandInput } from "./input";
import { printData } from "./print";

/** Runs `schema`: JSON (default, and for table/wide: a schema has no table form) or YAML. */
export async function runSchema(input: CommandInput): Promise<number> {
  printData({ ...input, output: input.output === "yaml" ? "yaml" : "json" }, clusterJsonSchema());
  return EXIT.ok;
}
