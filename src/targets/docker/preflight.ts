import { ConfigError, HostError } from "../../errors";
import type { ClusterPlan } from "../../plan/types";
import { checkPorts, type PortCheckReport } from "../../preflight";

/**
 * The error `pulumi preview`/`up` fails with when planned host ports are taken: one issue per
 * conflict, each the very line `fluvio-ports check` prints. Undefined when every port is free.
 */
export function preflightError(plan: ClusterPlan, report: PortCheckReport): ConfigError | undefined {
  if (report.conflicts.length === 0) return undefined;
  const count = report.conflicts.length;
  return new ConfigError(
    report.conflicts.map((conflict) => ({ path: `ports.${conflict.role}`, message: conflict.message })),
    `fluvio-ports check: ${count} planned host port${count === 1 ? " is" : "s are"} taken on this host (stack ${plan.stack}); nothing was created. Run \`fluvio-ports check --stack ${plan.stack}\` after a fix`,
  );
}

/**
 * The error `pulumi preview`/`up` fail with when planned host ports could not be checked (the
 * listener tables unreadable and no bind probe possible, the engine silent): never "ok" for what
 * was not seen. `preflight: false` (`pulumi config set fluvio-spu:preflight false`) is the way
 * past it. Undefined when everything was seen.
 */
export function uncheckedError(plan: ClusterPlan, report: PortCheckReport): HostError | undefined {
  const unchecked = report.unchecked ?? [];
  if (unchecked.length === 0) return undefined;
  const ports = new Set(unchecked.flatMap((entry) => entry.ports));
  return new HostError(
    "unchecked",
    unchecked.map((entry) => ({ path: `ports ${entry.ports.join(", ")}`, message: entry.reason })),
    `fluvio-ports check: ${ports.size} planned host port${ports.size === 1 ? "" : "s"} could not be checked on this host (stack ${plan.stack}); nothing was created. Fix what stands in the way, or skip the check knowingly with \`pulumi config set fluvio-spu:preflight false\` (SpuCluster args: preflight: false)`,
  );
}

/** A port check: `checkPorts`, or a stand-in in tests. */
export type PortChecker = (plan: ClusterPlan) => Promise<PortCheckReport>;

/**
 * Checks the plan's host ports on this host; rejects with `preflightError` on any conflict, and
 * with `uncheckedError` when a port could not be checked.
 */
export async function runPreflight(plan: ClusterPlan, check: PortChecker = (target) => checkPorts(target)): Promise<void> {
  const report = await check(plan);
  const error = preflightError(plan, report) ?? uncheckedError(plan, report);
  if (error) throw error;
}

/**
 * Whether the Docker engine is on this machine, so that this machine's ports are the ones
 * containers will bind: no `docker:host` / `DOCKER_HOST`, or a unix socket / named pipe.
 * A `tcp://` or `ssh://` engine is remote: checking local ports would report the wrong host.
 */
export function engineIsLocal(dockerHost: string | undefined): boolean {
  if (dockerHost === undefined || dockerHost.trim() === "") return true;
  return /^(unix|npipe):\/\//.test(dockerHost.trim());
}
