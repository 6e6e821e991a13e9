/**
 * Pulumi's Automation API on the CLI `npm run toolchain` built: a local `file://` backend in a
 * temporary folder, a throwaway passphrase, no plugin downloads and no update check, and
 * .toolchain/bin first on PATH so that the providers are found there.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalWorkspace, PulumiCommand, type InlineProgramArgs, type Stack } from "@pulumi/pulumi/automation";
import { TOOLCHAIN, TOOLCHAIN_BIN } from "./toolchain";

export interface EngineSandbox {
  /** The temporary folder holding the backend, PULUMI_HOME and the workspaces. */
  dir: string;
  backendUrl: string;
  envVars: Record<string, string>;
  stack(args: InlineProgramArgs): Promise<Stack>;
  dispose(): void;
}

/** A sandbox; `env` adds to the engine's environment (KUBECONFIG, for one). */
export async function engineSandbox(env: Record<string, string> = {}): Promise<EngineSandbox> {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-engine-"));
  mkdirSync(join(dir, "state"));
  const backendUrl = `file://${join(dir, "state")}`;
  const envVars: Record<string, string> = {
    PULUMI_BACKEND_URL: backendUrl,
    PULUMI_HOME: join(dir, "home"),
    PULUMI_CONFIG_PASSPHRASE: "fluvio-spu-engine-tier",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PATH: `${TOOLCHAIN_BIN}:${process.env.PATH ?? ""}`,
    ...env,
  };
  const pulumiCommand = await PulumiCommand.get({ root: TOOLCHAIN });
  return {
    dir,
    backendUrl,
    envVars,
    stack: (args) =>
      LocalWorkspace.createOrSelectStack(args, {
        pulumiCommand,
        envVars,
        workDir: mkdtempSync(join(dir, "ws-")),
        projectSettings: { name: args.projectName, runtime: "nodejs", backend: { url: backendUrl } },
      }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
