/**
 * What `npm run up` makes ready on the Docker engine before `pulumi up` (scripts/up.sh): the
 * images a stack's containers run, and for each how it gets there. The images this package
 * builds (`images/exporter`, `images/fluvio-cli`) carry names no registry holds, so they are
 * built when the engine lacks them; every other image is pulled. On Kubernetes the nodes pull
 * the images themselves, so nothing is prepared here.
 *
 * Run as a script, it reads a `ClusterPlan` (`fluvio-ports plan --stack <s> --format json`) on
 * stdin and prints one tab-separated line per image: `<how> <role> <image> <build script or ->`.
 */
import { readFileSync } from "node:fs";
import type { ClusterPlan } from "../plan/types";

/** A role in `images` (`fluvio`, `cli`, `exporter`, ...). */
export type ImageRoleName = keyof ClusterPlan["images"];

/**
 * How an image comes to be where the cluster runs: `build` from this package's `images/`,
 * `pull` from its registry onto the Docker engine, or `cluster` (Kubernetes: the nodes pull it).
 */
export type ImageSource = "build" | "pull" | "cluster";

export interface ImageNeed {
  role: ImageRoleName;
  image: string;
  source: ImageSource;
  /** The build script, relative to the package root, for `build`. */
  script?: string;
}

/** The images this package builds: the role, the repository name its default tag uses, and the script. */
export const IMAGE_BUILDERS: readonly { role: ImageRoleName; repository: string; script: string }[] = [
  { role: "exporter", repository: "fluvio-spu/metrics-exporter", script: "images/exporter/build.sh" },
  { role: "cli", repository: "fluvio-spu/fluvio-cli", script: "images/fluvio-cli/build.sh" },
];

/** `repo/name:tag` → `repo/name` (a registry host's port is not a tag). */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split("@")[0] as string;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const lastColon = withoutDigest.lastIndexOf(":");
  return lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
}

/** The roles whose images the plan's containers or pods run, in a stable order. */
function rolesInUse(plan: ClusterPlan): ImageRoleName[] {
  const roles: ImageRoleName[] = ["fluvio"];
  // Docker registers every SPU with a job running the CLI image; Kubernetes declares `Spu` resources instead.
  if (plan.target === "docker" && plan.spus.length > 0) roles.push("cli");
  if (plan.metrics.enabled) roles.push("exporter");
  return roles;
}

/** Every image the stack runs, and how `npm run up` makes it ready. */
export function imageNeeds(plan: ClusterPlan): ImageNeed[] {
  return rolesInUse(plan).map((role) => {
    const image = plan.images[role];
    if (plan.target !== "docker") return { role, image, source: "cluster" };
    const builder = IMAGE_BUILDERS.find((entry) => entry.role === role && entry.repository === repositoryOf(image));
    return builder ? { role, image, source: "build", script: builder.script } : { role, image, source: "pull" };
  });
}

/** The script's output: one `<how>\t<role>\t<image>\t<script or ->` line per image. */
export function formatNeeds(needs: ImageNeed[]): string {
  return needs.map((need) => [need.source, need.role, need.image, need.script ?? "-"].join("\t") + "\n").join("");
}

if (require.main === module) {
  try {
    const plan = JSON.parse(readFileSync(0, "utf8")) as ClusterPlan;
    process.stdout.write(formatNeeds(imageNeeds(plan)));
  } catch (error) {
    process.stderr.write(`fluvio-spu: cannot read the stack's plan on stdin: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
