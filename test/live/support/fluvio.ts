/**
 * Real Fluvio 0.18.1 for the live tier: the SC/SPU image and the registration CLI image, made by
 * images/fluvio-engines/build.sh from the binaries `npm run toolchain` links into .toolchain/bin/
 * (checked there against ../shared/engines/SHA256SUMS), and the same `fluvio` CLI on the host.
 * Without the binaries the tests that need them skip with one loud line, outside CI only: under
 * CI=true a missing binary or package is a failure.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const PROJECT_ROOT = join(__dirname, "../../..");
export const TOOLCHAIN_BIN = join(PROJECT_ROOT, ".toolchain/bin");
/** The `fluvio` CLI on the host (the very binary the CLI image holds). */
export const FLUVIO_CLI = join(TOOLCHAIN_BIN, "fluvio");
const BUILD = join(PROJECT_ROOT, "images/fluvio-engines/build.sh");

/** The local tags of the two images: `fluvio` stands in for infinyon/fluvio:0.18.1, `cli` is images.cli. */
export interface FluvioImages {
  fluvio: string;
  cli: string;
}

let built: FluvioImages | undefined;

function unavailable(file: string, reason: string): undefined {
  if (process.env.CI === "true") throw new Error(`live tier ${file}: ${reason}; CI must run it on real Fluvio (.ci/run runs npm run toolchain and installs busybox-static and netcat-openbsd)`);
  console.warn(`\n*** SKIPPING real-Fluvio tests of ${file}: ${reason}. ***\n`);
  return undefined;
}

/**
 * Ensures the real Fluvio images exist on the engine (built once per content, reused after) and
 * returns their tags; undefined (after one loud line) when they cannot be made here.
 */
export function realFluvioImages(file: string): FluvioImages | undefined {
  if (built) return built;
  for (const name of ["fluvio-run", "fluvio"]) {
    if (!existsSync(join(TOOLCHAIN_BIN, name))) return unavailable(file, `.toolchain/bin/${name} is missing (run: npm run toolchain)`);
  }
  const run = spawnSync("bash", [BUILD], { encoding: "utf8", timeout: 300_000 });
  if (run.status === 3) return unavailable(file, run.stderr.trim().split("\n").pop() ?? "a piece of the images is missing");
  if (run.status !== 0) throw new Error(`images/fluvio-engines/build.sh failed (exit ${run.status}): ${run.stderr.trim()}`);
  const tags = Object.fromEntries(run.stdout.trim().split("\n").map((line) => line.split("=", 2) as [string, string]));
  if (!tags.fluvio || !tags.cli) throw new Error(`images/fluvio-engines/build.sh printed no tags: ${run.stdout}`);
  built = { fluvio: tags.fluvio, cli: tags.cli };
  return built;
}

/**
 * A shell line for a client container: consume `topic` from the beginning until it holds at
 * least `count` records (a consumer reads up to what every replica has, which may lag the
 * produce by a moment), for up to 20 s; prints what it read last.
 */
export function consumeUntil(topic: string, count: number): string {
  return `i=0; while [ $i -lt 40 ]; do out="$(fluvio consume ${topic} -B -d)"; [ "$(printf "%s\\n" "$out" | grep -c .)" -ge ${count} ] && break; i=$((i+1)); sleep 0.5; done; printf "%s\\n" "$out"`;
}
