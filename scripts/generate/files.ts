/** Every generated file of the repository, by path, with the function that writes its text. */
import { cliReference, configReference } from "./docs";
import { generatedTypes } from "./types";

export const GENERATED: Readonly<Record<string, () => string>> = {
  "src/config/types.generated.ts": generatedTypes,
  "docs/config.md": configReference,
  "docs/cli.md": cliReference,
};
