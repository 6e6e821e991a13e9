/**
 * The command line, read by `node:util.parseArgs` against the command table. parseArgs does the
 * tokenizing (long and short flags, `--flag=value`, grouped short flags, `--`); this file turns
 * what it cannot accept into one-line usage errors that name the flag, suggest the nearest
 * one, and point at the command's `--help`.
 */
import { parseArgs } from "node:util";
import { optionsOf, type CommandSpec, type OptionSpec } from "./command";
import type { FlagValue, OutputFormat } from "./input";
import { COMMANDS } from "./spec";
import { UsageError } from "./usage-error";

export { isUsageError, UsageError } from "./usage-error";

/** What the command line asks for. */
export type CommandLine =
  | { kind: "help"; command?: CommandSpec; group?: readonly CommandSpec[] }
  | { kind: "version" }
  | { kind: "run"; command: CommandSpec; flags: Record<string, FlagValue>; positionals: string[]; output: OutputFormat };

/**
 * Reads `argv` (without `node` and the script) against a command table (default: fluvio-ports'
 * own); throws `UsageError`. A command's name may be several words (`registry prune`): the
 * longest name that starts the command line wins.
 */
export function parseCommandLine(argv: readonly string[], commands: readonly CommandSpec[] = COMMANDS): CommandLine {
  const [first] = argv;
  if (first === undefined || first === "--help" || first === "-h") return { kind: "help" };
  if (first === "--version" || first === "-V") return { kind: "version" };
  if (first === "help") return argv.length === 1 ? { kind: "help" } : ((argv.length === 2 ? groupHelp([argv[1] as string, "--help"], commands) : undefined) ?? { kind: "help", command: commandAt(argv.slice(1), commands).command });
  if (first.startsWith("-")) throw new UsageError(undefined, `'${shown(first)}' before a command: name the command first (${commandNames(commands)}), for example fluvio-ports plan --stack dev`);
  const group = groupHelp(argv, commands);
  if (group) return group;
  const { command, rest } = commandAt(argv, commands);
  if (wantsHelp(rest)) return { kind: "help", command };
  return { kind: "run", command, ...parseCommandArgs(command, rest, commands) };
}

/**
 * `registry --help` (or `help registry`): the help of a group of commands, which is no command
 * itself; undefined when `argv` does not name a group and ask for help.
 */
function groupHelp(argv: readonly string[], commands: readonly CommandSpec[]): CommandLine | undefined {
  const [first = "", second] = argv;
  const group = commands.filter((entry) => entry.name.startsWith(`${first} `));
  if (group.length === 0 || commands.some((entry) => entry.name === first)) return undefined;
  if (second !== "--help" && second !== "-h") return undefined;
  return group.length === 1 ? { kind: "help", command: group[0] as CommandSpec } : { kind: "help", group };
}

/** The command whose name's words start `argv`, and the arguments after them. */
function commandAt(argv: readonly string[], commands: readonly CommandSpec[]): { command: CommandSpec; rest: string[] } {
  const matches = commands.filter((command) => command.name.split(" ").every((word, index) => argv[index] === word));
  const command = matches.sort((a, b) => b.name.split(" ").length - a.name.split(" ").length)[0];
  if (command) return { command, rest: argv.slice(command.name.split(" ").length) };
  const [first = "", second] = argv;
  const group = commands.filter((entry) => entry.name.startsWith(`${first} `));
  if (group.length > 0) {
    const subcommands = group.map((entry) => entry.name.split(" ").slice(1).join(" "));
    const guess = second === undefined || second.startsWith("-") ? undefined : nearest(second, subcommands);
    const what = second === undefined || second.startsWith("-") ? "needs a subcommand" : `has no subcommand '${shown(second)}'${guess ? ` (did you mean ${first} ${guess}?)` : ""}`;
    throw new UsageError(undefined, `${shown(first)} ${what}: use ${listOf(group.map((entry) => entry.name))}`);
  }
  const guess = nearest(first, [...new Set(commands.map((entry) => entry.name.split(" ")[0] as string))]);
  throw new UsageError(undefined, `unknown command '${shown(first)}'${guess ? ` (did you mean ${guess}?)` : ""}: use ${commandNames(commands)}`);
}

function commandNames(commands: readonly CommandSpec[]): string {
  return listOf(commands.map((command) => command.name));
}

/** `--help` or `-h` anywhere before `--` wins over every other mistake on the line. */
function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

