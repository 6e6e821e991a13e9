import { ConfigError } from "../../errors";
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

/** A port check: `checkPorts`, or a stand-in in tests. */
export type PortChecker = (plan: ClusterPlan) => Promise<PortCheckReport>;

/** Checks the plan's host ports on this host; rejects with `preflightError` on any conflict. */
export async function runPreflight(plan: ClusterPlan, check: PortChecker = (target) => checkPorts(target)): Promise<void> {
  const error = preflightError(plan, await check(plan));
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
