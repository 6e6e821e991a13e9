/** Usage text, written from the command table so that it lists exactly what the parser accepts. */
import { COMMON_OPTIONS, type CommandSpec, type OptionSpec } from "./command";
import { COMMANDS } from "./spec";

/** The exit codes every command shares (README and DESIGN.md say the same). */
const EXIT_CODES_TEXT =
  "Exit codes: 0 ok; 1 conflicts found (check) or the registry's record out of date (plan --record --check);\n" +
  "2 usage, config or file error; 3 could not check (listener tables or Docker engine unreadable); 70 a bug.";

/** `fluvio-ports --help`. */
export function programUsage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    "fluvio-ports: plan and check the ports of a Fluvio cluster per Pulumi stack",
    "",
    "Usage:",
    ...COMMANDS.map((command) => `  fluvio-ports ${command.name} ${command.synopsis}`),
    "  fluvio-ports --version",
    "",
    "Commands:",
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width + 2)}${command.summary}`),
    "",
    "Every command takes:",
    ...optionLines(COMMON_OPTIONS),
    "",
    "fluvio-ports <command> --help shows a command's own flags.",
    EXIT_CODES_TEXT,
    "",
  ].join("\n");
}

/** `fluvio-ports <command> --help`. */
export function commandUsage(command: CommandSpec): string {
  const own = Object.keys(command.options).length > 0 ? ["", "Options:", ...optionLines(command.options)] : [];
  const positionals = command.positionals.length > 0 ? ["", "Arguments:", ...command.positionals.map((entry) => `  <${entry.name}>  ${entry.description}`)] : [];
  const common = { ...COMMON_OPTIONS, output: { ...COMMON_OPTIONS.output, description: `${command.outputs.join(", ")} (default ${command.outputs[0]})` } } as Record<string, OptionSpec>;
  return [
    `fluvio-ports ${command.name}: ${command.summary}`,
    "",
    "Usage:",
    `  fluvio-ports ${command.name} ${command.synopsis}`,
    ...positionals,
    ...own,
    "",
    "Common options:",
    ...optionLines(common),
    ...(command.details ? ["", command.details] : []),
    "",
  ].join("\n");
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const heads = Object.entries(options).map(([name, spec]) => [`${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`, spec.description] as const);
  const width = Math.max(...heads.map(([head]) => head.length));
  return heads.map(([head, description]) => `  ${head.padEnd(width + 2)}${description}`);
}
