/** `fluvio-ports schema`: the JSON Schema of the `fluvio-spu:cluster` value, for editors. */
import { clusterJsonSchema, stackFileJsonSchema } from "../config/schema";
import { CLUSTER_CONFIG_KEY } from "../config/stack";
import { EXIT } from "./failure";
import { booleanFlag, stringFlag, type CommandInput } from "./input";
import { printData } from "./print";

/**
 * Runs `schema`: the cluster value's schema, or with `--stack-file` a whole stack file's (the
 * cluster under `--key`, default fluvio-spu:cluster). JSON (default, and for table/wide: a
 * schema has no table form) or YAML.
 */
export async function runSchema(input: CommandInput): Promise<number> {
  const schema = booleanFlag(input, "stack-file") ? stackFileJsonSchema(stringFlag(input, "key") ?? CLUSTER_CONFIG_KEY) : clusterJsonSchema();
  printData({ ...input, output: input.output === "yaml" ? "yaml" : "json" }, schema);
  return EXIT.ok;
}
