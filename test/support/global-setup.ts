/** Builds dist/ once before any test: the CLI tests run bin/fluvio-ports and live images carry compiled files. */
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
