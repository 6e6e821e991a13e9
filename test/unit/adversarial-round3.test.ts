/**
 * Issue #21, bad input round three: two clusters never share a port, one machine is one host,
 * values at their limits, files as found on real machines, writes whole or not at all, stable
 * ports, errors that say one true thing each. Each family is tried as a careless teammate would.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { get as httpGet } from "node:http";
import { connect, type Socket } from "node:net";
import { spawnSync } from "node:child_process";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseClusterSpec } from "../../src/config/schema";
import { planCluster } from "../../src/plan/plan";
import { checkPorts } from "../../src/preflight";
import { recordOf } from "../../src/plan/record";
import { EMPTY_REGISTRY, formatRegistry, parseRegistry, withRecord } from "../../src/ports/registry";
import { writeRecordText } from "../../src/ports/registry-edit";
import { IDLE_TIMEOUT_MS, startExporter } from "../../src/exporter/server";
import { largeRegistry } from "../../bench/cli.bench";
import { runCli } from "../support/cli";
import { makeProject } from "../support/project";
import { configErrorOf, issueAt } from "../support/errors";

const STACK_TRACE = /\n\s+at [^\n]+:\d+/;

describe("errors say one true thing each", () => {
  it("no wording of the schema library leaks through, whatever is missing or mistyped", () => {
    const configs: unknown[] = [{ environment: "dev" }, { spus: 3 }, { environment: "dev", spus: 3, tls: { enabled: "yes" } }, { environment: "dev", spus: [{}] }, { environment: "dev", spus: 2, kubernetes: { namespace: null } }];
    for (const config of configs) {
      const error = configErrorOf(() => parseClusterSpec(config));
      expect(error.message).not.toMatch(/nonoptional|Invalid input|expected .* received|ZodError|invalid_type/);
    }
    expect(issueAt(configErrorOf(() => parseClusterSpec({ environment: "dev" })), "spus")).toMatch(/give a count \(spus: 3\) or a list/);
  });

  it("every problem is reported at once: an unknown field or a mistyped one never hides a duplicate id, an overlap or a reserved pin", () => {
    const error = configErrorOf(() =>
      parseClusterSpec({
        environment: "dev",
        spus: [{ id: 1 }, { id: 1 }],
        colour: "blue",
        tls: { enabled: "yes" },
        reserved: [9001],
        sc: { publicPort: 9001 },
        ports: { private: { from: 9050, to: 9200 }, public: { from: 9000, to: 9100 } },
      }),
    );
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["", "tls.enabled", "spus[1].id", "sc.publicPort", "ports.private"]));
    expect(issueAt(error, "spus[1].id")).toMatch(/also the id of spus\[0\]/);
  });

  it(`random unknown fields beside a real mistake: the mistake is always reported too (${100} configs)`, () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{3,8}X$/), { minLength: 1, maxLength: 4 }), (unknown) => {
        const config = { environment: "dev", spus: [{ id: 7 }, { id: 7 }], ...Object.fromEntries(unknown.map((key) => [key, 1])) };
        const error = configErrorOf(() => parseClusterSpec(config));
        expect(error.issues.map((issue) => issue.path)).toContain("spus[1].id");
        expect(error.issues[0]!.message).toMatch(new RegExp(unknown[0]!));
      }),
      { numRuns: 100 },
    );
  });

  it("a 100 KB argument is not echoed back in full, wherever it lands", async () => {
    const huge = "x".repeat(100_000);
    const root = makeProject({ dev: { environment: "dev", spus: 1 } });
    for (const args of [["plan", "--stack", huge, "--root", root], ["who", huge], [huge], ["plan", `--${huge}`], ["plan", "--stack", "dev", "-o", huge, "--root", root], ["registry", huge]]) {
      const result = await runCli(args);
      expect(result.code, args[0]).toBe(2);
      expect(result.err.length, result.err.slice(0, 200)).toBeLessThan(1_000);
      expect(result.err).toMatch(/… \(\d+ characters\)/);
      expect(result.err.trim().split("\n").length).toBeLessThanOrEqual(2);
    }
  });

  it("`registry --help` and `help registry` are help; a bare `registry` asks for its subcommand", async () => {
    for (const args of [["registry", "--help"], ["registry", "-h"], ["help", "registry"]]) {
      const result = await runCli(args);
      expect(result.code, args.join(" ")).toBe(0);
      expect(result.out).toMatch(/fluvio-ports registry prune/);
      expect(result.err).toBe("");
    }
    const bare = await runCli(["registry"]);
    expect(bare.code).toBe(2);
    expect(bare.err).toMatch(/registry needs a subcommand: use registry prune/);
  });

  it("a repeated --stack (or any repeated value flag) is refused, naming both values", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 }, prod: { environment: "prod", spus: 1 } });
    for (const args of [["plan", "--stack", "dev", "--stack", "prod"], ["plan", "-s", "dev", "--stack=dev"], ["check", "--stack", "dev", "-o", "json", "-o", "yaml"]]) {
      const result = await runCli([...args, "--root", root]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.err).toMatch(/is given twice \(.+ and .+\): give it once/);
      expect(result.out).toBe("");
    }
  });
});

describe("values at their limits", () => {
  it("an SPU id past Fluvio's i32 through firstSpuId and a count is refused, as the list form is", () => {
    expect(issueAt(configErrorOf(() => parseClusterSpec({ environment: "dev", spus: [{ id: 2_147_483_648 }] })), "spus[0].id")).toMatch(/at most 2147483647/);
    const message = issueAt(configErrorOf(() => parseClusterSpec({ environment: "dev", spus: 3, firstSpuId: 2_147_483_647 })), "firstSpuId");
    expect(message).toMatch(/up to 2147483649, past Fluvio's largest SPU id 2147483647.*at most 2147483645/);
    expect(() => parseClusterSpec({ environment: "dev", spus: 3, firstSpuId: 2_147_483_645 })).not.toThrow();
  });

  it("newlines and control characters are refused in racks, images, hosts and names: one line naming the field", () => {
    const bad = ["a\nb", "a\rb", "a\tb", "a\u0000b", "a\u001bb", "a\u007fb"];
    for (const value of bad) {
      const error = configErrorOf(() =>
        parseClusterSpec({ environment: "dev", name: value, host: value, spus: [{ id: 1, rack: value }], images: { fluvio: value, cli: value }, docker: { network: value }, monitoring: { image: value } }),
      );
      for (const path of ["name", "host", "spus[0].rack", "images.fluvio", "images.cli", "docker.network", "monitoring.image"]) {
        expect(issueAt(error, path), `${path} ${JSON.stringify(value)}`).not.toMatch(/\n/);
      }
      expect(issueAt(error, "spus[0].rack")).toMatch(/one line of text: no newline, tab or other control character/);
    }
  });

  function projectOf(name: string, stackFile: string, file = "Pulumi.yaml"): string {
    const root = mkdtempSync(join(tmpdir(), "fluvio-spu-round3-"));
    writeFileSync(join(root, file), `name: ${name}\nruntime: nodejs\n`);
    writeFileSync(join(root, file === "Pulumi.yml" ? "Pulumi.dev.yml" : "Pulumi.dev.yaml"), stackFile);
    return root;
  }

  it("a bare `cluster:` key is read under the project's namespace, as Pulumi reads it; both spellings at once are refused", async () => {
    const bare = projectOf("myapp", "config:\n  cluster:\n    environment: dev\n    spus: 2\n");
    const missing = await runCli(["plan", "--stack", "dev", "--root", bare]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/fluvio-spu:cluster: is missing.*the stack file has myapp:cluster.*--key myapp:cluster/);
    const read = await runCli(["plan", "--stack", "dev", "--root", bare, "--key", "myapp:cluster", "--name", "bus", "-o", "json"]);
    expect(read.code, read.err).toBe(0);
    expect((JSON.parse(read.out) as { spus: unknown[] }).spus).toHaveLength(2);

    const own = projectOf("fluvio-spu", "config:\n  cluster:\n    environment: dev\n    spus: 1\n");
    expect((await runCli(["plan", "--stack", "dev", "--root", own])).code).toBe(0);

    const both = projectOf("myapp", "config:\n  cluster:\n    spus: 1\n  myapp:cluster:\n    spus: 2\n");
    const refused = await runCli(["plan", "--stack", "dev", "--root", both, "--key", "myapp:cluster"]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/has both cluster and myapp:cluster, which Pulumi reads as one key.*keep one of them/);
    expect(refused.err.trim().split("\n")).toHaveLength(1);
  });

  it("Pulumi.yml is a project file (its stack files Pulumi.<stack>.yml); a folder without one says so, not 'no stack file'", async () => {
    const yml = projectOf("fluvio-spu", "config:\n  fluvio-spu:cluster:\n    environment: dev\n    spus: 1\n", "Pulumi.yml");
    const planned = await runCli(["plan", "--stack", "dev", "--root", yml]);
    expect(planned.code, planned.err).toBe(0);
    const none = mkdtempSync(join(tmpdir(), "fluvio-spu-round3-none-"));
    const outside = await runCli(["plan", "--stack", "dev", "--root", none]);
    expect(outside.code).toBe(2);
    expect(outside.err).toMatch(/has no Pulumi\.yaml: give --root the project folder/);
    expect(outside.err.trim().split("\n")).toHaveLength(1);
    expect(outside.err).not.toMatch(/stack file/);
    expect(outside.err).not.toMatch(STACK_TRACE);
  });
});

describe("stability: adding an SPU never moves another service's port", () => {
  it(`the Docker Prometheus under stack-hash with reserved ports keeps its port as SPUs are added (property, 150 clusters)`, () => {
    const config = fc.record({
      stack: fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
      spus: fc.integer({ min: 1, max: 40 }),
      strategy: fc.constantFrom("stack-hash", "sequential", "isolated"),
      reserved: fc.uniqueArray(fc.integer({ min: 9201, max: 9300 }), { maxLength: 20 }),
    });
    fc.assert(
      fc.property(config, ({ stack, spus, strategy, reserved }) => {
        const plan = (count: number) => planCluster({ environment: "dev", spus: count, strategy, reserved, monitoring: { prometheus: true } }, { stack });
        const before = plan(spus);
        const after = plan(spus + 1);
        expect(after.monitoring.prometheus?.port).toBe(before.monitoring.prometheus?.port);
        // Every port of the smaller plan stays where it was (the SC's, every SPU's, the Prometheus's).
        for (const row of before.ports) expect(after.ports).toContainEqual(row);
      }),
      { numRuns: 150 },
    );
  });
});

describe("two clusters never share a port: preflights of one program", () => {
  it("two checks of one program at once never take each other's bind probes for holders (5 rounds, 180 ports each)", async () => {
    const plan = planCluster({ spus: 60, ports: { public: "23000-23200", private: "23201-23400", metrics: "23401-23600" } }, { stack: "dev" });
    for (let round = 0; round < 5; round++) {
      const reports = await Promise.all([checkPorts(plan, { docker: false, lsof: false }), checkPorts(plan, { docker: false, lsof: false })]);
      for (const report of reports) expect(report.conflicts.filter((conflict) => /bound but not listening/.test(conflict.message)).map((conflict) => conflict.message)).toEqual([]);
    }
  });
});

describe("one machine is one host", () => {
  const dev = (host: string) => ({ environment: "dev", spus: 2, host, metrics: { publish: false } });

  it("LOCALHOST, 'localhost ', localhost., 127.0.0.1, ::1 and this machine's own name are one machine: check names the other stack", async () => {
    for (const spelling of ["LOCALHOST", "localhost ", "localhost.", "127.0.0.1", "::1", "[::1]", hostname(), `${hostname().toUpperCase()}.`]) {
      const root = makeProject({ a: dev("localhost"), b: dev(spelling) }, "claims: []\n");
      const result = await runCli(["check", "--stack", "b", "--root", root, "--no-host"]);
      expect(result.code, `${JSON.stringify(spelling)}: ${result.out}${result.err}`).toBe(1);
      expect(result.out).toMatch(/is planned by stack a too/);
      expect(result.out).not.toMatch(/^ok/m);
    }
  });

  it("a recorded stack on another spelling of this machine is planned around", () => {
    const first = planCluster(dev("localhost"), { stack: "a" });
    const registry = withRecord(EMPTY_REGISTRY, recordOf(first));
    const second = planCluster(dev("LocalHost."), { stack: "b", registry });
    for (const row of second.ports) expect(first.ports.map((other) => other.port)).not.toContain(row.port);
    const mine = planCluster(dev(hostname()), { stack: "c", registry, machineNames: [hostname()] });
    for (const row of mine.ports) expect(first.ports.map((other) => other.port)).not.toContain(row.port);
  });

  it("where sameness cannot be told (a name and an address), check says so and exits 3, never 'ok'", async () => {
    const root = makeProject({ a: dev("10.11.12.13"), b: dev("build-box") }, "claims: []\n");
    const result = await runCli(["check", "--stack", "b", "--root", root, "--no-host"]);
    expect(result.code, result.out + result.err).toBe(3);
    expect(result.err).toMatch(/whether 10\.11\.12\.13 and build-box are one machine cannot be told/);
    expect(result.out).not.toMatch(/^ok/m);
  });

  it("a stack whose host is another machine gets a note that this machine's listeners don't apply", async () => {
    const root = makeProject({ far: dev("ci-runner-77") }, "claims: []\n");
    const result = await runCli(["check", "--stack", "far", "--root", root]);
    expect(result.code, result.err).toBe(0);
    expect(result.err).toMatch(/note: stack far deploys to host ci-runner-77, not this machine .*don't apply/);
    expect(result.out).toMatch(/host ci-runner-77 is another machine: its listeners were not checked here/);
  });
});

describe("files as they are found on real machines", () => {
  it("a registry that is a dangling symbolic link is an error on every command, never read as empty and 'ok'", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } });
    symlinkSync(join(root, "nowhere", "ports.registry.yaml"), join(root, "stacks", "ports.registry.yaml"));
    for (const args of [["check", "--no-host"], ["plan"], ["plan", "--record"]]) {
      const result = await runCli([...args, "--stack", "dev", "--root", root]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.err).toMatch(/is a symbolic link to .*nowhere.*which does not exist/);
      expect(result.out).not.toMatch(/^ok/m);
    }
  });

  it("a registry with YAML anchors and aliases: --record and prune say so in one line (exit 2), never exit 70", async () => {
    const registry = "records:\n  - stack: dev\n    cluster: fluvio\n    host: localhost\n    nodes: &shared\n      sc: { public: 9050 }\n  - stack: gone\n    cluster: fluvio\n    host: ci-9\n    nodes: *shared\n";
    for (const args of [["plan", "--stack", "dev", "--record"], ["registry", "prune", "--apply"]]) {
      const root = makeProject({ dev: { environment: "dev", spus: 1 } }, registry);
      const result = await runCli([...args, "--root", root]);
      expect(result.code, result.err).toBe(2);
      expect(result.err).toMatch(/uses YAML anchors and aliases \(&shared, \*shared\).*write those entries out in full/);
      expect(result.err.trim().split("\n")).toHaveLength(1);
      expect(readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8")).toBe(registry);
    }
  });

  it("a TLS key path that is a folder is one line naming it (exit 2), never exit 70", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1, tls: { enabled: true } } });
    const out = join(root, "out");
    mkdirSync(join(out, "tls", "server.key"), { recursive: true });
    const result = await runCli(["render", "--stack", "dev", "--root", root, "--out", out]);
    expect(result.code, result.err).toBe(2);
    expect(result.err).toMatch(/server\.key: the TLS key the Compose file mounts: it is a folder where a file should be/);
  });

  it("a host group or record node named __proto__ keeps its claim", () => {
    const grouped = parseRegistry("hostGroups:\n  __proto__: [localhost]\nclaims:\n  - owner: proto-service\n    ports: 9002-9008\n    hosts: __proto__\n");
    const plan = planCluster({ environment: "dev", spus: 1 }, { stack: "dev", registry: grouped });
    for (const row of plan.ports) expect(row.port < 9002 || row.port > 9008, `${row.owner} ${row.port}`).toBe(true);
    const recorded = parseRegistry("records:\n  - stack: other\n    cluster: fluvio\n    host: localhost\n    nodes:\n      __proto__: { public: 9002 }\n");
    expect(Object.keys(recorded.records[0]!.nodes)).toEqual(["__proto__"]);
    expect(planCluster({ environment: "dev", spus: 1 }, { stack: "dev", registry: recorded }).sc.ports.public).not.toBe(9002);
  });

  it("registry errors are in this tool's words, not the schema library's", () => {
    for (const text of ["x: 1\n", "claims: { redis: 6379 }\n", "records:\n  - stack: 5\n"]) {
      const error = configErrorOf(() => parseRegistry(text, "ports.registry.yaml"));
      expect(error.message).not.toMatch(/Unrecognized|Invalid input|expected \w+, received/);
    }
  });

  it("render recognises only the exact header it writes: a file that merely mentions fluvio-ports render is not its own", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } });
    const out = join(root, "out");
    mkdirSync(out);
    const theirs = "# our compose file; we used to run fluvio-ports render but now edit by hand\nservices: {}\n";
    writeFileSync(join(out, "docker-compose.yaml"), theirs);
    const refused = await runCli(["render", "--stack", "dev", "--root", root, "--out", out]);
    expect(refused.code).toBe(2);
    expect(readFileSync(join(out, "docker-compose.yaml"), "utf8")).toBe(theirs);
    rmSync(join(out, "docker-compose.yaml"));
    expect((await runCli(["render", "--stack", "dev", "--root", root, "--out", out])).code).toBe(0);
    const ours = readFileSync(join(out, "docker-compose.yaml"), "utf8");
    writeFileSync(join(out, "docker-compose.yaml"), ours.replace("services:", "# edited\nservices:"));
    expect((await runCli(["render", "--stack", "dev", "--root", root, "--out", out])).code).toBe(0);
  });
});

describe("the registry at the size a platform team reaches", () => {
  const record = { stack: "dev", cluster: "fluvio", host: "localhost", nodes: { sc: { public: 9002, private: 9103 }, "spu-5001": { public: 9007, private: 9105, metrics: 9201 } } };
  for (const [what, registry] of [
    ["2,000 records", largeRegistry(2000)],
    ["2,000 hosts", { ...largeRegistry(2000), records: largeRegistry(2000).records.map((entry, index) => ({ ...entry, host: `host-${index}` })) }],
  ] as const) {
    it(`--record into a registry of ${what}: well under a second of work, and the file is the old one with the record spliced in`, () => {
      const text = formatRegistry(registry);
      writeRecordText(text, record); // warm up
      const timed = <T>(work: () => T): [T, number] => {
        const started = performance.now();
        const value = work();
        return [value, performance.now() - started];
      };
      const [added, first] = timed(() => writeRecordText(text, record));
      const [updated, second] = timed(() => writeRecordText(added, { ...record, nodes: { ...record.nodes, "spu-5002": { public: 9008, private: 9106, metrics: 9202 } } }));
      expect(Math.max(first, second), `${first.toFixed(0)} ms to add, ${second.toFixed(0)} ms to update`).toBeLessThan(1_000);
      expect(parseRegistry(updated).records).toHaveLength(2001);
      const kept = new Set(updated.split("\n"));
      expect(text.split("\n").filter((line) => !kept.has(line))).toEqual([]);
      expect(writeRecordText(updated, { ...record, nodes: { ...record.nodes, "spu-5002": { public: 9008, private: 9106, metrics: 9202 } } })).toBe(updated);
    });
  }

  it("a writer waits for the lock as long as FLUVIO_PORTS_LOCK_TIMEOUT says, then fails naming the holder", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } }, "claims: []\n");
    const file = join(root, "stacks", "ports.registry.yaml");
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), token: "x", since: "2026-01-01T00:00:00Z" }));
    process.env.FLUVIO_PORTS_LOCK_TIMEOUT = "0.3";
    try {
      const started = performance.now();
      const result = await runCli(["plan", "--stack", "dev", "--record", "--root", root]);
      expect(result.code).toBe(2);
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
      expect(result.err).toMatch(new RegExp(`is being written by process ${process.pid} on .* still after 0\\.3 s`));
      process.env.FLUVIO_PORTS_LOCK_TIMEOUT = "soon";
      expect((await runCli(["plan", "--stack", "dev", "--record", "--root", root])).err).toMatch(/FLUVIO_PORTS_LOCK_TIMEOUT: 'soon' is not a number of seconds/);
    } finally {
      delete process.env.FLUVIO_PORTS_LOCK_TIMEOUT;
    }
  });
});

describe("the exporter can't be starved", () => {
  /** One GET over a new connection: status and how long it took (ms), or the error. */
  function get(port: number, path: string, timeoutMs = 3_000): Promise<{ status: number; ms: number } | { error: string; ms: number }> {
    const started = performance.now();
    return new Promise((resolve) => {
      const req = httpGet({ host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      });
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", (error) => resolve({ error: error.message, ms: performance.now() - started }));
    });
  }

  it("200 idle and slow connections never keep /healthz or /metrics from answering, and idle ones are closed in bounded time", async () => {
    const exporter = await startExporter({ socketPath: join(tmpdir(), `fluvio-spu-no-socket-${process.pid}`), port: 0, host: "127.0.0.1", spuId: "5001", timeoutMs: 200, log: () => undefined });
    const sockets: Socket[] = [];
    const closedByServer = new Set<Socket>();
    const timers: NodeJS.Timeout[] = [];
    try {
      for (let index = 0; index < 200; index++) {
        const socket = connect(exporter.port, "127.0.0.1");
        socket.on("error", () => undefined);
        socket.resume();
        socket.on("close", () => closedByServer.add(socket));
        sockets.push(socket);
        if (index % 4 === 0) {
          // A slow-loris: the start of a request, then one byte of a header every 300 ms.
          socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n");
          timers.push(setInterval(() => socket.writable && socket.write("x"), 300));
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answers = [];
      for (let round = 0; round < 10; round++) answers.push(await get(exporter.port, round % 2 === 0 ? "/healthz" : "/metrics"));
      console.log(`exporter under 200 idle/slow connections: ${answers.map((answer) => `${"status" in answer ? answer.status : answer.error} in ${answer.ms.toFixed(0)} ms`).join(", ")}`);
      for (const answer of answers) {
        expect("status" in answer ? answer.status : answer.error).toBe(200);
        expect(answer.ms).toBeLessThan(1_000);
      }
      // Bounded idle time: every one of the 200 is gone a few seconds later (evicted, timed out or refused for slowness).
      await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_MS + 2_000));
      const open = sockets.map((socket, index) => [index, closedByServer.has(socket)] as const).filter(([, closed]) => !closed).map(([index]) => index);
      expect(open, `still open: ${open.join(",")}`).toEqual([]);
    } finally {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await exporter.close(100);
    }
  }, 30_000);
});

