/**
 * The errors a user can act on. Each kind names what it is about, so a program, the CLI and
 * `pulumi up` can tell them apart; anything else thrown is a bug and stays a plain `Error`.
 */

/**
 * One problem a user can fix: where it is (`path`: a config field as in the stack file under
 * `fluvio-spu:cluster`, with the user's own indexes such as `spus[1].publicPort`, or a file or
 * flag) and what to do about it (`message`: the values involved and the fix).
 */
export interface ConfigIssue {
  path: string;
  message: string;
}

function formatIssues(heading: string, issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => `  - ${issue.path || "(root)"}: ${issue.message}`);
  return `${heading} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

/**
 * Bad config, a bad registry entry or bad arguments: every problem at once, each naming the
 * field, the values involved and the fix. Thrown before anything is created, so a bad config
 * never costs a port, a container or a data volume.
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

/** Throws one ConfigError carrying every collected issue, when there is any. */
export function throwIfIssues(issues: ConfigIssue[], heading?: string): void {
  if (issues.length > 0) throw new ConfigError(issues, heading);
}

/** Whether a thrown value is a ConfigError, also across copies of this module. */
export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError || (error instanceof Error && error.name === "ConfigError" && "issues" in error);
}

/**
 * What a host error is about: planned ports another process or container holds (`ports-taken`),
 * a listener table or engine that could not be read (`unchecked`), or a file that could not be
 * read or written (`file`).
 */
export type HostErrorKind = "ports-taken" | "unchecked" | "file";

/**
 * The host or its files stand in the way, not the config: planned ports are taken, the engine
 * or the listener tables cannot be read, a file cannot be read or written. The config may be
 * fine; the fix is on the host (or a pin, as each issue says).
 */
export class HostError extends Error {
  readonly kind: HostErrorKind;
  readonly issues: readonly ConfigIssue[];

  constructor(kind: HostErrorKind, issues: ConfigIssue[] | ConfigIssue, heading: string) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(formatIssues(heading, list));
    this.name = "HostError";
    this.kind = kind;
    this.issues = list;
  }
}

/** Whether a thrown value is a HostError, also across copies of this module. */
export function isHostError(error: unknown): error is HostError {
  return error instanceof HostError || (error instanceof Error && error.name === "HostError" && "kind" in error);
}
