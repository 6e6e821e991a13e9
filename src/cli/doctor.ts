/** `fluvio-ports doctor`: look at a deployed Docker stack and say what is wrong and what to do. */
import { stackOrphans } from "../deploy/recover";
import { diagnose, formatFindings, type StateComparison } from "../doctor/diagnose";
import { observeDocker } from "../doctor/observe";
import type { ClusterPlan } from "../plan/types";
import { EXIT } from "./failure";
import type { CommandInput } from "./input";
import { planFor, readRegistry } from "./plan";
import { isDataOutput, printData } from "./print";

/** Runs `doctor`: findings on stdout, a one-line verdict on stderr; exit 1 on problems, 3 when it could not look. */
export async function runDoctor(input: CommandInput): Promise<number> {
  const { plan } = await planFor(input, readRegistry(input.root));
  if (plan.target !== "docker") {
    input.streams.err(`doctor looks at Docker stacks; stack ${plan.stack} is on Kubernetes: \`kubectl -n ${plan.namespace} get pods,spu\` and \`kubectl -n ${plan.namespace} describe pod\` show the same\n`);
    return EXIT.unchecked;
  }
  let observation;
  try {
    observation = await observeDocker(plan);
  } catch (error) {
    input.streams.err(`doctor could not ask the Docker engine: ${(error as Error).message}\n`);
    return EXIT.unchecked;
  }
  const state = observation.containers.length > 0 ? await compareWithState(plan, input.root) : undefined;
  const findings = diagnose(plan, { ...observation, ...(state ? { state } : {}) });
  if (isDataOutput(input)) printData(input, { stack: plan.stack, findings });
  else input.streams.out(`${formatFindings(findings)}\n`);
  const problems = findings.filter((finding) => finding.level === "problem").length;
  const unchecked = findings.filter((finding) => finding.level === "unchecked").map((finding) => finding.subject);
  const notLooked = unchecked.length > 0 ? ` (not looked at: ${unchecked.join(", ")})` : "";
  input.streams.err(problems === 0 ? `stack ${plan.stack}: nothing wrong found${notLooked}\n` : `stack ${plan.stack}: ${problems} problem${problems === 1 ? "" : "s"}${notLooked}\n`);
  return problems === 0 ? EXIT.ok : EXIT.conflicts;
}

/** The cluster's containers against the stack's state, read the way `npm run up` deploys it (src/deploy/recover.ts). */
async function compareWithState(plan: ClusterPlan, root: string): Promise<StateComparison> {
  const report = await stackOrphans(plan, root);
  if (!report.ok) return { unavailable: report.reason };
  return { orphans: report.orphans, ...(report.component ? { component: report.component } : {}) };
}
