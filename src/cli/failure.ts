/**
 * What the CLI says when a command fails, and its exit code: never a stack trace. Usage errors
 * are one line and a hint; config errors list every problem; file-system errors name the file
 * and the fix; anything else is a bug, said as such (exit 70, EX_SOFTWARE of sysexits.h).
 */
import { HostError, isConfigError, isHostError } from "../errors";
import { isUsageError } from "./usage-error";

/** The exit codes of `fluvio-ports` (README: "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** Conflicts found (check), or the registry's record out of date (plan --record --check). */
  conflicts: 1,
  /** A usage, config or file error: the user can fix it. */
  usage: 2,
  /** Could not check: the listener tables or the Docker engine could not be read. */
  unchecked: 3,
  /** A bug in fluvio-ports. */
  bug: 70,
} as const;

/** A failure as printed: the text for stderr (ending in a newline) and the exit code. */
export interface Failure {
  code: number;
  text: string;
}

/** What to print, and the exit code, for an error a command threw: its text with any runaway value cut short. */
export function describeFailure(error: unknown, command: string | undefined, debug = false): Failure {
  const failure = failureOf(error, command, debug);
  return { code: failure.code, text: debug ? failure.text : shortenLongWords(failure.text) };
}

/**
 * A message with every word longer than 200 characters (a 100 KB argument echoed in a message,
 * a pasted file as a stack name) cut to its first 60 and its length: one readable line still.
 */
export function shortenLongWords(text: string): string {
  return text.replace(/\S{201,}/g, (word) => `${word.slice(0, 60)}… (${word.length} characters)`);
}

function failureOf(error: unknown, command: string | undefined, debug: boolean): Failure {
  const program = `fluvio-ports${command ? ` ${command}` : ""}`;
  if (isUsageError(error)) {
    const help = `fluvio-ports${error.command ? ` ${error.command}` : ""} --help`;
    return { code: EXIT.usage, text: `fluvio-ports${error.command ? ` ${error.command}` : ""}: ${error.line}; see ${help}\n` };
  }
  if (isConfigError(error)) {
    const [only] = error.issues;
    // A file that cannot be read as it should (Pulumi.yaml, a stack file): one line naming it and the fix.
    if (error.issues.length === 1 && only && /^(\/|\.{1,2}\/|[A-Za-z]:\\)/.test(only.path)) return { code: EXIT.usage, text: `${program}: ${only.path}: ${only.message}\n` };
    return { code: EXIT.usage, text: `${error.message}\n` };
  }
  const file = fileErrorOf(error);
  if (file) return { code: EXIT.usage, text: file.issues.map((issue) => `${program}: ${issue.path}: ${issue.message}\n`).join("") };
  if (isHostError(error)) return { code: error.kind === "unchecked" ? EXIT.unchecked : EXIT.conflicts, text: `${error.message}\n` };
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  const trace = debug && error instanceof Error && error.stack ? `${error.stack}\n` : "";
  return {
    code: EXIT.bug,
    text: `${trace}${program}: internal error: ${message}. This is a bug in fluvio-ports: please report it with the command you ran${debug ? "" : " (FLUVIO_PORTS_DEBUG=1 prints the stack trace)"}\n`,
  };
}

/** The system error codes of file operations, with what they mean and what to do. */
const FILE_ERRORS: Readonly<Record<string, { says: string; fix: string }>> = {
  ENOENT: { says: "does not exist", fix: "check the path (--root <dir> names the project folder, the one with Pulumi.yaml)" },
  ENOTDIR: { says: "is under a file where a folder should be", fix: "remove or rename the file that stands in the path" },
  EISDIR: { says: "is a folder where a file should be", fix: "remove or rename the folder" },
  EACCES: { says: "is not accessible to this user (permission denied)", fix: "fix its permissions, or run from a copy of the project you own" },
  EPERM: { says: "may not be changed by this user (operation not permitted)", fix: "fix its permissions, or run from a copy of the project you own" },
  EROFS: { says: "is on a read-only file system", fix: "run from a writable copy of the project" },
  ENOSPC: { says: "cannot be written: no space left on the device", fix: "free some space and run again" },
  EEXIST: { says: "already exists", fix: "remove it or choose another path" },
  ELOOP: { says: "is a loop of symbolic links", fix: "fix the link" },
  ENAMETOOLONG: { says: "has a name that is too long", fix: "choose a shorter path" },
};

/** A Node file-system error (`ENOENT`, `EROFS`, ... with a path) as a HostError of kind `file`, else undefined. */
function fileErrorOf(error: unknown): HostError | undefined {
  if (isHostError(error) && error.kind === "file") return error;
  if (!(error instanceof Error)) return undefined;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  const known = code ? FILE_ERRORS[code] : undefined;
  if (!known || typeof path !== "string") return undefined;
  const doing = syscall === undefined ? "" : ` (${syscall})`;
  return new HostError("file", { path, message: `it ${known.says}${doing}; ${known.fix}` }, "fluvio-ports: a file it needs");
}

/** Runs a file operation; a file-system error becomes a one-line HostError naming `what` the file is for. */
export function withFile<T>(path: string, what: string, operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    const known = error instanceof Error ? FILE_ERRORS[(error as NodeJS.ErrnoException).code ?? ""] : undefined;
    if (!known) throw error;
    throw new HostError("file", { path, message: `${what}: it ${known.says}; ${known.fix}` }, "fluvio-ports: a file it needs");
  }
}
