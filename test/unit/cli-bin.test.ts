/**
 * fluvio-ports as a user runs it: the installed bin (`node bin/fluvio-ports.js`, what `npx
 * fluvio-ports` starts) in a copy of the project, with exit codes and what goes to stdout and
 * to stderr. Host-dependent commands (check, who) are run with --no-host or on a port nothing
 * plans; test/live/cli.test.ts runs them against real listeners.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { installedCopy, runBin, runShell, type BinRun } from "../support/cli";
import { PROJECT_ROOT } from "../support/pulumi";

const NO_TRACE = /\n\s+at /;

/** stderr holds no stack trace, and (for errors) exactly one line. */
function expectOneLineError(run: BinRun, code: number, says: RegExp): void {
  expect(run.code, run.err).toBe(code);
  expect(run.out).toBe("");
  expect(run.err).toMatch(says);
  expect(run.err).not.toMatch(NO_TRACE);
  expect(run.err.trimEnd().split("\n")).toHaveLength(1);
}

describe("fluvio-ports: help, version and usage errors", () => {
  let root: string;
  beforeAll(() => {
    root = installedCopy();
  });

  it("--version prints the package version", () => {
    const run = runBin(root, ["--version"]);
    expect(run.code).toBe(0);
    expect(run.out).toBe(`${JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")).version}\n`);
  });

  it.each(["plan", "check", "who", "render", "schema", "completion"])("%s --help and -h exit 0 and print that command's usage on stdout", (command) => {
    for (const flag of ["--help", "-h"]) {
      const run = runBin(root, [command, flag]);
      expect(run.code).toBe(0);
      expect(run.err).toBe("");
      expect(run.out).toMatch(new RegExp(`^fluvio-ports ${command}: `));
      expect(run.out).toContain(`Usage:\n  fluvio-ports ${command} `);
      // Each command's help lists the options it takes: completion takes no -o.
      if (command === "completion") expect(run.out).not.toContain("--output");
      else expect(run.out).toContain("-o, --output <format>");
    }
  });

  it("every usage fits 120 columns", () => {
    for (const args of [["--help"], ...["plan", "check", "who", "render", "schema", "completion"].map((command) => [command, "--help"])]) {
      for (const line of runBin(root, args).out.split("\n")) expect(line.length, `${args.join(" ")}: ${line}`).toBeLessThanOrEqual(120);
    }
  });

  it("--help wins over other mistakes on the line; help <command> is the same", () => {
    expect(runBin(root, ["plan", "--frmat", "x", "--help"]).code).toBe(0);
    expect(runBin(root, ["help", "check"]).out).toBe(runBin(root, ["check", "--help"]).out);
  });

  it("the program's usage lists every command", () => {
    const run = runBin(root, ["--help"]);
    expect(run.code).toBe(0);
    for (const command of ["plan", "check", "who", "render", "schema", "completion"]) expect(run.out).toContain(`fluvio-ports ${command} `);
    expect(run.out).toMatch(/Exit codes: 0 ok; 1 conflicts/);
  });

  it("an unknown option: one line, the nearest option and the hint", () => {
    const run = runBin(root, ["plan", "--stack", "dev", "--frmat", "json"]);
    expectOneLineError(run, 2, /^fluvio-ports plan: unknown option '--frmat' \(did you mean --format\?\); see fluvio-ports plan --help\n$/);
  });

  it.each([
    [["plan"], /--stack is required, for example --stack dev; see fluvio-ports plan --help/],
    [["plan", "--stack"], /--stack needs a value, for example --stack dev/],
    [["plan", "--stack", "--record"], /--stack needs a value/],
    [["plan", "--stack", "dev", "-o", "xml"], /-o xml: use table, json or yaml \(or wide, mermaid\)/],
    [["plan", "--stack", "dev", "-o", "json", "--format", "yaml"], /-o json and --format yaml disagree/],
    [["plan", "--stack", "dev", "--record=yes"], /--record takes no value/],
    [["plan", "--stack", "dev", "--out", "x"], /--out goes with render, not plan/],
    [["plan", "--stack", "dev", "--check"], /--check goes with --record/],
    [["plan", "--stack", "dev", "--diff", "--record"], /--diff shows and --record writes/],
    [["plan", "--stack", "dev", "extra"], /unexpected argument 'extra': plan takes flags only/],
    [["check", "--stack", "dev", "--annotations", "gitlab"], /--annotations gitlab: use github/],
    [["check", "--stack", "dev", "--annotations", "github", "-o", "json"], /--annotations github prints workflow commands/],
    [["who"], /<port> is missing/],
    [["who", "http"], /<port> 'http' is not a port number \(1-65535\)/],
    [["who", "70000"], /is not a port number/],
    [["completion", "tcsh"], /<shell> 'tcsh' is not one of bash, zsh or fish/],
    [["render", "--stack", "dev"], /--out is required with render/],
    [["plna", "--stack", "dev"], /^fluvio-ports: unknown command 'plna' \(did you mean plan\?\)/],
    [["--stack", "dev", "plan"], /name the command first/],
    [["plan", "--stack", "dev", "--root", "/nonexistent/project"], /\/nonexistent\/project: there is no such folder: give --root the project folder/],
  ])("%j: exit 2, one line", (args, says) => {
    expectOneLineError(runBin(root, args), 2, says);
  });

  it("start-up stays light: --help, --version and a usage error load no command module, zod, yaml or Pulumi", () => {
    const probe = `const { main } = require(${JSON.stringify(join(root, "dist/cli.js"))});
      (async () => {
        const quiet = { out: () => {}, err: () => {} };
        for (const args of [["--help"], ["--version"], ["plan", "--frmat"]]) await main(args, quiet);
        console.log(JSON.stringify(Object.keys(require.cache)));
      })();`;
    const run = spawnSync(process.execPath, ["-e", probe], { cwd: root, encoding: "utf8" });
    const loaded: string[] = JSON.parse(run.stdout);
    expect(loaded.filter((path) => /node_modules[\\/](zod|yaml|@pulumi)[\\/]/.test(path))).toEqual([]);
    expect(loaded.filter((path) => /dist[\\/]cli[\\/](plan|check|who|render|schema|completion)\.js$/.test(path))).toEqual([]);
  });

  it("-o and --format are one flag; -s is --stack", () => {
    const long = runBin(root, ["plan", "--stack", "dev", "--format", "json"]);
    const short = runBin(root, ["plan", "-s", "dev", "-o", "json"]);
    const inline = runBin(root, ["plan", "--stack=dev", "--output=json"]);
    expect(long.code).toBe(0);
    expect(short.out).toBe(long.out);
    expect(inline.out).toBe(long.out);
    expect(JSON.parse(long.out).stack).toBe("dev");
  });
});