describe("the metrics port is admitted only from where Prometheus runs", () => {
  it("the default, a custom scraper and anywhere, as the plan carries them to the NetworkPolicy", () => {
    const of = (metrics: object) => planCluster({ target: "kubernetes", environment: "prod", spus: 1, metrics }, { stack: "prod" }).kubernetes!.metricsScrapers;
    expect(of({})).toEqual({ podLabels: { "app.kubernetes.io/name": "prometheus" }, namespaceLabels: {} });
    expect(of({ scrapers: { podLabels: { app: "vmagent" }, namespaceLabels: { team: "observability" } } })).toEqual({ podLabels: { app: "vmagent" }, namespaceLabels: { team: "observability" } });
    expect(of({ scrapers: "anywhere" })).toBe("anywhere");
    expect(issueAt(configErrorOf(() => parseClusterSpec({ environment: "dev", spus: 1, metrics: { scrapers: "everyone" } })), "metrics.scrapers")).not.toMatch(/Invalid/);
  });
});

describe("output that cannot be written fails loudly; a closed pipe stays quiet", () => {
  const TSX = join(__dirname, "..", "..", "node_modules", ".bin", "tsx");
  const CLI = join(__dirname, "..", "..", "src", "cli");
  const line = (args: string) => `${TSX} -e 'require(${JSON.stringify(CLI)}).main(${args}).then((code) => { process.exitCode = code; })'`;

  it("plan -o json > /dev/full exits 2 with one line; plan | head -1 exits 0 and says nothing", () => {
    const root = makeProject({ dev: { environment: "dev", spus: 40 } });
    const args = JSON.stringify(["plan", "--stack", "dev", "-o", "json", "--root", root]);
    const full = spawnSync("bash", ["-c", `${line(args)} > /dev/full`], { encoding: "utf8" });
    expect(full.status, full.stderr).toBe(2);
    expect(full.stderr.trim().split("\n")).toEqual(["fluvio-ports: cannot write the output to stdout (no space left on the device): nothing usable was written; free some space or send the output elsewhere"]);
    const piped = spawnSync("bash", ["-c", `set -o pipefail; ${line(args)} | head -1`], { encoding: "utf8" });
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stdout).toBe("{\n");
    expect(piped.stderr).toBe("");
  }, 30_000);
});

