/**
 * Usage text, written from the command table so that it lists exactly what the parser accepts,
 * wrapped to the width it is printed at (the terminal's; see `helpWidth`).
 */
import { COMMON_OPTIONS, commonOptionsOf, type CommandSpec, type OptionSpec } from "./command";
import { COMMANDS } from "./spec";

/** The exit codes every command shares (README and DESIGN.md say the same). */
const EXIT_CODES_TEXT =
  "Exit codes: 0 ok; 1 conflicts found (check) or the registry's record out of date (plan --record --check); " +
  "2 usage, config or file error; 3 could not check (listener tables or Docker engine unreadable); 70 a bug.";

/** Help is never narrower than this, nor wider than the plan table (120), however wide the terminal. */
const MIN_WIDTH = 40;
const MAX_WIDTH = 120;

/**
 * The width help is wrapped to: the terminal's columns when stdout is one, else `$COLUMNS`,
 * else 80 (a pipe or a file), kept between 40 and 120.
 */
export function helpWidth(columns: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number.parseInt(env.COLUMNS ?? "", 10);
  const chosen = columns !== undefined && columns > 0 ? columns : Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 80;
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, chosen));
}

/** `fluvio-ports --help`. */
export function programUsage(width = 80): string {
  const nameWidth = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    ...wrap("fluvio-ports: plan and check the ports of a Fluvio cluster per Pulumi stack", width),
    "",
    "Usage:",
    ...COMMANDS.flatMap((command) => hanging(`  fluvio-ports ${command.name} `, command.synopsis, width)),
    "  fluvio-ports --version",
    "",
    "Commands:",
    ...COMMANDS.flatMap((command) => hanging(`  ${command.name.padEnd(nameWidth + 2)}`, command.summary, width)),
    "",
    ...wrap("Common options (each command's --help lists the ones it takes):", width),
    ...optionLines(COMMON_OPTIONS, width),
    "",
    ...wrap("fluvio-ports <command> --help shows a command's usage and its options.", width),
    ...wrap(EXIT_CODES_TEXT, width),
    "",
  ].join("\n");
}

/** `fluvio-ports <command> --help`: its usage, its arguments, and only the options it takes. */
export function commandUsage(command: CommandSpec, width = 80): string {
  const own = Object.keys(command.options).length > 0 ? ["", "Options:", ...optionLines(command.options, width)] : [];
  const positionals = command.positionals.length > 0 ? ["", "Arguments:", ...optionLines(Object.fromEntries(command.positionals.map((entry) => [entry.name, entry])), width, (name) => `<${name}>`)] : [];
  const common = commonOptionsOf(command);
  if (common.output) common.output = { ...common.output, description: `${command.outputs.join(", ")} (default ${command.outputs[0]})` };
  return [
    ...wrap(`fluvio-ports ${command.name}: ${command.summary}`, width),
    "",
    "Usage:",
    ...hanging(`  fluvio-ports ${command.name} `, command.synopsis, width),
    ...positionals,
    ...own,
    "",
    "Common options:",
    ...optionLines(common, width),
    ...(command.details ? ["", ...command.details.split("\n").flatMap((line) => wrap(line, width))] : []),
    "",
  ].join("\n");
}

/** One line per option, `-o, --output <format>` then its description, wrapped under the description's column. */
function optionLines(options: Readonly<Record<string, Pick<OptionSpec, "description"> & Partial<OptionSpec>>>, width: number, head = (name: string, spec: Partial<OptionSpec>) => `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`): string[] {
  const heads = Object.entries(options).map(([name, spec]) => [`  ${head(name, spec)}`, spec.description] as const);
  // The description column: after the longest head, but never so far right that little room is left.
  const column = Math.min(Math.max(...heads.map(([text]) => text.length)) + 2, Math.floor(width / 2));
  return heads.flatMap(([text, description]) => {
    const lines = wrap(description, width - column);
    if (text.length + 2 > column) return [text, ...lines.map((line) => `${" ".repeat(column)}${line}`)];
    return lines.map((line, index) => `${index === 0 ? text.padEnd(column) : " ".repeat(column)}${line}`);
  });
}

/** `prefix` then `text`, wrapped with the following lines indented under the text. */
function hanging(prefix: string, text: string, width: number): string[] {
  const indent = Math.min(prefix.length, Math.floor(width / 2));
  const lines = wrap(text, width - indent, width - prefix.length);
  return lines.map((line, index) => (index === 0 ? `${prefix}${line}` : `${" ".repeat(indent)}${line}`));
}

/** Words into lines of at most `width` characters (the first at most `first`); a longer word has a line of its own. */
function wrap(text: string, width: number, first = width): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((entry) => entry !== "")) {
    const room = lines.length === 0 ? first : width;
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}