describe("fluvio-ports plan, as installed", () => {
  let root: string;
  beforeAll(() => {
    root = installedCopy({ records: false });
  });

  it("the default table fits 120 columns for both stacks; -o wide is every column in full", () => {
    for (const stack of ["dev", "prod"]) {
      const table = runBin(root, ["plan", "--stack", stack]);
      expect(table.code).toBe(0);
      for (const line of table.out.split("\n")) expect(line.length, line).toBeLessThanOrEqual(120);
      const wide = runBin(root, ["plan", "--stack", stack, "-o", "wide"]);
      expect(wide.out).toMatch(/^ID\s+NAME\s+STATUS\s+TYPE\s+RACK\s+PUBLIC\s+PRIVATE\s+LOCAL\s+METRICS/m);
    }
    const wide = runBin(root, ["plan", "--stack", "prod", "-o", "wide"]).out;
    expect(wide).toContain("fluvio-prod-spu-5001-internal.fluvio.svc.cluster.local:10102");
    expect(Math.max(...wide.split("\n").map((line) => line.length))).toBeGreaterThan(120);
  });

  it("a closed stdout pipe ends quietly: plan ... | head -1", () => {
    const big = join(root, "stacks", "Pulumi.big.yaml");
    writeFileSync(big, "config:\n  fluvio-spu:cluster: { environment: dev, spus: 60 }\n");
    try {
      for (const line of ['$FLUVIO_PORTS plan --stack big -o json | head -1', '$FLUVIO_PORTS plan --stack dev | head -1', '$FLUVIO_PORTS schema | head -1']) {
        const run = runShell(root, line);
        expect(run.code, `${line}: ${run.err}`).toBe(0);
        expect(run.err).toBe("");
        expect(run.out.split("\n").filter(Boolean)).toHaveLength(1);
      }
    } finally {
      rmSync(big);
    }
  });

  it("--record --check: exit 1 without a record, writes nothing; 0 once recorded; 1 after a change", () => {
    const registry = join(root, "stacks", "ports.registry.yaml");
    const before = readFileSync(registry, "utf8");
    const missing = runBin(root, ["plan", "--stack", "dev", "--record", "--check"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/has no record of stack dev .*run fluvio-ports plan --stack dev --record/);
    expect(missing.out).toMatch(/^NODE\s+ROLE\s+RECORDED\s+PLANNED\s+CHANGE$/m);
    expect(readFileSync(registry, "utf8")).toBe(before);

    expect(runBin(root, ["plan", "--stack", "dev", "--record"]).code).toBe(0);
    const recorded = readFileSync(registry, "utf8");
    const upToDate = runBin(root, ["plan", "--stack", "dev", "--record", "--check"]);
    expect(upToDate.code, upToDate.err).toBe(0);
    expect(upToDate.out).toMatch(/^up to date: /);
    const json = runBin(root, ["plan", "--stack", "dev", "--record", "--check", "-o", "json"]);
    expect(JSON.parse(json.out)).toMatchObject({ stack: "dev", upToDate: true, changes: [] });

    const stackFile = join(root, "stacks", "Pulumi.dev.yaml");
    const config = readFileSync(stackFile, "utf8");
    writeFileSync(stackFile, "config:\n  fluvio-spu:cluster: { environment: dev, spus: 4 }\n");
    try {
      const stale = runBin(root, ["plan", "--stack", "dev", "--record", "--check", "-o", "json"]);
      expect(stale.code).toBe(1);
      const result = JSON.parse(stale.out);
      expect(result.upToDate).toBe(false);
      expect(result.changes.map((row: { owner: string; change: string }) => `${row.owner} ${row.change}`)).toEqual(["spu-5004 new", "spu-5004 new", "spu-5004 new"]);
      expect(readFileSync(registry, "utf8")).toBe(recorded);
    } finally {
      writeFileSync(stackFile, config);
    }
  });

  it("--diff: against the record; without pulumi on PATH it says so on stderr", () => {
    expect(runBin(root, ["plan", "--stack", "prod", "--record"]).code).toBe(0);
    const stackFile = join(root, "stacks", "Pulumi.prod.yaml");
    const config = readFileSync(stackFile, "utf8");
    writeFileSync(stackFile, config.replace("- { id: 5005, rack: rack-a }", "- { id: 5006, rack: rack-a }"));
    try {
      const env = { ...process.env, PATH: "/nonexistent" };
      const diff = runBin(root, ["plan", "--stack", "prod", "--diff"], { env });
      expect(diff.code, diff.err).toBe(0);
      expect(diff.err).toMatch(/no pulumi CLI on PATH.*diffing against the registry's record only/);
      expect(diff.out).toMatch(/^NODE\s+ROLE\s+RECORDED\s+PLANNED\s+CHANGE$/m);
      expect(diff.out).toMatch(/^SPU 5005\s+public\s+10006\s+-\s+removed$/m);
      expect(diff.out).toMatch(/^SPU 5006\s+public\s+-\s+\d+\s+new$/m);
      expect(diff.out).not.toMatch(/^SPU 5001/m);
      const json = JSON.parse(runBin(root, ["plan", "--stack", "prod", "--diff", "-o", "json"], { env }).out);
      expect(json.against).toEqual({ record: true, deployed: expect.stringMatching(/no pulumi CLI/) });
      expect(json.rows.find((row: { owner: string; role: string }) => row.owner === "spu-5001" && row.role === "public")).toMatchObject({ planned: 10002, recorded: 10002, deployed: null, change: "same" });
    } finally {
      writeFileSync(stackFile, config);
    }
  });

  it("--diff: against the deployed ports output when a pulumi CLI answers", () => {
    const bin = join(root, "fake-bin");
    mkdirSync(bin, { recursive: true });
    const plan = JSON.parse(runBin(root, ["plan", "--stack", "dev", "-o", "json"]).out);
    const deployed = plan.ports.map((row: { owner: string; role: string; port: number }) => (row.owner === "spu-5002" && row.role === "public" ? { ...row, port: 9050 } : row));
    writeFileSync(join(bin, "pulumi"), `#!/bin/sh\n[ "$*" = "stack output ports --json --stack dev" ] || { echo "unexpected: $*" >&2; exit 9; }\ncat <<'JSON'\n${JSON.stringify(deployed)}\nJSON\n`);
    chmodSync(join(bin, "pulumi"), 0o755);
    // The project's own state backend, as `npm run up` leaves it.
    mkdirSync(join(root, ".pulumi-state"), { recursive: true });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const diff = runBin(root, ["plan", "--stack", "dev", "--diff"], { env });
    expect(diff.code, diff.err).toBe(0);
    expect(diff.out).toMatch(/^NODE\s+ROLE\s+RECORDED\s+DEPLOYED\s+PLANNED\s+CHANGE$/m);
    expect(diff.out).toMatch(new RegExp(`^SPU 5002\\s+public\\s+\\S+\\s+9050\\s+${plan.spus[1].ports.public}\\s+moves$`, "m"));
    writeFileSync(join(bin, "pulumi"), "#!/bin/sh\necho 'error: no stack named dev found' >&2\nexit 255\n");
    const failed = runBin(root, ["plan", "--stack", "dev", "--diff"], { env });
    expect(failed.code).toBe(0);
    expect(failed.err).toMatch(/pulumi stack output ports --stack dev failed \(error: no stack named dev found\)/);
  });

  it("file-system errors: one line naming the file and the fix, exit 2", () => {
    const copy = installedCopy();
    const registry = join(copy, "stacks", "ports.registry.yaml");
    rmSync(registry);
    mkdirSync(registry);
    expectOneLineError(runBin(copy, ["plan", "--stack", "dev", "--record"]), 2, new RegExp(`${registry}: cannot read the port registry: it is a folder where a file should be; remove or rename the folder`));
    rmSync(registry, { recursive: true });
    rmSync(join(copy, "Pulumi.yaml"));
    mkdirSync(join(copy, "Pulumi.yaml"));
    expectOneLineError(runBin(copy, ["plan", "--stack", "dev"]), 2, /Pulumi\.yaml: it is a folder where a file should be/);
    rmSync(join(copy, "Pulumi.yaml"), { recursive: true });
    writeFileSync(join(copy, "Pulumi.yaml"), "name: [fluvio-spu\n");
    expectOneLineError(runBin(copy, ["plan", "--stack", "dev", "--root", copy]), 2, /Pulumi\.yaml: is not valid YAML .*fix it/);
  });
});

describe("fluvio-ports check, who, schema, completion, as installed", () => {
  let root: string;
  beforeAll(() => {
    root = installedCopy({ records: false });
  });

  it("check --no-host: the registry and the other stacks only; says the host was not checked", () => {
    const run = runBin(root, ["check", "--stack", "dev", "--no-host"]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^ok: all 7 planned host ports of stack dev are clear of the registry and the other stacks \(this host was not checked: --no-host\)\n$/);
    expect(runBin(root, ["check", "--stack", "dev", "--registry-only"]).out).toBe(run.out);
    const json = JSON.parse(runBin(root, ["check", "--stack", "dev", "--no-host", "-o", "json"]).out);
    expect(json).toMatchObject({ stack: "dev", conflicts: [], unchecked: [{ source: "host", reason: expect.stringMatching(/--no-host/) }] });
  });

  it("check on this host: exit 3 when a Docker engine may publish ports unseen; no engine at all is checked", () => {
    const project = installedCopy();
    writeFileSync(join(project, "stacks", "Pulumi.quiet.yaml"), "config:\n  fluvio-spu:cluster: { spus: 1, ports: { public: 47100-47119, private: 47120-47139, metrics: 47140-47159 } }\n");
    const remote = runBin(project, ["check", "--stack", "quiet"], { env: { ...process.env, DOCKER_HOST: "tcp://127.0.0.1:1" } });
    expect(remote.code, remote.out + remote.err).toBe(3);
    expect(remote.out).toBe("");
    expect(remote.err).toMatch(/could not check this host's Docker engine: .*DOCKER_HOST=tcp:\/\/127\.0\.0\.1:1 is not a local unix socket/);
    expect(remote.err).not.toMatch(/^ok/m);
    const json = runBin(project, ["check", "--stack", "quiet", "-o", "json"], { env: { ...process.env, DOCKER_HOST: "tcp://127.0.0.1:1" } });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.out).unchecked).toEqual([expect.objectContaining({ source: "docker", reason: expect.stringContaining("DOCKER_HOST=tcp://127.0.0.1:1"), ports: [47100, 47101, 47140] })]);
    const none = runBin(project, ["check", "--stack", "quiet"], { env: { ...process.env, DOCKER_HOST: `unix://${join(project, "no-engine.sock")}` } });
    expect(none.code, none.err).toBe(0);
    expect(none.out).toMatch(/^ok: all 3 planned host ports of stack quiet are free on this host\n$/);
    expect(none.err).toMatch(/note: no Docker engine socket at .*no-engine\.sock: no container publishes a port here/);
  });

  it("check: another stack on the same host planning the same ports is a conflict (exit 1), with a structured holder", () => {
    writeFileSync(join(root, "stacks", "Pulumi.twin.yaml"), "config:\n  fluvio-spu:cluster: { environment: dev, spus: 3 }\n");
    try {
      const run = runBin(root, ["check", "--stack", "dev", "--no-host", "-o", "json"]);
      expect(run.code).toBe(1);
      const result = JSON.parse(run.out);
      expect(result.conflicts.length).toBeGreaterThan(0);
      for (const conflict of result.conflicts) {
        expect(Object.keys(conflict)).toEqual(expect.arrayContaining(["port", "wantedBy", "holder", "fix"]));
        expect(conflict.holder).toMatchObject({ kind: "stack", stack: "twin", cluster: "fluvio", host: "localhost", description: expect.stringContaining("stack twin") });
        expect(conflict.fix).toMatch(/fluvio-ports plan --stack twin --record/);
      }
      const table = runBin(root, ["check", "--stack", "dev", "--no-host"]);
      expect(table.code).toBe(1);
      for (const line of table.out.trim().split("\n")) expect(line).toMatch(/^Port \d+ is planned by stack twin too/);
      const github = runBin(root, ["check", "--stack", "dev", "--no-host", "--annotations", "github"]);
      expect(github.code).toBe(1);
      const annotations = github.out.split("\n").filter((line) => line.startsWith("::"));
      expect(annotations).toHaveLength(result.conflicts.length);
      for (const line of annotations) {
        expect(line).toMatch(/^::error title=fluvio-ports check%3A port \d+ \(stack dev\),file=stacks\/Pulumi\.dev\.yaml::Port \d+ is planned by stack twin too/);
      }
    } finally {
      rmSync(join(root, "stacks", "Pulumi.twin.yaml"));
    }
  });

  it("who: a stack's node, a registry claim, a well-known owner; -o json is structured", () => {
    const plan = JSON.parse(runBin(root, ["plan", "--stack", "dev", "-o", "json"]).out);
    const port = plan.spus[0].ports.public;
    const node = runBin(root, ["who", String(port), "--host", "ci-runner-far-away"]);
    expect(node.code, node.err).toBe(0);
    expect(node.err).toMatch(/--host ci-runner-far-away is not this machine/);
    const json = JSON.parse(runBin(root, ["who", String(port), "-o", "json"]).out);
    expect(json.owners).toContainEqual(expect.objectContaining({ kind: "stack", stack: "dev", node: "spu-5001", role: "public", source: "derived" }));
    const redis = JSON.parse(runBin(root, ["who", "6379", "-o", "json"]).out);
    expect(redis.owners).toContainEqual(expect.objectContaining({ kind: "claim", owner: "redis", hosts: ["*"] }));
    const kafka = runBin(root, ["who", "9092"]);
    expect(kafka.out).toMatch(/^well-known\s+\*\s+Kafka \(well-known\)$/m);
    const far = runBin(root, ["who", "47999", "--host", "elsewhere"]);
    expect(far.out).toMatch(/^port 47999 on host elsewhere: nobody owns it/);
  });

  it("render writes into --out and prints the paths; -o json gives { files, warnings }", () => {
    const run = runBin(root, ["render", "--stack", "dev", "--out", "rendered/dev"]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toBe(["docker-compose.yaml", "plan.json", "client-profile.toml", "container-client-profile.toml"].map((file) => `${join(root, "rendered/dev", file)}\n`).join(""));
    const json = JSON.parse(runBin(root, ["render", "--stack", "prod", "--out", "rendered/prod", "-o", "json"]).out);
    expect(json.files).toEqual(["kubernetes.yaml", "plan.json", "client-profile.toml", "container-client-profile.toml"].map((file) => join(root, "rendered/prod", file)));
    // The prod preset's NodePorts with TLS off: the exposure is said, with the secure ways.
    expect(json.warnings).toEqual([expect.stringMatching(/^exposure: NodePorts 30000, .* TLS off: .*set tls\.enabled: true/)]);
  });

  it("completion bash|zsh|fish: a script on stdout, exit 0; bash parses it", () => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const run = runBin(root, ["completion", shell]);
      expect(run.code).toBe(0);
      expect(run.err).toBe("");
      expect(run.out).toContain("fluvio-ports");
    }
    const parsed = runShell(root, "bash -n <($FLUVIO_PORTS completion bash) && source <($FLUVIO_PORTS completion bash) && complete -p fluvio-ports");
    expect(parsed.code, parsed.err).toBe(0);
    expect(parsed.out).toMatch(/complete -F _fluvio_ports fluvio-ports/);
  });

  it("schema: a JSON Schema every shipped stack config is valid against, and that refuses a typo", () => {
    const run = runBin(root, ["schema"]);
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.out);
    expect(schema.$schema).toMatch(/2020-12/);
    const validate = new Ajv2020({ strict: false }).compile(schema);
    for (const stack of ["dev", "prod"]) {
      const value = parse(readFileSync(join(PROJECT_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config["fluvio-spu:cluster"];
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate({ environment: "dev", spus: 3, strategey: "sequential" })).toBe(false);
    expect(parse(runBin(root, ["schema", "-o", "yaml"]).out)).toEqual(schema);
  });
});