/** A command's flags and positionals, every mistake a UsageError. */
export function parseCommandArgs(command: CommandSpec, args: readonly string[], commands: readonly CommandSpec[] = COMMANDS): { flags: Record<string, FlagValue>; positionals: string[]; output: OutputFormat } {
  const options = optionsOf(command);
  const parsed = parseArgs({
    args: splitShortValues(args, options),
    options: Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const fail = (line: string): never => {
    throw new UsageError(command.name, line);
  };
  const given = new Map<string, string[]>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    const spec = options[token.name];
    if (spec?.type === "string" && token.value !== undefined) {
      const earlier = given.get(token.name) ?? [];
      if (earlier.length > 0) fail(`--${token.name} is given twice (${shown(earlier[0] as string)} and ${shown(token.value)}): give it once`);
      given.set(token.name, [...earlier, token.value]);
    }
    if (spec === undefined) fail(unknownOption(command, token.rawName, commands));
    else if (spec.type === "boolean" && token.inlineValue) fail(`${shown(token.rawName)} takes no value (got '${shown(token.value ?? "")}')`);
    else if (spec.type === "string" && (token.value === undefined || (!token.inlineValue && token.value.startsWith("-")))) {
      fail(`${displayName(token.name, token.rawName)} needs a value${spec.value ? `, for example --${token.name} ${exampleValue(token.name, spec.value)}` : ""}`);
    }
  }
  const flags: Record<string, FlagValue> = {};
  for (const name of Object.keys(options)) {
    const value = parsed.values[name];
    if (typeof value === "string" || typeof value === "boolean") flags[name] = value;
  }
  const output = outputOf(command, flags, fail);
  const positionals = parsed.positionals;
  const wanted = command.positionals;
  if (positionals.length > wanted.length) {
    fail(wanted.length === 0 ? `unexpected argument '${shown(positionals[wanted.length] ?? "")}': ${command.name} takes flags only` : `unexpected argument '${shown(positionals[wanted.length] ?? "")}' after <${wanted.map((entry) => entry.name).join("> <")}>`);
  }
  wanted.forEach((entry, index) => {
    const value = positionals[index];
    if (value === undefined) fail(`<${entry.name}> is missing: ${entry.description}`);
    else if (entry.choices && !entry.choices.includes(value)) fail(`<${entry.name}> '${shown(value)}' is not one of ${listOf(entry.choices)}${didYouMean(value, entry.choices)}`);
  });
  if (command.needsStack && flags.stack === undefined) fail("--stack is required, for example --stack dev");
  for (const [name, spec] of Object.entries(command.options)) {
    const value = flags[name];
    if (typeof value === "string" && spec.choices && !spec.choices.includes(value)) fail(`--${name} ${shown(value)}: use ${listOf(spec.choices)}${didYouMean(value, spec.choices)}`);
  }
  return { flags, positionals, output };
}

/** `-o`, else `--format`, else the command's default; both given must agree. */
function outputOf(command: CommandSpec, flags: Record<string, FlagValue>, fail: (line: string) => never): OutputFormat {
  const output = typeof flags.output === "string" ? flags.output : undefined;
  const format = typeof flags.format === "string" ? flags.format : undefined;
  if (output !== undefined && format !== undefined && output !== format) fail(`-o ${shown(output)} and --format ${shown(format)} disagree: --format is another name for -o; give one`);
  const chosen = output ?? format;
  if (chosen === undefined) return command.outputs[0] as OutputFormat;
  const known = command.outputs.find((entry) => entry === chosen);
  if (known) return known;
  const base = ["table", "json", "yaml"].filter((entry) => command.outputs.includes(entry as OutputFormat));
  const more = command.outputs.filter((entry) => !base.includes(entry));
  fail(`${output !== undefined ? "-o" : "--format"} ${shown(chosen)}: use ${listOf(base)}${more.length > 0 ? ` (or ${more.join(", ")})` : ""}${didYouMean(chosen, command.outputs)}`);
  throw new Error("unreachable");
}

/** "unknown option '--frmat' (did you mean --format?)", or where a flag of another command belongs. */
function unknownOption(command: CommandSpec, rawName: string, commands: readonly CommandSpec[]): string {
  const name = rawName.replace(/^-+/, "");
  const elsewhere = commands.filter((other) => other !== command && Object.prototype.hasOwnProperty.call(other.options, name));
  if (rawName.startsWith("--") && elsewhere.length > 0) return `${shown(rawName)} goes with ${elsewhere.map((other) => other.name).join(" or ")}, not ${command.name}`;
  const longNames = Object.keys(optionsOf(command)).map((option) => `--${option}`);
  const guess = rawName.startsWith("--") ? nearest(rawName, longNames) : undefined;
  return `unknown option '${shown(rawName)}'${guess ? ` (did you mean ${guess}?)` : ""}`;
}

/** " (did you mean json?)" when a value is a typo of one of the choices, else nothing. */
function didYouMean(value: string, choices: readonly string[]): string {
  const guess = nearest(value, choices);
  return guess ? ` (did you mean ${guess}?)` : "";
}

/**
 * `-o=json` as `-o json`: the `=` form every long flag takes, for the short flags that take a
 * value too (parseArgs would read the value as "=json"). Nothing after `--` is touched.
 */
function splitShortValues(args: readonly string[], options: Readonly<Record<string, OptionSpec>>): string[] {
  const takesValue = new Set(Object.values(options).flatMap((spec) => (spec.type === "string" && spec.short ? [spec.short] : [])));
  const end = args.indexOf("--");
  return args.flatMap((arg, index) => {
    const match = /^-([A-Za-z])=(.*)$/s.exec(arg);
    return match && takesValue.has(match[1] as string) && (end === -1 || index < end) ? [`-${match[1]}`, match[2] as string] : [arg];
  });
}

function displayName(name: string, rawName: string): string {
  return rawName.startsWith("--") ? rawName : `${rawName} (--${name})`;
}

function exampleValue(name: string, placeholder: string): string {
  const examples: Record<string, string> = { stack: "dev", out: "render/dev", root: ".", host: "ci-1", output: "json", format: "json", name: "orders-bus", key: "fluvio-spu:cluster" };
  return examples[name] ?? placeholder;
}

/** What a user typed, as a message echoes it: a long value (a pasted file, a runaway variable) cut to its first 60 characters. */
export function shown(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 60)}… (${text.length} characters)`;
}

function listOf(values: readonly string[]): string {
  return values.length <= 1 ? (values[0] ?? "") : `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
}

/** The candidate nearest to `word` by edit distance, if it is near enough to be a typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    // A word much longer or shorter than the candidate is no typo of it (and a 100 KB word costs no table).
    if (Math.abs(word.length - candidate.length) > Math.max(1, Math.floor(candidate.replace(/^-+/, "").length / 3))) continue;
    const distance = editDistance(word, candidate);
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(best.candidate.replace(/^-+/, "").length / 3));
  return best.distance <= allowed ? best.candidate : undefined;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      row[j] = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}
