/**
 * Stand-in images for the Docker live tier, built locally (registry pulls are impossible here).
 * One image serves every role: `/fluvio-run` (SC and SPU stand-in), `fluvio` on the PATH (CLI
 * stand-in that records registrations with the SC stand-in), busybox-like `nc -z` and
 * `grep -qs` (the health checks read /proc/net/tcp), and a real `/bin/sh` (this machine's dash) for the registration script,
 * as the stock Alpine image and the CLI image both have one.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildNodeImage, docker } from "../../support/docker";

const STAND_INS = join(__dirname, "stand-ins");

/** The tag of the stand-in image (Fluvio, CLI and test client roles). */
export const STAND_IN_IMAGE = "fluvio-spu-docker-test-stand-in:latest";

function standIn(file: string): { content: string; executable: true } {
  return { content: readFileSync(join(STAND_INS, file), "utf8"), executable: true };
}

/** Builds (or reuses) the stand-in image and returns its tag. */
export function buildStandInImage(): string {
  const base = buildNodeImage("fluvio-spu-docker-test-stand-in-base:latest", {
    "/fluvio-run": standIn("fluvio-run.js"),
    "/usr/local/bin/fluvio": standIn("fluvio.js"),
    "/usr/bin/nc": standIn("nc.js"),
    "/bin/grep": standIn("grep.js"),
    "/bin/.keep": { content: "" },
  });
  const baseId = docker(["image", "inspect", "--format", "{{.Id}}", base]);
  const current = spawnSync("docker", ["image", "inspect", "--format", '{{index .Config.Labels "fluvio-spu.test.base"}}', STAND_IN_IMAGE], { encoding: "utf8" });
  if (current.status === 0 && current.stdout.trim() === baseId) return STAND_IN_IMAGE;

  // dash needs only libc and the loader, which the node runtime already brought along.
  const shell = spawnSync("sh", ["-c", "readlink -f /bin/sh"], { encoding: "utf8" }).stdout.trim();
  const builder = docker(["create", base]);
  try {
    docker(["cp", shell, `${builder}:/bin/sh`]);
    docker(["commit", "--change", `LABEL fluvio-spu.test.base=${baseId}`, "--change", 'CMD ["/usr/local/bin/node"]', builder, STAND_IN_IMAGE]);
  } finally {
    docker(["rm", "-f", builder]);
  }
  return STAND_IN_IMAGE;
}
