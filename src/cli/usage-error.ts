/** The error of a usage mistake: every command may throw it, so it lives apart from the parser and the table. */
import { ConfigError } from "../errors";

/**
 * A usage mistake: one line (`message`) and the command whose `--help` shows the right way. A
 * `ConfigError` (exit 2) whose issue path is `arguments`.
 */
export class UsageError extends ConfigError {
  /** The command the mistake was made in, or undefined before a command was named. */
  readonly command: string | undefined;
  /** The one line to print, without the program name or the hint. */
  readonly line: string;

  constructor(command: string | undefined, line: string) {
    super({ path: "arguments", message: line }, `fluvio-ports${command ? ` ${command}` : ""}: usage`);
    this.command = command;
    this.line = line;
  }
}

/** Whether a thrown value is a UsageError. */
export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError;
}
