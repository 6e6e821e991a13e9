/** `fluvio-ports doctor`: look at a deployed Docker stack and say what is wrong and what to do. */
import { diagnose, formatFindings } from "../doctor/diagnose";
import { observeDocker } from "../doctor/observe";
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
  const findings = diagnose(plan, observation);
  if (isDataOutput(input)) printData(input, { stack: plan.stack, findings });
  else input.streams.out(`${formatFindings(findings)}\n`);
  const problems = findings.filter((finding) => finding.level === "problem").length;
  input.streams.err(problems === 0 ? `stack ${plan.stack}: nothing wrong found\n` : `stack ${plan.stack}: ${problems} problem${problems === 1 ? "" : "s"}\n`);
  return problems === 0 ? EXIT.ok : EXIT.conflicts;
}
