/**
 * `fluvio-ports completion bash|zsh|fish`: shell completion scripts, written from the command
 * table, so they offer exactly the commands, flags and values the parser accepts. Stack names
 * come from the stack files in `stacks/` (or the working directory) as the shell completes.
 */
import { EXIT } from "./failure";
import type { CommandInput } from "./input";
import { optionsOf, type CommandRunner, type CommandSpec, type OptionSpec } from "./command";

/** The shells there is a script for. */
export type Shell = "bash" | "zsh" | "fish";

/** The runner of `completion <shell>` for a command table (the table passes itself: it is not imported here). */
export function completionRunner(commands: readonly CommandSpec[]): CommandRunner {
  return async (input: CommandInput) => {
    input.streams.out(completionScript(input.positionals[0] as Shell, commands));
    return EXIT.ok;
  };
}

/** The completion script for a shell, for a command table. */
export function completionScript(shell: Shell, commands: readonly CommandSpec[]): string {
  switch (shell) {
    case "bash":
      return bashScript(commands);
    case "zsh":
      return zshScript(commands);
    case "fish":
      return fishScript(commands);
  }
}

/** Every flag of a command as the shell types it: `--stack`, `-s`, ... */
export function flagWords(command: CommandSpec): string[] {
  return Object.entries(optionsOf(command)).flatMap(([name, spec]) => [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])]);
}

/** The values a flag takes, where the table lists them (`-o` takes the command's outputs). */
function choicesOf(command: CommandSpec, name: string, spec: OptionSpec): readonly string[] | undefined {
  return name === "output" || name === "format" ? command.outputs : spec.choices;
}

/** Words safe inside single quotes and zsh's `[...]` descriptions. */
function plain(text: string): string {
  return text.replace(/'/g, "\u2019").replace(/[`"$\\[\]]/g, "").replace(/:/g, " -");
}

const TOP_LEVEL = ["help", "--help", "--version"];

/** The first words of the commands (`plan`, `registry`), in table order. */
function topWords(commands: readonly CommandSpec[]): string[] {
  return [...new Set(commands.map((command) => command.name.split(" ")[0] as string))];
}

/** Groups (first words of multi-word commands) and their subcommands: `registry` → [`prune`]. */
function groups(commands: readonly CommandSpec[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const command of commands) {
    const [first, ...rest] = command.name.split(" ");
    if (first === undefined || rest.length === 0) continue;
    found.set(first, [...(found.get(first) ?? []), rest.join(" ")]);
  }
  return found;
}

function bashScript(commands: readonly CommandSpec[]): string {
  const valueCases = commands.map((command) => {
    const arms = Object.entries(optionsOf(command))
      .filter(([, spec]) => spec.type === "string")
      .map(([name, spec]) => {
        const words = [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])].join("|");
        const choices = choicesOf(command, name, spec);
        const action =
          spec.complete === "stacks"
            ? `COMPREPLY=($(compgen -W "$(_fluvio_ports_stacks)" -- "$cur"))`
            : spec.complete === "dirs"
              ? `COMPREPLY=($(compgen -d -- "$cur"))`
              : choices
                ? `COMPREPLY=($(compgen -W "${choices.join(" ")}" -- "$cur"))`
                : "COMPREPLY=()";
        return `        ${words}) ${action}; return ;;`;
      });
    return [`    "${command.name}")`, "      case $prev in", ...arms, "      esac", `      opts="${flagWords(command).join(" ")}"`, `      args="${command.positionals.flatMap((entry) => entry.choices ?? []).join(" ")}"`, "      ;;"].join("\n");
  });
  const groupCases = [...groups(commands)].map(([group, subcommands]) =>
    [`    ${group})`, `      if [ "$COMP_CWORD" -eq 2 ]; then COMPREPLY=($(compgen -W "${subcommands.join(" ")}" -- "$cur")); return; fi`, `      cmd="$cmd \${COMP_WORDS[2]}"`, "      ;;"].join("\n"),
  );
  return `# fluvio-ports completion for bash. Load it with: source <(fluvio-ports completion bash)
_fluvio_ports_stacks() {
  local file
  for file in stacks/Pulumi.*.yaml Pulumi.*.yaml; do
    [ -e "$file" ] || continue
    file=\${file##*/Pulumi.}
    printf '%s\\n' "\${file%.yaml}"
  done
}

_fluvio_ports() {
  local cur prev cmd opts args
  cur=\${COMP_WORDS[COMP_CWORD]}
  prev=\${COMP_WORDS[COMP_CWORD-1]}
  if [ "$COMP_CWORD" -le 1 ]; then
    COMPREPLY=($(compgen -W "${[...topWords(commands), ...TOP_LEVEL].join(" ")}" -- "$cur"))
    return
  fi
  cmd=\${COMP_WORDS[1]}
  if [ "$cmd" = help ]; then
    [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "${topWords(commands).join(" ")}" -- "$cur"))
    return
  fi
  case $cmd in
${groupCases.length > 0 ? groupCases.join("\n") : "    --) return ;;"}
  esac
  case $cmd in
${valueCases.join("\n")}
    *) return ;;
  esac
  case $cur in
    -*) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "$args" -- "$cur")) ;;
  esac
}

complete -F _fluvio_ports fluvio-ports
`;
}

