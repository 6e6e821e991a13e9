/** Printing data as `-o json` or `-o yaml` asks. */
import { stringify as stringifyYaml } from "yaml";
import type { CommandInput } from "./input";

/** Prints `value` on stdout as JSON (two-space indent) or YAML; other outputs are the caller's. */
export function printData(input: CommandInput, value: unknown): void {
  if (input.output === "yaml") input.streams.out(stringifyYaml(value));
  else input.streams.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Whether the output is data (json or yaml) rather than text for people. */
export function isDataOutput(input: CommandInput): boolean {
  return input.output === "json" || input.output === "yaml";
}
