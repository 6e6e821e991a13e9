/**
 * Prometheus's own binaries (Debian's `prometheus` package: `promtool`, `prometheus`), for the
 * tests that check our rules with them. Missing outside CI: the test skips with a loud line;
 * under CI=true it fails (.ci/run installs the package).
 */
import { spawnSync } from "node:child_process";

/** The binary's path on the PATH, or undefined. */
export function binaryPath(name: "promtool" | "prometheus"): string | undefined {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const path = found.stdout.trim();
  return found.status === 0 && path !== "" ? path : undefined;
}

/** True when `name` is missing and the test should skip (after a loud line); throws under CI. */
export function skipWithout(name: "promtool" | "prometheus", file: string): boolean {
  if (binaryPath(name) !== undefined) return false;
  const reason = `${name} is not on the PATH (Debian: apt-get install prometheus)`;
  if (process.env.CI === "true") throw new Error(`${file}: ${reason}; CI must run it (.ci/run installs it)`);
  console.warn(`\n*** SKIPPING ${file}: ${reason}. ***\n`);
  return true;
}