describe("writes are whole or not at all", () => {
  it("the registry's temporary file left by a writer killed at the rename is cleaned up by the next --record; a live writer's is not", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } }, "claims: []\n");
    const dir = join(root, "stacks");
    // A writer killed with -9 between its write and its rename: its pid is gone, its temporary file stays.
    const child = spawnSync(process.execPath, ["-e", `require("fs").writeFileSync(${JSON.stringify(join(dir, ".ports.registry.yaml."))} + process.pid + ".0badc0de.tmp", "half"); process.kill(process.pid, "SIGKILL")`]);
    expect(child.signal).toBe("SIGKILL");
    const live = `.ports.registry.yaml.${process.pid}.feedf00d.tmp`;
    writeFileSync(join(dir, live), "mine");
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toHaveLength(2);
    const result = await runCli(["plan", "--stack", "dev", "--record", "--root", root]);
    expect(result.code, result.err).toBe(0);
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([live]);
  });
});

describe("render killed mid-write", () => {
  it("a render killed with -9 while writing leaves its temporary files to the next render, which removes them", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } });
    const out = join(root, "out");
    mkdirSync(out);
    const child = spawnSync(process.execPath, ["-e", `const fs = require("fs"); for (const name of ["docker-compose.yaml", "plan.json"]) fs.writeFileSync(${JSON.stringify(out)} + "/." + name + "." + process.pid + ".0badc0de.tmp", "half"); process.kill(process.pid, "SIGKILL")`]);
    expect(child.signal).toBe("SIGKILL");
    expect(readdirSync(out).filter((name) => name.endsWith(".tmp"))).toHaveLength(2);
    const result = await runCli(["render", "--stack", "dev", "--root", root, "--out", out]);
    expect(result.code, result.err).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["client-profile.toml", "container-client-profile.toml", "docker-compose.yaml", "plan.json"]);
  });
});
