/**
 * The command table of `fluvio-ports`: every command, its flags and positionals, and where its
 * code lives. Usage text, argument parsing and shell completion are all read from this table,
 * so a new command (say `doctor`) is one entry here plus one module under `src/cli/`.
 *
 * This file is loaded on every run: it holds data only, and each command's module (with its
 * heavy imports: zod, yaml, the planner) is loaded lazily by `load` when that command runs.
 * The table imports the commands and nothing imports the table back: what a command, the
 * parser and usage share (the entry's type, the common flags) lives in `command.ts`.
 */
import { PROJECT_OPTIONS, type CommandSpec } from "./command";

const DATA_OUTPUTS = ["table", "wide", "json", "yaml"] as const;

/** The commands, in the order usage lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "plan",
    summary: "the stack's port plan, like `fluvio cluster spu list`; record it, check the record, diff it, draw it",
    synopsis: "--stack <s> [-o table|wide|json|yaml|mermaid] [--record [--check]] [--diff]",
    common: PROJECT_OPTIONS,
    options: {
      record: { type: "boolean", description: "write the stack's assignments into stacks/ports.registry.yaml (review it in git)" },
      check: { type: "boolean", description: "with --record: write nothing; exit 1 when the registry's record is out of date, 0 when it is up to date" },
      diff: { type: "boolean", description: "which ports would move, against the stack's record and the deployed `ports` output (pulumi stack output)" },
    },
    positionals: [],
    outputs: ["table", "wide", "json", "yaml", "mermaid"],
    needsStack: true,
    details:
      "table fits 120 columns (cluster-internal hosts are shown as their port); wide shows every column in full;\n" +
      "json and yaml print the ClusterPlan; mermaid draws the port map.\n" +
      "Exit codes: 0 ok; 1 --record --check found the record out of date; 2 usage or config error.",
    asksEngine: true,
    load: async () => (await import("./plan.js")).runPlan,
  },
  {
    name: "check",
    summary: "preflight: are the stack's host ports free on this host, in the registry, among the other stacks?",
    synopsis: "--stack <s> [-o table|wide|json|yaml] [--no-host] [--annotations github]",
    common: PROJECT_OPTIONS,
    options: {
      "no-host": { type: "boolean", description: "skip this host's listeners and containers: the registry and other stacks only (CI)" },
      "registry-only": { type: "boolean", description: "the same as --no-host" },
      annotations: { type: "string", value: "github", description: "also print each conflict as a GitHub Actions ::error line", choices: ["github"] },
    },
    positionals: [],
    outputs: DATA_OUTPUTS,
    needsStack: true,
    details:
      "One line per conflict: the port, the node that wants it, who holds it, and the fix.\n" +
      "json: { conflicts: [{ port, wantedBy, holder, fix, message }], unchecked: [{ source, reason }], ... }.\n" +
      "Exit codes: 0 every port is free; 1 conflicts; 2 usage or config error; 3 could not check (listener tables or\n" +
      "Docker engine unreadable; what was not checked is named on stderr and in `unchecked`).",
    asksEngine: true,
    load: async () => (await import("./check.js")).runCheck,
  },
  {
    name: "who",
    summary: "who owns a port: a stack's node, a record or claim, a well-known owner, a live process or container",
    synopsis: "<port> [--host <h>] [-o table|wide|json|yaml]",
    common: PROJECT_OPTIONS,
    options: {
      host: { type: "string", value: "<h>", description: "the host (or host group) the port is on (default: every host; live check: this machine only)" },
    },
    positionals: [{ name: "port", description: "a port number, 1-65535" }],
    outputs: DATA_OUTPUTS,
    needsStack: false,
    details:
      "--stack limits the stacks asked to that one; without --host every host's stacks, records and claims are listed.\n" +
      "json: { port, host, owners: [{ kind, description, ... }], unchecked: [{ source, reason }] }.\n" +
      "Exit codes: 0 answered (owners or nobody); 2 usage or config error; 3 this host's listeners or engine could not be read.",
    asksEngine: true,
    load: async () => (await import("./who.js")).runWho,
  },
  {
    name: "render",
    summary: "the stack as a Compose file or Kubernetes YAML, plus plan.json, without Pulumi",
    synopsis: "--stack <s> --out <dir> [--force]",
    common: PROJECT_OPTIONS,
    options: {
      out: { type: "string", value: "<dir>", description: "where to write docker-compose.yaml or kubernetes.yaml, and plan.json", complete: "dirs" },
      force: { type: "boolean", description: "replace files in --out it did not write, and links (the link, not its target)" },
    },
    positionals: [],
    outputs: DATA_OUTPUTS,
    needsStack: true,
    details:
      "Prints the paths it wrote (json/yaml: { files, warnings }).\n" +
      "Refuses, before writing anything, to replace a file it did not write, or a link; --force overrides.",
    asksEngine: true,
    load: async () => (await import("./render.js")).runRender,
  },
  {
    name: "doctor",
    summary: "look at a deployed stack: containers, health, bind failures, registrations; and what to do",
    synopsis: "--stack <s> [-o table|wide|json|yaml]",
    common: PROJECT_OPTIONS,
    options: {},
    positionals: [],
    outputs: DATA_OUTPUTS,
    needsStack: true,
    details:
      "Docker stacks: asks the engine for the stack's containers (by label), their health and the SPUs' logs, names who\n" +
      "holds a port an SPU could not bind, compares each registration with the plan and the SC's list, and the containers with\n" +
      "the stack's Pulumi state (orphans, as npm run up reads it). Kubernetes stacks: the kubectl commands.\n" +
      "Exit codes: 0 nothing wrong; 1 problems found; 2 usage or config error; 3 could not look (no engine, or a Kubernetes stack).",
    asksEngine: true,
    load: async () => (await import("./doctor.js")).runDoctor,
  },
  {
    name: "registry prune",
    summary: "drop the records of stacks that have no stack file any more (a dry run unless --apply)",
    synopsis: "[--apply]",
    common: ["output", "format", "root"],
    options: {
      apply: { type: "boolean", description: "write the registry without those records (without it, only list them)" },
    },
    positionals: [],
    outputs: DATA_OUTPUTS,
    needsStack: false,
    details: "Exit codes: 0 ok (listed or removed); 2 usage, config or file error.",
    load: async () => (await import("./registry.js")).runRegistryPrune,
  },
  {
    name: "schema",
    summary: "the JSON Schema of the fluvio-spu:cluster value (or of a whole stack file), for editors",
    synopsis: "[--stack-file] [-o json|yaml]",
    common: ["output", "format", "key"],
    options: {
      "stack-file": { type: "boolean", description: "the schema of a whole Pulumi.<stack>.yaml, the cluster under --key" },
    },
    positionals: [],
    outputs: ["json", "yaml", "table", "wide"],
    needsStack: false,
    details: "table and wide print the JSON as well: a schema has no table form.",
    load: async () => (await import("./schema.js")).runSchema,
  },
  {
    name: "completion",
    summary: "a shell completion script for bash, zsh or fish",
    synopsis: "bash|zsh|fish",
    common: [],
    options: {},
    positionals: [{ name: "shell", description: "bash, zsh or fish", choices: ["bash", "zsh", "fish"] }],
    outputs: ["table"],
    needsStack: false,
    details:
      "bash: source <(npx fluvio-ports completion bash)\n" +
      "zsh:  npx fluvio-ports completion zsh > \"${fpath[1]}/_fluvio-ports\"\n" +
      "fish: npx fluvio-ports completion fish > ~/.config/fish/completions/fluvio-ports.fish\n" +
      "The script completes `fluvio-ports` and `npx fluvio-ports` alike.",
    load: async () => (await import("./completion.js")).completionRunner(COMMANDS),
  },
  {
    name: "version",
    summary: "the version of fluvio-ports, of the Fluvio release it deploys by default, and of Node",
    synopsis: "[-o table|json|yaml]",
    common: ["output", "format"],
    options: {},
    positionals: [],
    outputs: ["table", "json", "yaml"],
    needsStack: false,
    details: "--version prints the version alone.",
    load: async () => (await import("./version.js")).runVersion,
  },
];