function zshScript(commands: readonly CommandSpec[]): string {
  const specLine = (command: CommandSpec, name: string, spec: OptionSpec): string => {
    const description = plain(spec.description);
    const choices = choicesOf(command, name, spec);
    const action = spec.type === "boolean" ? "" : `:${plain(spec.value ?? name).replace(/[<>]/g, "")}:${spec.complete === "stacks" ? "_fluvio_ports_stacks" : spec.complete === "dirs" ? "_files -/" : spec.complete === "files" ? "_files" : choices ? `(${choices.join(" ")})` : " "}`;
    if (spec.short) {
      const forms = spec.type === "string" ? `{-${spec.short}+,--${name}=}` : `{-${spec.short},--${name}}`;
      return `'(-${spec.short} --${name})'${forms}'[${description}]${action}'`;
    }
    return `'--${name}${spec.type === "string" ? "=" : ""}[${description}]${action}'`;
  };
  const cases = commands.map((command) => {
    const specs = Object.entries(optionsOf(command)).map(([name, spec]) => specLine(command, name, spec));
    const positionals = command.positionals.map((entry, index) => `'${index + 1}:${plain(entry.name)}:${entry.choices ? `(${entry.choices.join(" ")})` : " "}'`);
    return [`    "${command.name}")`, "      _arguments -s \\", ...[...specs, ...positionals].map((line, index, all) => `        ${line}${index === all.length - 1 ? "" : " \\"}`), "      ;;"].join("\n");
  });
  const summaryOf = (word: string): string => commands.find((command) => command.name === word)?.summary ?? `${word} commands`;
  const groupCases = [...groups(commands)].map(([group, subcommands]) =>
    [`    ${group})`, `      if (( CURRENT == 3 )); then compadd -- ${subcommands.join(" ")}; return; fi`, `      cmd="$cmd \${words[3]}"`, "      shift words", "      (( CURRENT-- ))", "      ;;"].join("\n"),
  );
  return `#compdef fluvio-ports
# fluvio-ports completion for zsh. Install it with:
#   fluvio-ports completion zsh > "\${fpath[1]}/_fluvio-ports"   (then start a new shell)

_fluvio_ports_stacks() {
  local -a stacks
  stacks=(stacks/Pulumi.*.yaml(N:t:r) Pulumi.*.yaml(N:t:r))
  stacks=(\${stacks#Pulumi.})
  _describe -t stacks 'stack' stacks
}

_fluvio-ports() {
  local -a commands
  commands=(
${topWords(commands).map((word) => `    '${word}:${plain(summaryOf(word))}'`).join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'command' commands
    compadd -- ${TOP_LEVEL.filter((word) => word.startsWith("-")).join(" ")}
    return
  fi
  local cmd=\${words[2]}
  case $cmd in
${groupCases.length > 0 ? groupCases.join("\n") : "    --) return ;;"}
  esac
  shift words
  (( CURRENT-- ))
  case $cmd in
    help)
      _describe -t commands 'command' commands
      ;;
${cases.join("\n")}
  esac
}

if [ "$funcstack[1]" = "_fluvio-ports" ]; then
  _fluvio-ports "$@"
else
  compdef _fluvio-ports fluvio-ports
fi
`;
}

function fishScript(commands: readonly CommandSpec[]): string {
  const seen = (name: string): string => name.split(" ").map((word) => `__fish_seen_subcommand_from ${word}`).join("; and ");
  const groupLines = [...groups(commands)].map(
    ([group, subcommands]) => `complete -c fluvio-ports -n '__fish_seen_subcommand_from ${group}; and not __fish_seen_subcommand_from ${subcommands.join(" ")}' -a '${subcommands.join(" ")}'`,
  );
  const topLines = topWords(commands).map((word) => `complete -c fluvio-ports -n __fish_use_subcommand -a ${word} -d '${plain(commands.find((command) => command.name === word)?.summary ?? `${word} commands`)}'`);
  const lines = commands.flatMap((command) => {
    const when = `-n '${seen(command.name)}'`;
    const flags = Object.entries(optionsOf(command)).map(([name, spec]) => {
      const choices = choicesOf(command, name, spec);
      const value = spec.type === "boolean" ? "" : spec.complete === "stacks" ? " -x -a '(__fluvio_ports_stacks)'" : spec.complete === "dirs" ? " -x -a '(__fish_complete_directories)'" : choices ? ` -x -a '${choices.join(" ")}'` : " -x";
      return `complete -c fluvio-ports ${when} -l ${name}${spec.short ? ` -s ${spec.short}` : ""}${value} -d '${plain(spec.description)}'`;
    });
    const positionals = command.positionals.filter((entry) => entry.choices).map((entry) => `complete -c fluvio-ports ${when} -a '${(entry.choices ?? []).join(" ")}' -d '${plain(entry.description)}'`);
    return [...flags, ...positionals];
  });
  return `# fluvio-ports completion for fish. Install it with:
#   fluvio-ports completion fish > ~/.config/fish/completions/fluvio-ports.fish

function __fluvio_ports_stacks
    for file in stacks/Pulumi.*.yaml Pulumi.*.yaml
        string replace -r '^.*Pulumi\\.(.*)\\.yaml$' '$1' -- $file
    end
end

complete -c fluvio-ports -f
complete -c fluvio-ports -n __fish_use_subcommand -l help -s h -d 'print the usage and exit'
complete -c fluvio-ports -n __fish_use_subcommand -l version -d 'print the version and exit'
complete -c fluvio-ports -n __fish_use_subcommand -a help -d 'the usage of a command'
${[...topLines, ...groupLines, ...lines].join("\n")}
`;
}
