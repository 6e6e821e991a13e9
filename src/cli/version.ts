/** `fluvio-ports version`: this tool's version, the Fluvio release it deploys by default, and Node's. */
import { FLUVIO_VERSION } from "../config/presets";
import { EXIT } from "./failure";
import type { CommandInput } from "./input";
import { isDataOutput, printData } from "./print";
import { packageVersion } from "./project";

/** Runs `version`: a line each (table), or `{ fluvioPorts, fluvio, node }` (json, yaml). */
export async function runVersion(input: CommandInput): Promise<number> {
  const versions = { fluvioPorts: packageVersion(), fluvio: FLUVIO_VERSION, node: process.versions.node };
  if (isDataOutput(input)) printData(input, versions);
  else input.streams.out(`fluvio-ports ${versions.fluvioPorts}\nFluvio      ${versions.fluvio} (the release clusters run unless images.fluvio names another)\nNode.js     ${versions.node}\n`);
  return EXIT.ok;
}
