/**
 * Stack names as Pulumi accepts them (its `ValidateStackName`): `stack`, `org/stack` or
 * `org/project/stack`, where the stack part is 1-100 of `A-Z a-z 0-9 _ . -` and an org is an
 * account name. The stack part names the stack file (`Pulumi.<stack>.yaml`), so a name that
 * passes can never point outside the stack folder: no `/` survives, and `.`/`..` are refused.
 */
import { ConfigError } from "../errors";

/** A stack name taken apart. */
export interface StackName {
  /** The stack itself: what `pulumi.getStack()` returns and `Pulumi.<stack>.yaml` is named after. */
  stack: string;
  /** The organization of `org/stack` or `org/project/stack`. */
  org?: string;
  /** The project of `org/project/stack`. */
  project?: string;
}

/** Pulumi's rule for the stack part (and the project part) of a name. */
const STACK_PART = /^[A-Za-z0-9_.-]{1,100}$/;
/** Pulumi's rule for an organization (account) name. */
const ORG_PART = /^[A-Za-z0-9][A-Za-z0-9_-]{1,38}[A-Za-z0-9]$/;

/** What is wrong with a stack part, or undefined when Pulumi would take it. */
function stackPartProblem(part: string, what: "stack" | "project"): string | undefined {
  if (part.length === 0) return `the ${what} name is empty`;
  if (part.length > 100) return `the ${what} name is ${part.length} characters long; Pulumi allows at most 100`;
  if (part === "." || part === "..") return `'${part}' is not a ${what} name`;
  if (!STACK_PART.test(part)) {
    const bad = [...new Set([...part].filter((char) => !/[A-Za-z0-9_.-]/.test(char)))].map((char) => JSON.stringify(char)).join(" ");
    return `the ${what} name may only hold letters, digits, '_', '.' and '-' (not ${bad})`;
  }
  return undefined;
}

/**
 * Parses a stack name as `pulumi stack select` would take it; throws a one-line `ConfigError`
 * (path `stack`) for a name Pulumi would refuse. With `project`, an `org/project/stack` name
 * must name this project.
 */
export function parseStackName(name: unknown, project?: string): StackName {
  const refuse = (problem: string): never => {
    throw new ConfigError({ path: "stack", message: `${JSON.stringify(String(name))} is not a stack name Pulumi accepts: ${problem}; use a name such as dev, pr-42 or acme/dev` });
  };
  if (typeof name !== "string") return refuse("it is not text");
  const parts = name.split("/");
  if (parts.length > 3) return refuse("it has more than two '/' (the longest form is org/project/stack)");
  const stack = parts[parts.length - 1]!;
  const stackProblem = stackPartProblem(stack, "stack");
  if (stackProblem) return refuse(stackProblem);
  const org = parts.length > 1 ? parts[0]! : undefined;
  if (org !== undefined && !ORG_PART.test(org)) return refuse(`the organization '${org}' must be 3-40 letters, digits, '_' or '-', starting and ending with a letter or digit`);
  const projectPart = parts.length === 3 ? parts[1]! : undefined;
  if (projectPart !== undefined) {
    const projectProblem = stackPartProblem(projectPart, "project");
    if (projectProblem) return refuse(projectProblem);
    if (project !== undefined && projectPart !== project) return refuse(`it names project '${projectPart}', but this is project '${project}' (Pulumi.yaml)`);
  }
  return { stack, ...(org !== undefined ? { org } : {}), ...(projectPart !== undefined ? { project: projectPart } : {}) };
}

/** The stack part of a valid stack name (`acme/fluvio-spu/dev` → `dev`); throws `ConfigError` otherwise. */
export function stackOf(name: unknown, project?: string): string {
  return parseStackName(name, project).stack;
}
