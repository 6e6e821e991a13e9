/**
 * What fluvio-ports prints, tested on the pure functions behind each command: the plan tables,
 * the Mermaid port map, the diff, check's result and exit code, GitHub annotations, and shell
 * completion scripts that list exactly the commands and flags the parser accepts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCommandArgs, parseCommandLine, nearest } from "../../src/cli/args";
import { checkResult, exitCodeOf, githubAnnotation, uncheckedOf } from "../../src/cli/check";
import { completionScript, flagWords } from "../../src/cli/completion";
import { describeFailure, EXIT } from "../../src/cli/failure";
import { ConfigError, HostError } from "../../src/errors";
import { diffPorts } from "../../src/cli/diff";
import { planMermaid } from "../../src/cli/mermaid";
import { formatCompactPlanTable, formatPlanTable, TABLE_WIDTH } from "../../src/cli/plan-table";
import { PROJECT_OPTIONS, optionsOf, type CommandSpec } from "../../src/cli/command";
import { COMMANDS } from "../../src/cli/spec";
import { claimOwners, formatWho, nodeOwners } from "../../src/cli/who";
import { planStackFiles } from "../../src/context";
import { parseClusterSpec } from "../../src/config/schema";
import { planCluster } from "../../src/plan/plan";
import { recordOf } from "../../src/plan/record";
import { EMPTY_REGISTRY } from "../../src/ports/registry";
import { PROJECT_ROOT } from "../support/pulumi";

const plans = {
  dev: planStackFiles(PROJECT_ROOT, "dev", EMPTY_REGISTRY).plan,
  prod: planStackFiles(PROJECT_ROOT, "prod", EMPTY_REGISTRY).plan,
};

describe("plan tables", () => {
  it.each(["dev", "prod"] as const)("%s: the default table fits 120 columns and keeps every SPU's public, local and NodePort", (stack) => {
    const plan = plans[stack];
    const text = formatCompactPlanTable(plan);
    for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(TABLE_WIDTH);
    for (const spu of plan.spus) {
      expect(text).toContain(spu.public);
      expect(text).toContain(spu.local ?? "");
      if (spu.ports.nodePort !== undefined) expect(text).toMatch(new RegExp(`^${spu.id} .* ${spu.ports.public}\\s+${spu.ports.nodePort}$`, "m"));
    }
  });

  it("dev keeps fluvio's columns; prod drops only the constant STATUS and TYPE, and names the cluster-internal hosts", () => {
    expect(formatCompactPlanTable(plans.dev)).toMatch(/^ID\s+NAME\s+STATUS\s+TYPE\s+RACK\s+PUBLIC\s+PRIVATE\s+LOCAL\s+METRICS$/m);
    const prod = formatCompactPlanTable(plans.prod);
    expect(prod).toMatch(/^ID\s+NAME\s+RACK\s+PUBLIC\s+PRIVATE\s+LOCAL\s+METRICS\s+SERVICEPORT\s+NODEPORT$/m);
    expect(prod).toContain("SPU fluvio-prod-spu-<id>-internal.fluvio.svc.cluster.local");
    expect(prod).toMatch(/^5001\s+custom-spu-5001\s+rack-a\s+localhost:30001\s+10102\s+host\.docker\.internal:30001\s+10201\s+10002\s+30001$/m);
  });

  it("the legend's host pattern replaces the SPU's id, not a stack name made of the same digits", () => {
    const plan = planCluster(parseClusterSpec({ environment: "dev", spus: 1 }), { stack: "5001" });
    expect(formatCompactPlanTable(plan)).toContain("SC fluvio-5001-sc · SPU fluvio-5001-spu-<id>");
  });

  it("-o wide is every endpoint in full", () => {
    const wide = formatPlanTable(plans.prod);
    for (const spu of plans.prod.spus) for (const endpoint of [spu.public, spu.private, spu.local, spu.metrics]) expect(wide).toContain(endpoint);
  });
});

describe("plan -o mermaid", () => {
  it.each(["dev", "prod"] as const)("%s: a flowchart whose every edge joins declared boxes, with every host port and local endpoint", (stack) => {
    const plan = plans[stack];
    const text = planMermaid(plan);
    expect(text.startsWith("flowchart LR\n")).toBe(true);
    expect(text).toBe(planMermaid(plan));
    const declared = new Set([...text.matchAll(/^\s+([A-Za-z0-9_]+)\["/gm)].map((match) => match[1]));
    const edges = [...text.matchAll(/^\s+([A-Za-z0-9_]+) (?:-->|-\.->)\|"[^"]*"\| ([A-Za-z0-9_]+)$/gm)];
    expect(edges.length).toBeGreaterThan(0);
    for (const [, from, to] of edges) {
      expect(declared.has(from), from).toBe(true);
      expect(declared.has(to), to).toBe(true);
    }
    for (const line of text.split("\n").filter((candidate) => candidate.includes("["))) expect(line.split('"').length % 2, line).toBe(1);
    expect((text.match(/\bsubgraph\b/g) ?? []).length).toBe((text.match(/^\s+end$/gm) ?? []).length);
    for (const port of plan.hostPorts) expect(text).toMatch(new RegExp(`host_${port}\\["`));
    for (const spu of plan.spus) expect(text).toContain(`"${spu.local}"`);
  });

  it("prod: NodePort → Service port → containerPort", () => {
    const text = planMermaid(plans.prod);
    const spu = plans.prod.spus[0]!;
    expect(text).toContain(`host_${spu.ports.nodePort} -->|"Service port ${spu.ports.public}"| spu_${spu.id}_service`);
    expect(text).toContain(`spu_${spu.id}_service -->|"containerPort ${spu.ports.public}"| spu_${spu.id}`);
  });
});

describe("plan --diff", () => {
  it("rows for every (node, role): same, moves, new, removed", () => {
    const plan = plans.dev;
    const record = recordOf(plan);
    const moved = { ...record, nodes: { ...record.nodes, "spu-5001": { ...record.nodes["spu-5001"], public: 9099 }, "spu-5009": { public: 9090 } } };
    delete (moved.nodes as Record<string, unknown>)["spu-5003"];
    const rows = diffPorts(plan, { record: moved, deployed: { reason: "none" } });
    const change = (owner: string, role: string) => rows.find((row) => row.owner === owner && row.role === role)?.change;
    expect(change("sc", "public")).toBe("same");
    expect(change("spu-5001", "public")).toBe("moves");
    expect(change("spu-5003", "public")).toBe("new");
    expect(change("spu-5009", "public")).toBe("removed");
    expect(rows.map((row) => row.owner)).toEqual([...rows.map((row) => row.owner)].sort((a, b) => (a === "sc" ? -1 : b === "sc" ? 1 : Number(a.slice(4)) - Number(b.slice(4)))));
    const deployed = diffPorts(plan, { record: null, deployed: plan.ports.map((row) => ({ owner: row.owner, role: row.role, port: row.port })) });
    expect(deployed.every((row) => row.change === "same")).toBe(true);
  });
});

describe("check", () => {
  const report = (sources: { proc: boolean; docker: true | string }) => ({ checked: [9002], conflicts: [], sources });

  it("exit codes: 1 for conflicts, 3 when this host could not be read, 0 otherwise; --no-host is no failure", () => {
    expect(exitCodeOf(checkResult(plans.dev, report({ proc: true, docker: true }), []))).toBe(0);
    expect(exitCodeOf(checkResult(plans.dev, report({ proc: false, docker: true }), []))).toBe(3);
    expect(exitCodeOf(checkResult(plans.dev, report({ proc: true, docker: "permission denied on /var/run/docker.sock (join the docker group, or run as root)" }), []))).toBe(3);
    expect(exitCodeOf(checkResult(plans.dev, undefined, []))).toBe(0);
    const conflict = { port: 9002, wantedBy: "SC public", holder: { kind: "unknown" as const, description: "x" }, fix: "f", message: "m" };
    expect(exitCodeOf(checkResult(plans.dev, report({ proc: false, docker: true }), [conflict]))).toBe(1);
  });

  it("no Docker engine on the host is checked (nothing can publish); an unreadable one is not", () => {
    expect(uncheckedOf(report({ proc: true, docker: "no Docker engine socket at /var/run/docker.sock" }))).toEqual([]);
    expect(uncheckedOf(report({ proc: true, docker: "the Docker engine at /x.sock refuses connections (is dockerd running?)" }))).toEqual([]);
    expect(uncheckedOf(report({ proc: true, docker: "DOCKER_HOST=ssh://far is not a local unix socket; preflight asks only this host's engine" }))).toEqual([{ source: "docker", reason: expect.stringContaining("ssh://far") }]);
    expect(uncheckedOf(report({ proc: false, docker: true }))).toEqual([{ source: "proc", reason: expect.stringContaining("/proc/net/tcp") }]);
  });

  it("GitHub annotations escape %, CR and LF in the message, and : and , in properties too", () => {
    expect(githubAnnotation("error", { file: "stacks/a,b.yaml", title: "port 9002: taken" }, "100% taken\r\nby: x, y")).toBe("::error file=stacks/a%2Cb.yaml,title=port 9002%3A taken::100%25 taken%0D%0Aby: x, y");
    expect(githubAnnotation("warning", {}, "plain")).toBe("::warning::plain");
  });
});

describe("who", () => {
  it("a planned node, the record no stack plans, a claim and a well-known owner", () => {
    const registry = { hostGroups: { ci: ["ci-1", "ci-2"] }, claims: [{ owner: "team-x fluvio", ports: { from: 9300, to: 9400 }, hosts: ["ci"], source: "registry" as const }], records: [{ stack: "gone", cluster: "fluvio", host: "ci-1", nodes: { "spu-5001": { public: 9007 } } }] };
    const owners = nodeOwners(9007, null, registry, [plans.dev]);
    expect(owners.map((owner) => owner.kind)).toEqual(["stack", "record"]);
    expect(nodeOwners(9007, "ci-2", registry, [plans.dev])).toEqual([]);
    expect(nodeOwners(9007, "ci-1", registry, [plans.dev]).map((owner) => owner.kind)).toEqual(["record"]);
    expect(claimOwners(9350, "ci-2", registry).map((owner) => owner.description)).toEqual(["team-x fluvio, claimed in the registry (9300-9400)"]);
    expect(claimOwners(9300, "localhost", registry).map((owner) => owner.kind)).toEqual(["well-known"]);
    expect(formatWho({ port: 9007, host: null, owners, unchecked: [] })).toMatch(/^stack\s+localhost\s+stack dev \(cluster fluvio\): SPU 5001 public, derived, on the host$/m);
  });
});

describe("the parser", () => {
  it("suggests the nearest flag or command, and nothing when nothing is near", () => {
    expect(nearest("--frmat", ["--format", "--root"])).toBe("--format");
    expect(nearest("--stak", ["--stack", "--key"])).toBe("--stack");
    expect(nearest("--zzzzzz", ["--format", "--root"])).toBeUndefined();
    expect(() => parseCommandLine(["chek"])).toThrow(/unknown command 'chek' \(did you mean check\?\)/);
  });

  it("accepts every flag of the table on its command", () => {
    for (const command of COMMANDS) {
      const required = [...(command.needsStack ? ["--stack", "dev"] : []), ...command.positionals.map((entry) => entry.choices?.[0] ?? "9000")];
      for (const [name, spec] of Object.entries(optionsOf(command))) {
        if (name === "help" || (name === "stack" && command.needsStack)) continue;
        const value = spec.type === "string" ? [name === "output" || name === "format" ? (command.outputs[0] as string) : (spec.choices?.[0] ?? "x")] : [];
        expect(() => parseCommandArgs(command, [...required, `--${name}`, ...value]), `${command.name} --${name}`).not.toThrow();
        if (spec.short) expect(() => parseCommandArgs(command, [...required, `-${spec.short}`, ...value]), `${command.name} -${spec.short}`).not.toThrow();
      }
    }
  });
});

describe("shell completion", () => {
  // What completion offers first: each command's first word (`registry` for `registry prune`).
  const commands = [...new Set(COMMANDS.map((command) => command.name.split(" ")[0] as string))];
  const firstWord = (command: CommandSpec): string => command.name.split(" ")[0] as string;

  function has(shell: string): boolean {
    return spawnSync(shell, ["-c", "true"]).status === 0;
  }

  it("bash: the script parses, offers the commands, each command's flags, stacks and -o values", () => {
    const script = completionScript("bash", COMMANDS);
    const dir = mkdtempSync(join(tmpdir(), "fluvio-ports-completion-"));
    const file = join(dir, "fluvio-ports.bash");
    writeFileSync(file, script);
    expect(spawnSync("bash", ["-n", file], { encoding: "utf8" }).status).toBe(0);
    const complete = (line: string): string[] => {
      const words = line.split(" ");
      const run = spawnSync("bash", ["-c", `source '${file}'; COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _fluvio_ports; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: PROJECT_ROOT, encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      return run.stdout.split("\n").filter(Boolean).sort();
    };
    expect(complete("fluvio-ports ")).toEqual([...commands, "help", "--help", "--version"].sort());
    for (const command of COMMANDS) expect(complete(`fluvio-ports ${command.name} -`)).toEqual(flagWords(command).sort());
    expect(complete("fluvio-ports plan --stack ")).toEqual(["dev", "prod"]);
    expect(complete("fluvio-ports plan -o ")).toEqual(["json", "mermaid", "table", "wide", "yaml"]);
    expect(complete("fluvio-ports check -o ")).toEqual(["json", "table", "wide", "yaml"]);
    expect(complete("fluvio-ports completion ")).toEqual(["bash", "fish", "zsh"]);
  });

  it("zsh: lists each command and exactly its flags (and parses, where zsh is installed)", () => {
    const script = completionScript("zsh", COMMANDS);
    for (const command of COMMANDS) {
      const body = script.split(`\n    "${command.name}")\n`)[1]?.split("\n      ;;")[0] ?? "";
      const flags = new Set([...body.matchAll(/(?:^|[{,'])(--[a-z-]+)=?(?=[\[},])/gm)].map((match) => match[1]));
      const shorts = new Set([...body.matchAll(/\{(-[a-zA-Z])\+?,/g)].map((match) => match[1]));
      expect([...flags, ...shorts].sort(), command.name).toEqual(flagWords(command).sort());
      expect(script).toContain(`'${firstWord(command)}:`);
    }
    if (has("zsh")) {
      const file = join(mkdtempSync(join(tmpdir(), "fluvio-ports-completion-")), "_fluvio-ports");
      writeFileSync(file, script);
      expect(spawnSync("zsh", ["-n", file], { encoding: "utf8" }).status).toBe(0);
    }
  });

  it("fish: lists each command and exactly its flags (and parses, where fish is installed)", () => {
    const script = completionScript("fish", COMMANDS);
    for (const command of COMMANDS) {
      const seen = command.name.split(" ").map((word) => `__fish_seen_subcommand_from ${word}`).join("; and ");
      const lines = script.split("\n").filter((line) => line.startsWith("complete -c fluvio-ports ") && line.includes(`${seen}'`));
      const words = lines.flatMap((line) => [...(/ -l ([a-z-]+)/.exec(line) ? [`--${/ -l ([a-z-]+)/.exec(line)![1]}`] : []), ...(/ -s ([a-zA-Z]) /.exec(line) ? [`-${/ -s ([a-zA-Z]) /.exec(line)![1]}`] : [])]);
      expect(words.sort(), command.name).toEqual(flagWords(command).sort());
      expect(script).toContain(`-n '__fish_use_subcommand' -a ${firstWord(command)} `);
    }
    if (has("fish")) {
      const file = join(mkdtempSync(join(tmpdir(), "fluvio-ports-completion-")), "fluvio-ports.fish");
      writeFileSync(file, script);
      const run = spawnSync("fish", ["--no-execute", file], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      const offered = spawnSync("fish", ["-c", `source '${file}'; complete -C 'fluvio-ports plan --stack '`], { cwd: PROJECT_ROOT, encoding: "utf8" });
      expect(offered.stdout.split("\n").map((line) => line.split("\t")[0]).filter(Boolean).sort()).toEqual(["dev", "prod"]);
    }
  });
});

describe("commands of several words (a group such as `registry prune`)", () => {
  const runner = async () => 0;
  const command = (name: string, options: CommandSpec["options"] = {}): CommandSpec => ({ name, summary: `${name} things`, synopsis: "--stack <s>", common: PROJECT_OPTIONS, options, positionals: [], outputs: ["table", "json"], needsStack: true, load: async () => runner });
  const table: CommandSpec[] = [command("plan"), command("registry prune", { "dry-run": { type: "boolean", description: "say what would go" } }), command("registry list")];

  it("the parser finds them, asks for a subcommand and suggests one", () => {
    const line = parseCommandLine(["registry", "prune", "--stack", "dev", "--dry-run"], table);
    expect(line).toMatchObject({ kind: "run", command: { name: "registry prune" }, flags: { stack: "dev", "dry-run": true } });
    expect(parseCommandLine(["help", "registry", "list"], table)).toMatchObject({ kind: "help", command: { name: "registry list" } });
    expect(parseCommandLine(["registry", "list", "--help"], table)).toMatchObject({ kind: "help", command: { name: "registry list" } });
    expect(() => parseCommandLine(["registry"], table)).toThrow(/registry needs a subcommand: use registry prune or registry list/);
    expect(() => parseCommandLine(["registry", "prnue"], table)).toThrow(/registry has no subcommand 'prnue' \(did you mean registry prune\?\)/);
    expect(() => parseCommandLine(["plan", "--stack", "dev", "--dry-run"], table)).toThrow(/--dry-run goes with registry prune, not plan/);
  });

  it("completion offers the group, then its subcommands, then the subcommand's flags", () => {
    const dir = mkdtempSync(join(tmpdir(), "fluvio-ports-completion-"));
    const file = join(dir, "fluvio-ports.bash");
    writeFileSync(file, completionScript("bash", table));
    const complete = (line: string): string[] => {
      const words = line.split(" ");
      const run = spawnSync("bash", ["-c", `source '${file}'; COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _fluvio_ports; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: "utf8" });
      return run.stdout.split("\n").filter(Boolean).sort();
    };
    expect(complete("fluvio-ports ")).toEqual(["--help", "--version", "help", "plan", "registry"]);
    expect(complete("fluvio-ports registry ")).toEqual(["list", "prune"]);
    expect(complete("fluvio-ports registry prune --d")).toEqual(["--dry-run"]);
    for (const [shell, check] of [["zsh", ["-n"]], ["fish", ["--no-execute"]]] as const) {
      if (spawnSync(shell, ["-c", "true"]).status !== 0) continue;
      const script = join(dir, `script.${shell}`);
      writeFileSync(script, completionScript(shell, table));
      const run = spawnSync(shell, [...check, script], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
    }
  });
});

describe("failures", () => {
  it("a bug: one line that says so, exit 70; the stack trace only with FLUVIO_PORTS_DEBUG=1", () => {
    const bug = describeFailure(new TypeError("cannot read properties of undefined (reading 'ports')"), "plan");
    expect(bug.code).toBe(EXIT.bug);
    expect(bug.text).toMatch(/^fluvio-ports plan: internal error: cannot read properties of undefined \(reading 'ports'\)\. This is a bug in fluvio-ports: please report it/);
    expect(bug.text.trimEnd().split("\n")).toHaveLength(1);
    expect(describeFailure(new Error("x"), "plan", true).text).toMatch(/\n\s+at /);
  });

  it("file-system errors name the file and the fix; host errors keep their exit codes", () => {
    const erofs = Object.assign(new Error("EROFS: read-only file system, open '/r/stacks/ports.registry.yaml'"), { code: "EROFS", syscall: "open", path: "/r/stacks/ports.registry.yaml" });
    expect(describeFailure(erofs, "plan")).toEqual({ code: 2, text: "fluvio-ports plan: /r/stacks/ports.registry.yaml: it is on a read-only file system (open); run from a writable copy of the project\n" });
    const eacces = Object.assign(new Error("EACCES"), { code: "EACCES", syscall: "open", path: "/r/x" });
    expect(describeFailure(eacces, "render").text).toMatch(/^fluvio-ports render: \/r\/x: it is not accessible to this user \(permission denied\) \(open\); fix its permissions/);
    expect(describeFailure(new HostError("unchecked", { path: "/proc", message: "unreadable" }, "h"), "check").code).toBe(3);
    expect(describeFailure(new HostError("ports-taken", { path: "9002", message: "taken" }, "h"), "check").code).toBe(1);
    expect(describeFailure(new ConfigError({ path: "spus[0].id", message: "bad" }), "plan")).toEqual({ code: 2, text: "invalid fluvio-spu cluster config (1 problem):\n  - spus[0].id: bad\n" });
  });
});
