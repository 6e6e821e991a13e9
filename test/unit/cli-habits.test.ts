/**
 * fluvio-ports behaves as the tools its users already run (kubectl, helm, pulumi, fluvio):
 * a `version` command, `-o=json`, did-you-mean for every value it refuses, help wrapped to the
 * terminal, each command's help listing only its own options, one line outside a project, and
 * completion that attaches to `npx fluvio-ports` as well, its descriptions whole.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli";
import { optionsOf } from "../../src/cli/command";
import { completionScript } from "../../src/cli/completion";
import { COMMANDS } from "../../src/cli/spec";
import { FLUVIO_VERSION } from "../../src/config/presets";
import { installedCopy, runBin, runCli } from "../support/cli";
import { PROJECT_ROOT } from "../support/pulumi";

const VERSION = (JSON.parse(spawnSync("cat", [join(PROJECT_ROOT, "package.json")], { encoding: "utf8" }).stdout) as { version: string }).version;

/** The CLI's help as a terminal of `columns` would get it. */
async function helpAt(columns: number, args: string[]): Promise<string> {
  let out = "";
  await main(args, { out: (text) => (out += text), err: () => undefined, columns });
  return out;
}

describe("fluvio-ports version", () => {
  it("prints this version, the Fluvio release it deploys and Node's; -o json and -o=json are data", async () => {
    const table = await runCli(["version"]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(new RegExp(`^fluvio-ports ${VERSION.replace(/\./g, "\\.")}\\n`));
    expect(table.out).toContain(FLUVIO_VERSION);
    for (const args of [["version", "-o", "json"], ["version", "-o=json"], ["version", "--output=json"]]) {
      const json = await runCli(args);
      expect(json.code, args.join(" ")).toBe(0);
      expect(JSON.parse(json.out)).toEqual({ fluvioPorts: VERSION, fluvio: FLUVIO_VERSION, node: process.versions.node });
    }
  });

  it("runs outside any project (it reads none)", () => {
    const run = runBin(PROJECT_ROOT, ["version"], { cwd: tmpdir() });
    expect(run.code, run.err).toBe(0);
  });
});

describe("-o=json", () => {
  it("is -o json for every command, and a value after -- is left alone", async () => {
    const spaced = await runCli(["plan", "--stack", "dev", "-o", "json", "--root", PROJECT_ROOT]);
    const joined = await runCli(["plan", "--stack", "dev", "-o=json", "--root", PROJECT_ROOT]);
    expect(joined.code, joined.err).toBe(0);
    expect(joined.out).toBe(spaced.out);
    expect((await runCli(["plan", "-s=dev", "-o=yaml", "--root", PROJECT_ROOT])).out).toMatch(/^stack: dev$/m);
    const after = await runCli(["who", "--", "-o=json"]);
    expect(after.err).not.toMatch(/-o /);
  });
});

describe("did you mean", () => {
  it.each([
    [["plan", "--stack", "dev", "-o", "jsn"], "-o jsn: use table, json or yaml (or wide, mermaid) (did you mean json?)"],
    [["check", "--stack", "dev", "--format", "ymal"], "(did you mean yaml?)"],
    [["check", "--stack", "dev", "--annotations", "githb"], "--annotations githb: use github (did you mean github?)"],
    [["completion", "fsih"], "(did you mean fish?)"],
    [["plna", "--stack", "dev"], "unknown command 'plna' (did you mean plan?)"],
    [["versoin"], "(did you mean version?)"],
    [["registry", "purne"], "(did you mean registry prune?)"],
  ])("%j", async (args, said) => {
    const run = await runCli([...args, "--root", PROJECT_ROOT].filter((arg) => !(args[0] === "completion" || args[0] === "versoin" || args[0] === "registry") || arg !== "--root" && arg !== PROJECT_ROOT));
    expect(run.code).toBe(2);
    expect(run.err).toContain(said);
    expect(run.err.trimEnd().split("\n")).toHaveLength(1);
  });

  it("suggests nothing when nothing is near", async () => {
    const run = await runCli(["plan", "--stack", "dev", "-o", "xml", "--root", PROJECT_ROOT]);
    expect(run.err).not.toContain("did you mean");
  });
});

describe("help", () => {
  it("is wrapped to the terminal's width, between 40 and 120 columns", async () => {
    for (const args of [["--help"], ...COMMANDS.map((command) => [...command.name.split(" "), "--help"])]) {
      for (const [columns, limit] of [[60, 60], [100, 100], [300, 120]] as const) {
        const text = await helpAt(columns, args);
        for (const line of text.split("\n")) expect(line.length, `${args.join(" ")} at ${columns} columns: ${line}`).toBeLessThanOrEqual(limit);
      }
    }
    // Wrapped, not cut: every word of the summary is still there.
    const narrow = (await helpAt(50, ["plan", "--help"])).replace(/\s+/g, " ");
    expect(narrow).toContain(COMMANDS[0]!.summary);
  });

  it("each command's help lists exactly the options it takes, and the parser refuses the others", async () => {
    for (const command of COMMANDS) {
      const text = await helpAt(120, [...command.name.split(" "), "--help"]);
      const listed = [...text.matchAll(/^ {2}(?:-[a-zA-Z], | {4})(--[a-z-]+)/gm)].map((match) => match[1]).sort();
      expect(listed, command.name).toEqual(Object.keys(optionsOf(command)).map((name) => `--${name}`).sort());
    }
    const refused = await runCli(["completion", "bash", "--stack", "dev"]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("unknown option '--stack'");
  });
});

describe("outside a project", () => {
  let empty: string;
  beforeAll(() => {
    empty = mkdtempSync(join(tmpdir(), "fluvio-ports-no-project-"));
  });

  it.each([["plan", "--stack", "dev"], ["check", "--stack", "dev"], ["who", "9000"], ["registry", "prune"]])("%j: one line saying there is no Pulumi.yaml, pointing at --root (exit 2)", (...args) => {
    const run = runBin(PROJECT_ROOT, args, { cwd: empty });
    expect(run.code).toBe(2);
    expect(run.out).toBe("");
    expect(run.err.trimEnd().split("\n")).toHaveLength(1);
    expect(run.err).toContain(`${empty}: no Pulumi.yaml here or in any folder above`);
    expect(run.err).toContain("--root <dir>");
  });

  it("--root naming a folder without Pulumi.yaml says so", () => {
    const run = runBin(PROJECT_ROOT, ["plan", "--stack", "dev", "--root", empty], { cwd: empty });
    expect(run.code).toBe(2);
    expect(run.err).toBe(`fluvio-ports plan: ${empty}: has no Pulumi.yaml: give --root the project folder, the one with Pulumi.yaml\n`);
  });

  it("schema and completion need no project", () => {
    expect(runBin(PROJECT_ROOT, ["schema"], { cwd: empty }).code).toBe(0);
    expect(runBin(PROJECT_ROOT, ["completion", "bash"], { cwd: empty }).code).toBe(0);
  });
});

describe("completion attaches to npx fluvio-ports", () => {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-ports-npx-completion-"));

  it("bash: npx fluvio-ports completes as fluvio-ports does; npx alone offers fluvio-ports", () => {
    const file = join(dir, "fluvio-ports.bash");
    writeFileSync(file, completionScript("bash", COMMANDS));
    const complete = (line: string): string[] => {
      const words = line.split(" ");
      const run = spawnSync("bash", ["-c", `source '${file}'; COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _fluvio_ports_npx; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: PROJECT_ROOT, encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      return run.stdout.split("\n").filter(Boolean).sort();
    };
    expect(complete("npx fluvio-ports plan --stack ")).toEqual(["dev", "prod"]);
    expect(complete("npx fluvio-ports plan -o ")).toEqual(["json", "mermaid", "table", "wide", "yaml"]);
    expect(complete("npx fluvio-ports ve")).toEqual(["version"]);
    expect(complete("npx fluvio-p")).toEqual(["fluvio-ports"]);
    expect(complete("npx other-tool ")).toEqual([]);
    expect(completionScript("bash", COMMANDS)).toContain("complete -o default -F _fluvio_ports_npx npx");
  });

  it("zsh: the same through zsh's own completion system (compinit, a real line editor on a pty)", () => {
    if (spawnSync("zsh", ["-fc", "zmodload zsh/zpty"]).status !== 0) {
      if (process.env.CI === "true") throw new Error("zsh (with its zpty module) is not installed (.ci/run installs it)");
      console.warn("zsh completion: SKIPPED, zsh is not installed");
      return;
    }
    const zsh = mkdtempSync(join(dir, "zsh-"));
    mkdirSync(join(zsh, "functions"));
    writeFileSync(join(zsh, "functions", "_fluvio-ports"), completionScript("zsh", COMMANDS));
    // The shell under test: compinit over the script's folder, and compadd wrapped to write down every match it is given.
    writeFileSync(
      join(zsh, "init.zsh"),
      [
        "PS1=''",
        'fpath=("$ZC_DIR/functions" $fpath)',
        'autoload -Uz compinit && compinit -u -d "$ZC_DIR/zcompdump"',
        "compadd() {",
        '  if (( ${@[(I)-[OAD]]} )); then builtin compadd "$@"; return; fi',
        "  local -a found",
        '  builtin compadd -O found "$@"',
        '  (( $#found )) && print -rl -- $found >> "$ZC_DIR/matches"',
        '  builtin compadd "$@"',
        "}",
        "bindkey '^I' complete-word",
        "bindkey '^U' kill-whole-line",
        'print ready > "$ZC_DIR/ready"',
      ].join("\n"),
    );
    // The user: types the line and Tab, then clears it and says it is done.
    writeFileSync(
      join(zsh, "drive.zsh"),
      [
        "zmodload zsh/zpty",
        "zpty shell 'zsh -f -i'",
        'zpty -w shell "source $ZC_DIR/init.zsh"',
        'for i in {1..100}; do [[ -e $ZC_DIR/ready ]] && break; sleep 0.1; done',
        `zpty -w -n shell "$1"$'\\t\\x15print done > $ZC_DIR/done\\r'`,
        'for i in {1..100}; do [[ -e $ZC_DIR/done ]] && break; sleep 0.1; done',
        "zpty -d shell",
      ].join("\n"),
    );
    const complete = (line: string): string[] => {
      for (const name of ["matches", "ready", "done"]) rmSync(join(zsh, name), { force: true });
      const run = spawnSync("zsh", ["-f", join(zsh, "drive.zsh"), line], { cwd: PROJECT_ROOT, env: { ...process.env, ZC_DIR: zsh }, encoding: "utf8", timeout: 20_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(existsSync(join(zsh, "done")), `zsh did not finish completing ${line}`).toBe(true);
      return [...new Set((existsSync(join(zsh, "matches")) ? readFileSync(join(zsh, "matches"), "utf8") : "").split("\n").filter(Boolean))].sort();
    };
    for (const prefix of ["fluvio-ports", "npx fluvio-ports"]) {
      expect(complete(`${prefix} plan --stack `)).toEqual(["dev", "prod"]);
      expect(complete(`${prefix} plan -o `)).toEqual(["json", "mermaid", "table", "wide", "yaml"]);
      expect(complete(`${prefix} ve`)).toEqual(["version"]);
    }
    expect(complete("npx fluvio-p")).toEqual(["fluvio-ports"]);
  });

  it("fish: the same through fish's own completion engine, descriptions whole", () => {
    if (spawnSync("fish", ["-c", "true"]).status !== 0) {
      if (process.env.CI === "true") throw new Error("fish is not installed (.ci/run installs it)");
      console.warn("fish completion: SKIPPED, fish is not installed");
      return;
    }
    const file = join(dir, "fluvio-ports.fish");
    writeFileSync(file, completionScript("fish", COMMANDS));
    const complete = (line: string): string[] => {
      const run = spawnSync("fish", ["-c", `source '${file}'; complete -C '${line}'`], { cwd: PROJECT_ROOT, encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      return run.stdout.split("\n").filter(Boolean).sort();
    };
    for (const prefix of ["fluvio-ports", "npx fluvio-ports"]) {
      expect(complete(`${prefix} plan --stack `).map((line) => line.split("\t")[0])).toEqual(["dev", "prod"]);
      // The summary as the table says it: backquotes, apostrophes and semicolons kept.
      expect(complete(`${prefix} pl`)).toEqual([`plan\t${COMMANDS[0]!.summary}`]);
      expect(complete(`${prefix} plan --rec`)).toEqual([`--record\t${COMMANDS[0]!.options.record!.description}`]);
    }
    expect(complete("npx fluvio-p").map((line) => line.split("\t")[0])).toEqual(["fluvio-ports"]);
  });
});
