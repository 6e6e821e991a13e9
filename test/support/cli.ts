/** Runs the fluvio-ports CLI: in-process (`runCli`), or as a user does, the installed bin in a copy of the project (`runBin`). */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli";
import { PROJECT_ROOT } from "./pulumi";

export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

/**
 * A copy of the project as a user has it after `npm install`: Pulumi.yaml, stacks/, the bin,
 * the built dist/ and package.json, with node_modules linked. Commands that write (--record,
 * render) write here, never into the repository.
 */
export function installedCopy(options: { records?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), "fluvio-spu-bin-"));
  for (const entry of ["Pulumi.yaml", "stacks", "bin", "dist", "package.json"]) cpSync(join(PROJECT_ROOT, entry), join(root, entry), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  if (options.records === false) {
    // The shipped registry records dev and prod; some tests start from stacks never recorded.
    const registry = join(root, "stacks", "ports.registry.yaml");
    const text = readFileSync(registry, "utf8");
    writeFileSync(registry, `${text.slice(0, text.search(/^records:/m))}records: []\n`);
  }
  return root;
}

/** What a run of the bin gave: exit status, stdout and stderr. */
export interface BinRun {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `node <root>/bin/fluvio-ports.js ...args` in `cwd` (default: `root`). */
export function runBin(root: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): BinRun {
  const result = spawnSync(process.execPath, [join(root, "bin/fluvio-ports.js"), ...args], { cwd: options.cwd ?? root, encoding: "utf8", env: options.env ?? process.env });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** Runs a bash command line (for pipes: `$FLUVIO_PORTS plan ... | head -1`), with `$FLUVIO_PORTS` the installed bin, under pipefail. */
export function runShell(root: string, line: string, env: NodeJS.ProcessEnv = process.env): BinRun {
  const result = spawnSync("bash", ["-c", `set -o pipefail; ${line}`], { cwd: root, encoding: "utf8", env: { ...env, FLUVIO_PORTS: `${process.execPath} ${join(root, "bin/fluvio-ports.js")}` } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}
