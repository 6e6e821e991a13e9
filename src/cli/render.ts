/** `fluvio-ports render`: the stack as files (Compose or Kubernetes YAML, plus plan.json). */
import { askEngineOnce } from "../context";
import { renderStack } from "../render/stack";
import { UsageError } from "./usage-error";
import { EXIT } from "./failure";
import { booleanFlag, stackOf, stringFlag, type CommandInput } from "./input";
import { sourceOf } from "./plan";
import { isDataOutput, printData } from "./print";

/** Runs `render`: prints the paths it wrote (json/yaml: `{ files, warnings }`). */
export async function runRender(input: CommandInput): Promise<number> {
  const out = stringFlag(input, "out");
  if (out === undefined) throw new UsageError("render", "--out is required with render, for example --out rendered/dev");
  await askEngineOnce();
  const rendered = renderStack(input.root, stackOf(input), out, sourceOf(input), { force: booleanFlag(input, "force") });
  for (const warning of rendered.warnings) input.streams.err(`warning: ${warning}\n`);
  if (isDataOutput(input)) printData(input, { files: rendered.paths, warnings: rendered.warnings });
  else for (const path of rendered.paths) input.streams.out(`${path}\n`);
  return EXIT.ok;
}
