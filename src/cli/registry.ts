/** `fluvio-ports registry prune`: drop the records of stacks that no longer have a stack file (a dry run first). */
import { listStacks, registryPath } from "../config/stack";
import { removeFromRegistry } from "../config/registry-file";
import { lockTimeoutFromEnv } from "../config/files";
import { pruneRecords } from "../ports/prune";
import { EXIT } from "./failure";
import { booleanFlag, type CommandInput } from "./input";
import { readRegistry } from "./plan";
import { isDataOutput, printData } from "./print";

/** Runs `registry prune`: lists (dry run) or removes (`--apply`) the records of stacks without a stack file. */
export async function runRegistryPrune(input: CommandInput): Promise<number> {
  const apply = booleanFlag(input, "apply");
  const path = registryPath(input.root);
  const { removed } = pruneRecords(readRegistry(input.root), listStacks(input.root));
  if (isDataOutput(input)) printData(input, { applied: apply && removed.length > 0, removed });
  if (removed.length === 0) {
    if (!isDataOutput(input)) input.streams.out(`nothing to prune: every record in ${path} belongs to a stack with a stack file\n`);
    return EXIT.ok;
  }
  const verb = apply ? "removed" : "would remove";
  if (!isDataOutput(input)) {
    for (const record of removed) {
      const ports = Object.values(record.nodes).flatMap((nodes) => Object.values(nodes) as number[]).sort((a, b) => a - b);
      input.streams.out(`${verb} the record of stack ${record.stack} (cluster ${record.cluster}, host ${record.host}): ports ${ports.join(", ")}\n`);
    }
  }
  if (!apply) {
    input.streams.err(`dry run: no stack file for ${removed.map((record) => record.stack).join(", ")}; run \`fluvio-ports registry prune --apply\` to remove ${removed.length === 1 ? "it" : "them"}, then review and commit ${path}\n`);
    return EXIT.ok;
  }
  // Under the registry's lock, against the registry as it is now: the pruned records' lines are cut, comments and other entries stay.
  removeFromRegistry(path, (current) => pruneRecords(current, listStacks(input.root)).removed, { timeoutMs: lockTimeoutFromEnv() });
  input.streams.err(`wrote ${path}: review and commit it\n`);
  return EXIT.ok;
}
