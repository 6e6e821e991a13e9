/**
 * One problem a user can fix: where it is in the config (`path`, dotted, as in the stack
 * file under `fluvio-spu:cluster`) and what to do about it (`message`).
 */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * The only error a user ever sees for bad input: every problem at once, each naming the
 * field, the values involved and the fix. Thrown before anything is created, so a bad
 * config never costs a port, a container or a data volume.
 */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[] | ConfigIssue, heading = "invalid fluvio-spu cluster config") {
    const list = Array.isArray(issues) ? issues : [issues];
    super(formatIssues(heading, list));
    this.name = "ConfigError";
    this.issues = list;
  }
}

function formatIssues(heading: string, issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => `  - ${issue.path || "(root)"}: ${issue.message}`);
  return `${heading} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

/** Throws one ConfigError carrying every collected issue, when there is any. */
export function throwIfIssues(issues: ConfigIssue[], heading?: string): void {
  if (issues.length > 0) throw new ConfigError(issues, heading);
}

/** Whether a thrown value is a ConfigError, also across copies of this module. */
export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError || (error instanceof Error && error.name === "ConfigError" && "issues" in error);
}
