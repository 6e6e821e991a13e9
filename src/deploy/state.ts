/**
 * Reading a stack's Pulumi state the way `npm run up` deploys it: `pulumi stack export` on the
 * same backend (PULUMI_BACKEND_URL as set, else `file://<project>/.pulumi-state`), with the same
 * passphrase default (scripts/state.sh), and the same CLI (`.toolchain/bin/pulumi` first when
 * the project has one). `fluvio-ports doctor`, `npm run up` (src/deploy/recover.ts) and the
 * component's preview use it to tell the containers Pulumi tracks from orphans
 * (src/preflight/orphans.ts). Never throws: a state that cannot be read is a reason.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseStackExport, type StackState } from "../preflight/orphans";

/** The passphrase `npm run up` uses on a file backend when none is set (it protects nothing; scripts/state.sh). */
export const LOCAL_DEV_PASSPHRASE = "fluvio-spu-local-dev";

/** How long `pulumi stack export` may take. */
const EXPORT_TIMEOUT_MS = 60_000;

/**
 * Pure: the environment `npm run up` gives `pulumi` in project `root`: the backend and the
 * passphrase defaults of scripts/state.sh, `.toolchain/bin` first on PATH when it holds a
 * `pulumi` (`hasToolchain`), and no plugin downloads then.
 */
export function stateEnvironment(root: string, env: NodeJS.ProcessEnv, hasToolchain: boolean): NodeJS.ProcessEnv {
  const backend = env.PULUMI_BACKEND_URL || `file://${root}/.pulumi-state`;
  const filePassphrase = backend.startsWith("file://") && !env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE;
  const bin = join(root, ".toolchain", "bin");
  return {
    ...env,
    PULUMI_BACKEND_URL: backend,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    ...(filePassphrase ? { PULUMI_CONFIG_PASSPHRASE: LOCAL_DEV_PASSPHRASE } : {}),
    ...(hasToolchain ? { PATH: `${bin}:${env.PATH ?? ""}`, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" } : {}),
  };
}

/** The state, or why it could not be read (`missing`: the stack does not exist on that backend, so it tracks nothing). */
export type StateAnswer = { ok: true; state: StackState } | { ok: false; missing: boolean; reason: string };

/** Options of `readStackState`. */
export interface ReadStateOptions {
  /** The project folder (where Pulumi.yaml is); default the working directory. */
  root?: string;
  env?: NodeJS.ProcessEnv;
  /** The CLI to run; default `pulumi` from the PATH `stateEnvironment` gives. */
  pulumi?: string;
}

/**
 * `pulumi stack export --stack <stack>` on `npm run up`'s backend, parsed. A stack that does
 * not exist there answers `missing` (nothing is tracked, nothing deployed from this backend).
 */
export function readStackState(stack: string, options: ReadStateOptions = {}): Promise<StateAnswer> {
  const root = options.root ?? process.cwd();
  const env = stateEnvironment(root, options.env ?? process.env, existsSync(join(root, ".toolchain", "bin", "pulumi")));
  const command = options.pulumi ?? "pulumi";
  return new Promise((resolve) => {
    const child = spawn(command, ["stack", "export", "--stack", stack], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), EXPORT_TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, missing: false, reason: `${command} could not be run (${error.message})` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString("utf8").trim();
      if (code !== 0) {
        const missing = /no stack named|not found|does not exist/i.test(stderr);
        resolve({ ok: false, missing, reason: `pulumi stack export --stack ${stack} failed (exit ${code}): ${lastLine(stderr)}` });
        return;
      }
      try {
        resolve({ ok: true, state: parseStackExport(Buffer.concat(out).toString("utf8")) });
      } catch (error) {
        resolve({ ok: false, missing: false, reason: `pulumi stack export --stack ${stack} gave no state: ${(error as Error).message}` });
      }
    });
  });
}

function lastLine(text: string): string {
  return text.split("\n").filter((line) => line.trim() !== "").pop() ?? "no message";
}
