/**
 * `fluvio-ports plan --diff` against the real Pulumi CLI and a local file backend, as
 * `npm run up` leaves one (`.pulumi-state/`): the deployed `ports` output is read with no
 * Pulumi Cloud login, no access token and no network, from a HOME with no Pulumi credentials.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installedCopy, runBin } from "../support/cli";
import { engineTierSkip, TOOLCHAIN_BIN } from "./support/toolchain";

const skip = engineTierSkip("test/engine/cli-diff.test.ts", { engines: ["pulumi"] });
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skip !== undefined)("plan --diff with the real pulumi CLI and a local file backend", () => {
  it("reads the deployed ports from .pulumi-state with no access token, and says which moved", () => {
    const root = installedCopy();
    const home = mkdtempSync(join(tmpdir(), "fluvio-ports-diff-home-"));
    made.push(root, home);
    // What `npm run up -- dev` leaves behind: the stack on the project's own backend, its outputs.
    const env: NodeJS.ProcessEnv = { PATH: `${TOOLCHAIN_BIN}:${process.env.PATH ?? ""}`, HOME: home, PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" };
    const state = join(root, ".pulumi-state");
    mkdirSync(state);
    const pulumi = (...args: string[]) => spawnSync("pulumi", args, { cwd: root, encoding: "utf8", env: { ...env, PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: "fluvio-spu-local-dev" } });
    expect(pulumi("stack", "init", "dev", "--non-interactive").status).toBe(0);
    const planned = JSON.parse(runBin(root, ["plan", "--stack", "dev", "-o", "json"]).out) as { ports: { owner: string; role: string; port: number }[] };
    const deployed = planned.ports.map((row) => (row.owner === "spu-5002" && row.role === "public" ? { ...row, port: 9050 } : row));
    const deployment = { version: 3, deployment: { manifest: { time: new Date().toISOString(), magic: "", version: "" }, resources: [{ urn: "urn:pulumi:dev::fluvio-spu::pulumi:pulumi:Stack::fluvio-spu-dev", custom: false, type: "pulumi:pulumi:Stack", outputs: { ports: deployed } }] } };
    writeFileSync(join(home, "state.json"), JSON.stringify(deployment));
    const imported = pulumi("stack", "import", "--stack", "dev", "--file", join(home, "state.json"));
    expect(imported.status, imported.stderr).toBe(0);

    // No PULUMI_BACKEND_URL, no passphrase, no credentials: fluvio-ports finds .pulumi-state itself.
    const diff = runBin(root, ["plan", "--stack", "dev", "--diff"], { env });
    expect(diff.code, diff.err).toBe(0);
    expect(diff.err).not.toMatch(/ACCESS_TOKEN|login/);
    expect(diff.out).toMatch(/^NODE\s+ROLE\s+RECORDED\s+DEPLOYED\s+PLANNED\s+CHANGE$/m);
    expect(diff.out).toMatch(/^SPU 5002\s+public\s+9008\s+9050\s+9008\s+moves$/m);
  });

  it("without any state backend, asks pulumi nothing (no access token prompt) and says nothing was deployed from here", () => {
    const root = installedCopy();
    const home = mkdtempSync(join(tmpdir(), "fluvio-ports-diff-home-"));
    made.push(root, home);
    const diff = runBin(root, ["plan", "--stack", "dev", "--diff"], { env: { PATH: `${TOOLCHAIN_BIN}:${process.env.PATH ?? ""}`, HOME: home } });
    expect(diff.code, diff.err).toBe(0);
    expect(diff.err).toContain("no state backend to read (no .pulumi-state/, PULUMI_BACKEND_URL or pulumi login): nothing was deployed from here");
    expect(diff.err).not.toMatch(/ACCESS_TOKEN/);
  });
});
