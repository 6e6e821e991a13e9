/**
 * What a command gets: its parsed flags and positionals, where to print, and the project root.
 * Types only, plus the few helpers every command shares; no heavy imports.
 */
/** What a command prints on stdout: `-o/--output` (alias `--format`). */
export type OutputFormat = "table" | "wide" | "json" | "yaml" | "mermaid";

/** What the CLI prints to; tests pass their own. Data goes to `out`, diagnostics to `err`. */
export interface CliStreams {
  out: (text: string) => void;
  err: (text: string) => void;
  /** The width of the terminal `out` prints to, if it is one (help is wrapped to it). */
  columns?: number;
}

/** A flag's parsed value: a string, `true` for a boolean flag, or absent. */
export type FlagValue = string | boolean | undefined;

/** One command's parsed command line and the streams it prints to. */
export interface CommandInput {
  command: string;
  /** Flags by long name (`stack`, `no-host`); `output` is resolved into `output` below. */
  flags: Readonly<Record<string, FlagValue>>;
  positionals: readonly string[];
  output: OutputFormat;
  streams: CliStreams;
  /** The project root: `--root`, else the nearest folder above the working directory with Pulumi.yaml. */
  root: string;
}

/** A string flag's value, if given. */
export function stringFlag(input: CommandInput, name: string): string | undefined {
  const value = input.flags[name];
  return typeof value === "string" ? value : undefined;
}

/** Whether a boolean flag was given. */
export function booleanFlag(input: CommandInput, name: string): boolean {
  return input.flags[name] === true;
}

/** `--stack`, which the parser has already required for the commands that need it. */
export function stackOf(input: CommandInput): string {
  const stack = stringFlag(input, "stack");
  if (stack === undefined) throw new Error(`${input.command}: --stack was not required by the parser`);
  return stack;
}
