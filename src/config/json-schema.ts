/**
 * The JSON Schema of the `fluvio-spu:cluster` value (what a stack file holds under that key),
 * from the same zod schema `parseClusterSpec` validates with: editors and YAML language servers
 * check stack files against it. The input side: defaults are optional, ranges take every form
 * the config accepts.
 */
import { z } from "zod";
import { clusterConfigSchema } from "./schema";

/** The JSON Schema (draft 2020-12) of the cluster config value. */
export function clusterJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(clusterConfigSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { ...schema, title: "fluvio-spu:cluster", description: "A Fluvio cluster (one SC, N SPUs) and its port plan: the value of fluvio-spu:cluster in stacks/Pulumi.<stack>.yaml." };
}
