/**
 * Whether each image can start the program its containers run, checked before anything is
 * created: an image without it (a registration image with no `/bin/sh`, say) otherwise leaves a
 * container in state `Created` and fails `up` with the runtime's raw text (`OCI runtime create
 * failed … exec: "/bin/sh": stat /bin/sh: no such file or directory`). The check runs nothing:
 * it creates a container from the image (never started, no network), asks the engine whether the
 * program's path exists in its filesystem (HEAD /containers/<id>/archive), and removes it.
 * An image the engine does not have is left to the provider, which pulls it first and names it
 * when the pull fails.
 */
import { ConfigError } from "../errors";
import type { ClusterPlan } from "../plan/types";
import { engineRequest } from "./engine-http";

/** One image and the program a container starts from it. */
export interface ImageEntry {
  /** The config role (`fluvio`, `cli`, `exporter`, `prometheus`): `images.<role>`. */
  role: string;
  image: string;
  /** An absolute path (`/bin/sh`, `/fluvio-run`). */
  program: string;
  /** A container that runs it (for the message). */
  container: string;
}

/** An image that cannot start its program. */
export interface Unstartable {
  entry: ImageEntry;
  reason: string;
  /** Every container that runs it (sorted): the message names the first and counts the rest. */
  containers: string[];
}

const TIMEOUT_MS = 10_000;

/** The label the probe containers carry, so that one left behind by a crash is recognisable. */
export const PROBE_LABEL = "fluvio-spu.probe";

/** Each distinct (image, program) once; the images missing from the engine are skipped. */
export async function checkImagesStart(socketPath: string, entries: readonly ImageEntry[]): Promise<Unstartable[]> {
  const byProgram = new Map<string, ImageEntry[]>();
  for (const entry of entries) {
    const key = `${entry.image}\u0000${entry.program}`;
    byProgram.set(key, [...(byProgram.get(key) ?? []), entry]);
  }
  const results = await Promise.all(
    [...byProgram.values()].map(async (group) => {
      const reason = await missingProgram(socketPath, group[0] as ImageEntry);
      const containers = group.map((entry) => entry.container).sort();
      return reason === undefined ? undefined : { entry: { ...(group[0] as ImageEntry), container: containers[0] as string }, reason, containers };
    }),
  );
  return results.flatMap((result) => (result ? [result] : []));
}

/** Why the image cannot start the entry's program, or undefined when it can (or the engine cannot tell). */
async function missingProgram(socketPath: string, entry: ImageEntry): Promise<string | undefined> {
  let created: { status: number; body: string };
  try {
    created = await engineRequest(socketPath, "POST", "/containers/create", TIMEOUT_MS, {
      Image: entry.image,
      Entrypoint: [entry.program],
      Cmd: [],
      Labels: { [PROBE_LABEL]: "image-start" },
      NetworkDisabled: true,
      HostConfig: { NetworkMode: "none", AutoRemove: false },
    });
  } catch {
    return undefined; // The engine did not answer: the port preflight says so already.
  }
  if (created.status === 404) return undefined; // Not on the engine: the provider pulls it.
  if (created.status !== 201) return undefined;
  const id = (JSON.parse(created.body) as { Id?: string }).Id;
  if (!id) return undefined;
  try {
    const stat = await engineRequest(socketPath, "HEAD", `/containers/${id}/archive?path=${encodeURIComponent(entry.program)}`, TIMEOUT_MS);
    if (stat.status === 404) return `has no ${entry.program}`;
    return undefined;
  } finally {
    await engineRequest(socketPath, "DELETE", `/containers/${id}?force=true`, TIMEOUT_MS).catch(() => undefined);
  }
}

/**
 * The one error `preview`/`up` fail with when an image cannot start its program: per image, the
 * config key, the image, what it lacks, which containers run it, and what to do. Undefined when
 * every image can start.
 */
export function imageStartError(plan: Pick<ClusterPlan, "stack">, unstartable: readonly Unstartable[]): ConfigError | undefined {
  if (unstartable.length === 0) return undefined;
  return new ConfigError(
    unstartable.map(({ entry, reason, containers }) => ({
      path: `images.${entry.role}`,
      message: `${entry.image} ${reason}, which ${runners(containers)} (${entry.program}): ${fixFor(entry)}`,
    })),
    `an image of stack ${plan.stack} cannot start its containers; nothing was created`,
  );
}

/** `a runs`, `a and 1 other container run`, `a and 3 other containers run`. */
function runners(containers: readonly string[]): string {
  const others = containers.length - 1;
  if (others <= 0) return `${containers[0] ?? "a container"} runs`;
  return `${containers[0]} and ${others} other container${others === 1 ? "" : "s"} run`;
}

function fixFor(entry: ImageEntry): string {
  if (entry.role === "cli") return "build the registration image with images/fluvio-cli/build.sh (or images/fluvio-engines/build.sh), or set images.cli to an image with /bin/sh and the fluvio CLI on its PATH";
  if (entry.role === "fluvio") return "set images.fluvio to a Fluvio image (infinyon/fluvio:<version>, which has /fluvio-run)";
  return `set images.${entry.role} to an image that has ${entry.program}`;
}
