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
  return `# fluvio-ports completion for bash, for fluvio-ports and npx fluvio-ports.
# Load it with: source <(npx fluvio-ports completion bash)
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

# npx fluvio-ports ...: the same, one word on; any other npx command completes file names.
_fluvio_ports_npx() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "fluvio-ports" -- "$cur"))
    return
  fi
  [ "\${COMP_WORDS[1]}" = fluvio-ports ] || return
  local COMP_WORDS=("\${COMP_WORDS[@]:1}")
  local COMP_CWORD=$((COMP_CWORD - 1))
  _fluvio_ports
}

complete -F _fluvio_ports fluvio-ports
complete -o default -F _fluvio_ports_npx npx
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
  return `#compdef fluvio-ports npx
# fluvio-ports completion for zsh, for fluvio-ports and npx fluvio-ports. Install it with:
#   npx fluvio-ports completion zsh > "\${fpath[1]}/_fluvio-ports"   (then start a new shell)

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

# npx fluvio-ports ...: the same, one word on; any other npx command completes file names.
_fluvio_ports_npx() {
  if (( CURRENT == 2 )); then
    compadd -- fluvio-ports
    _files
    return
  fi
  if [[ \${words[2]} == fluvio-ports ]]; then
    shift words
    (( CURRENT-- ))
    _fluvio-ports
  else
    _files
  fi
}

if [ "$funcstack[1]" = "_fluvio-ports" ]; then
  if [ "$service" = npx ]; then _fluvio_ports_npx "$@"; else _fluvio-ports "$@"; fi
else
  compdef _fluvio-ports fluvio-ports
  compdef _fluvio_ports_npx npx
fi
`;
}

/** Text as a fish single-quoted word, kept whole: only `\` and `'` are escaped. */
function fishQuoted(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * The fish script: every line twice, once for `fluvio-ports` and once for `npx` when its first
 * word is `fluvio-ports` (where "no command yet" is `__fluvio_ports_npx_subcommand`, not fish's
 * `__fish_use_subcommand`, which sees `fluvio-ports` as npx's command).
 */
function fishScript(commands: readonly CommandSpec[]): string {
  const lines: string[] = [];
  const add = (condition: string | undefined, rest: string): void => {
    lines.push(`complete -c fluvio-ports${condition ? ` -n ${fishQuoted(condition)}` : ""} ${rest}`);
    const npx = condition === undefined ? "__fluvio_ports_npx" : `__fluvio_ports_npx; and ${condition.replace(/__fish_use_subcommand/g, "__fluvio_ports_npx_subcommand")}`;
    lines.push(`complete -c npx -n ${fishQuoted(npx)} ${rest}`);
  };
  const seen = (name: string): string => name.split(" ").map((word) => `__fish_seen_subcommand_from ${word}`).join("; and ");
  add(undefined, "-f");
  add("__fish_use_subcommand", `-l help -s h -d ${fishQuoted("print the usage and exit")}`);
  add("__fish_use_subcommand", `-l version -d ${fishQuoted("print the version and exit")}`);
  add("__fish_use_subcommand", `-a help -d ${fishQuoted("the usage of a command")}`);
  for (const word of topWords(commands)) add("__fish_use_subcommand", `-a ${word} -d ${fishQuoted(commands.find((command) => command.name === word)?.summary ?? `${word} commands`)}`);
  for (const [group, subcommands] of groups(commands)) add(`__fish_seen_subcommand_from ${group}; and not __fish_seen_subcommand_from ${subcommands.join(" ")}`, `-a ${fishQuoted(subcommands.join(" "))}`);
  for (const command of commands) {
    for (const [name, spec] of Object.entries(optionsOf(command))) {
      const choices = choicesOf(command, name, spec);
      const value = spec.type === "boolean" ? "" : spec.complete === "stacks" ? " -x -a '(__fluvio_ports_stacks)'" : spec.complete === "dirs" ? " -x -a '(__fish_complete_directories)'" : choices ? ` -x -a ${fishQuoted(choices.join(" "))}` : " -x";
      add(seen(command.name), `-l ${name}${spec.short ? ` -s ${spec.short}` : ""}${value} -d ${fishQuoted(spec.description)}`);
    }
    for (const entry of command.positionals.filter((positional) => positional.choices)) add(seen(command.name), `-a ${fishQuoted((entry.choices ?? []).join(" "))} -d ${fishQuoted(entry.description)}`);
  }
  return `# fluvio-ports completion for fish, for fluvio-ports and npx fluvio-ports. Install it with:
#   npx fluvio-ports completion fish > ~/.config/fish/conf.d/fluvio-ports.fish

function __fluvio_ports_stacks
    for file in stacks/Pulumi.*.yaml Pulumi.*.yaml
        string replace -r '^.*Pulumi\\.(.*)\\.yaml$' '$1' -- $file
    end
end

# npx fluvio-ports ...
function __fluvio_ports_npx
    set -l words (commandline -opc)
    test (count $words) -ge 2; and test "$words[2]" = fluvio-ports
end

# npx fluvio-ports, and no command yet
function __fluvio_ports_npx_subcommand
    set -l words (commandline -opc)
    test (count $words) -ge 2; and test "$words[2]" = fluvio-ports; or return 1
    set -e words[1..2]
    for word in $words
        string match -q -- '-*' $word; or return 1
    end
end

complete -c npx -n 'test (count (commandline -opc)) -eq 1' -a fluvio-ports -d ${fishQuoted("plan and check the ports of a Fluvio cluster per Pulumi stack")}
${lines.join("\n")}
`;
}
