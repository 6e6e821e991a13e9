/** A throwaway project root (Pulumi.yaml + stacks/) for CLI tests that write the registry. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

export function makeProject(stacks: Record<string, unknown>, registry?: string): string {
  const root = mkdtempSync(join(tmpdir(), "fluvio-spu-project-"));
  writeFileSync(join(root, "Pulumi.yaml"), "name: fluvio-spu\nruntime: nodejs\nstackConfigDir: stacks\n");
  mkdirSync(join(root, "stacks"));
  for (const [stack, cluster] of Object.entries(stacks)) {
    writeFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), stringify({ config: { "fluvio-spu:cluster": cluster } }));
  }
  if (registry !== undefined) writeFileSync(join(root, "stacks", "ports.registry.yaml"), registry);
  return root;
}
