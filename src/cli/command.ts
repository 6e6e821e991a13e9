/**
 * What a command of `fluvio-ports` is: the shape of an entry of the command table, and the flags
 * every command takes. The table (`spec.ts`), the parser (`args.ts`), usage and completion read
 * these types; no command module needs them, so the table can import the commands and nothing
 * imports the table back.
 */
import type { CommandInput, OutputFormat } from "./input";

export type { OutputFormat } from "./input";

/** One `--flag` of a command, as `node:util.parseArgs` takes it plus what usage and completion need. */
export interface OptionSpec {
  type: "string" | "boolean";
  /** One letter: `-s` for `--stack`. */
  short?: string;
  /** The value's placeholder in usage (`<s>`); string options only. */
  value?: string;
  /** One line for the usage. */
  description: string;
  /** The values the parser accepts for a command's own flag, and completion offers (`-o` takes the command's `outputs`). */
  choices?: readonly string[];
  /** Completion offers stack names, files or directories for the value. */
  complete?: "stacks" | "dirs" | "files";
}

/** A positional argument (`who <port>`). */
export interface PositionalSpec {
  name: string;
  description: string;
  choices?: readonly string[];
}

/** What a command module exports: its runner. */
export type CommandRunner = (input: CommandInput) => Promise<number>;

/** One `fluvio-ports` command. */
export interface CommandSpec {
  /** One word (`plan`), or several for a command of a group (`registry prune`). */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The usage line after `fluvio-ports <name> ` (`--stack <s> --out <dir>`). */
  synopsis: string;
  /** The common flags it takes besides `--help` (which every command takes): only these are parsed, listed and completed. */
  common: readonly CommonOptionName[];
  /** Flags of this command besides the common ones. */
  options: Readonly<Record<string, OptionSpec>>;
  /** Positionals, all required, in order. */
  positionals: readonly PositionalSpec[];
  /** The `-o` values it prints; the first is the default. */
  outputs: readonly OutputFormat[];
  /** Whether `--stack` is required. */
  needsStack: boolean;
  /** More lines for `--help`: what the output says, exit codes. */
  details?: string;
  /** Loads the command's code (lazily: start-up stays fast). */
  load: () => Promise<CommandRunner>;
  /** It plans stacks for this host, so it asks the container engine what it is (`plan.hostAccess`): asked before `load`. */
  asksEngine?: boolean;
}

/** The flags several commands share: output, and which project, stack and cluster to read. */
export type CommonOptionName = "output" | "format" | "stack" | "root" | "name" | "key";

/** The common flags of a command that reads a project's stacks: all of them. */
export const PROJECT_OPTIONS: readonly CommonOptionName[] = ["output", "format", "stack", "root", "name", "key"];

/** `--help` (every command) and the flags several commands share. */
export const COMMON_OPTIONS: Readonly<Record<"help" | CommonOptionName, OptionSpec>> = {
  help: { type: "boolean", short: "h", description: "print this command's usage and exit" },
  output: { type: "string", short: "o", value: "<format>", description: "what to print on stdout (see each command's formats)", choices: ["table", "wide", "json", "yaml", "mermaid"] },
  format: { type: "string", value: "<format>", description: "the same as --output (kept for scripts)", choices: ["table", "wide", "json", "yaml", "mermaid"] },
  stack: { type: "string", short: "s", value: "<s>", description: "the stack whose stacks/Pulumi.<s>.yaml to read", complete: "stacks" },
  root: { type: "string", value: "<dir>", description: "the project root (default: the nearest folder above with Pulumi.yaml)", complete: "dirs" },
  name: { type: "string", value: "<n>", description: "the cluster's name as a program declares it (new SpuCluster(\"<n>\", ...)); default fluvio" },
  key: { type: "string", value: "<k>", description: "the config key the program reads the cluster from (default fluvio-spu:cluster)" },
};

/** The common flags a command takes: `--help`, then those it names, in the table's order. */
export function commonOptionsOf(command: CommandSpec): Record<string, OptionSpec> {
  return Object.fromEntries(Object.entries(COMMON_OPTIONS).filter(([name]) => name === "help" || command.common.includes(name as CommonOptionName)));
}

/** A command's flags: the common ones it takes, then its own. */
export function optionsOf(command: CommandSpec): Record<string, OptionSpec> {
  return { ...commonOptionsOf(command), ...command.options };
}

/** Whether a command reads a project (it takes `--root`): outside one, it stops with one line. */
export function needsProject(command: CommandSpec): boolean {
  return command.common.includes("root");
}
