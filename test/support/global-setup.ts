/**
 * Builds dist/ once before any test, as `npm run build` does: the CLI tests run bin/fluvio-ports
 * (which prefers the one-file bundle scripts/bundle-cli.js makes) and live images carry compiled
 * files. tsc emits even when a file has type errors; those fail `npm run typecheck`, which
 * `npm test` runs first, so here they are only reported.
 */
import { spawnSync } from "node:child_process";
import { tierSkipLine } from "../engine/support/toolchain";

export default function setup(): void {
  // The engine tier needs the toolchain and the control plane; without them, one line says so.
  const skipLine = process.env.CI === "true" ? undefined : tierSkipLine();
  if (skipLine !== undefined) console.warn(skipLine);
  const build = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { encoding: "utf8" });
  if (build.status !== 0) {
    console.warn(`global setup: tsc reported type errors (dist/ was still emitted):\n${build.stdout.split("\n").slice(0, 10).join("\n")}`);
  }
  const bundle = spawnSync(process.execPath, ["scripts/bundle-cli.js"], { encoding: "utf8" });
  if (bundle.status !== 0) throw new Error(`global setup: bundling the CLI failed:\n${bundle.stderr}`);
}
