/**
 * Issue #14, the registry-and-files half: bad input never loses data, never lies, never prints
 * a stack trace. Each family of the issue is tried here as a careless teammate would, much of it
 * property-based (random registries with comments, random concurrent writers, random stack
 * names, random stack files). Each property logs how many cases it tried and how they ended.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, HostError, isHostError } from "../../src/errors";
import { planCluster } from "../../src/plan/plan";
import { recordOf } from "../../src/plan/record";
import { parseStackName } from "../../src/config/stack-name";
import { loadRegistry, readClusterConfig, stackConfigDir, stackFilePath } from "../../src/config/stack";
import { recordInRegistry } from "../../src/config/registry-file";
import { writeFileAtomic } from "../../src/config/files";
import { renderStack, writeRenderedFiles } from "../../src/render/stack";
import {
  EMPTY_REGISTRY,
  formatRegistry,
  parseRegistry,
  validateRegistry,
  withRecord,
  type PortRegistry,
  type StackRecord,
} from "../../src/ports/registry";
import { writeRecordText } from "../../src/ports/registry-edit";
import { runCli } from "../support/cli";
import { runUnderMocks } from "../support/pulumi";
import { SpuCluster } from "../../src/component";
import { makeProject } from "../support/project";
import { configErrorOf, issueAt } from "../support/errors";

const RUNS = Number(process.env.ADVERSARIAL_RUNS ?? 300);
const WORKER = join(__dirname, "..", "support", "record-worker.ts");
const STACK_TRACE = /\n\s+at [^\n]+:\d+/;

/** Counts how a family's cases ended, printed once per property. */
function tally(): { add: (outcome: string) => void; report: (family: string) => void } {
  const counts = new Map<string, number>();
  return {
    add: (outcome) => counts.set(outcome, (counts.get(outcome) ?? 0) + 1),
    report: (family) => console.log(`adversarial ${family}: ${[...counts].map(([outcome, count]) => `${count} ${outcome}`).join(", ")}`),
  };
}

/** The HostError a call throws. */
function hostErrorOf(work: () => unknown): HostError {
  try {
    work();
  } catch (error) {
    expect(isHostError(error), `expected a HostError, got ${String(error)}`).toBe(true);
    return error as HostError;
  }
  throw new Error("expected a HostError, got none");
}

/** A one-line issue: no newline in any issue, and no stack trace in the message. */
function expectOneLine(error: ConfigError | HostError): void {
  for (const issue of error.issues) expect(issue.message).not.toMatch(/\n/);
  expect(error.message).not.toMatch(STACK_TRACE);
}

// ---------------------------------------------------------------------------------------------
// Family 1: the port registry is a reviewed file in git
// ---------------------------------------------------------------------------------------------

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const comment = fc.stringMatching(/^[A-Za-z0-9 ,.()-]{0,24}$/).map((text) => `# ${text.trim() || "note"}`);

/** A random record; ports drawn from a wide band so records rarely collide (collisions are filtered out). */
const record: fc.Arbitrary<StackRecord> = fc
  .record({
    stack: name,
    cluster: fc.constantFrom("fluvio", "orders-bus", "b"),
    host: fc.constantFrom("localhost", "box-1", "ci-1"),
    spus: fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { maxLength: 4 }),
    base: fc.integer({ min: 1025, max: 60000 }),
  })
  .map(({ stack, cluster, host, spus, base }) => {
    const nodes: StackRecord["nodes"] = { sc: { public: base, private: base + 1 } };
    for (const id of spus) nodes[`spu-${id}`] = { public: base + 2 * id + 10, private: base + 2 * id + 11 };
    return { stack, cluster, host, nodes };
  });

/** Registry text written by hand: comments on their own lines and after values, flow or block records, in any order. */
const registryText = fc
  .record({
    records: fc.uniqueArray(record, { maxLength: 5, selector: (entry) => `${entry.stack}/${entry.cluster}` }),
    comments: fc.array(comment, { minLength: 8, maxLength: 8 }),
    flowItems: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    trailing: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  })
  .filter(({ records }) => {
    try {
      validateRegistry({ records }, "generated");
      return true;
    } catch {
      return false;
    }
  })
  .map(({ records, comments, flowItems, trailing }) => {
    const c = (index: number): string => comments[index]!;
    const after = (index: number): string => (trailing[index] ? `  ${c(index)}` : "");
    const lines = [c(0), "hostGroups:", `  ci: [ci-1, ci-2]${after(1)}`, "claims:", `  ${c(2)}`, `  - { owner: redis, ports: 6379, hosts: ["*"] }${after(3)}`, "records:"];
    const blocks: string[] = [];
    records.forEach((entry, index) => {
      const block = [`  ${c(4)} ${index}`];
      const nodes = Object.entries(entry.nodes).map(([node, ports]) => `${node}: { public: ${ports.public}, private: ${ports.private} }`);
      if (flowItems[index]) {
        block.push(`  - { stack: ${entry.stack}, cluster: ${entry.cluster}, host: ${entry.host}, nodes: { ${nodes.join(", ")} } }${after(5)}`);
      } else {
        block.push(`  - stack: ${entry.stack}${after(6)}`, `    cluster: ${entry.cluster}`, `    host: ${entry.host}`, "    nodes:");
        for (const node of nodes) block.push(`      ${node}${after(7)}`);
      }
      blocks.push(`${block.join("\n")}\n`);
      lines.push(...block);
    });
    if (records.length === 0) lines[lines.length - 1] = "records: []";
    lines.push(c(7));
    return { text: `${lines.join("\n")}\n`, records, blocks };
  });

function commentsOf(text: string): string[] {
  return text
    .split("\n")
    .map((line) => (line.includes("#") ? line.slice(line.indexOf("#")).trim() : ""))
    .filter((line) => line.length > 0);
}

describe("family 1: --record keeps what a reviewer wrote", () => {
  it(`random registries with comments: every comment, every other entry's text and the order stay; the record is written; rewriting is a no-op (${RUNS} registries)`, () => {
    const outcomes = tally();
    fc.assert(
      fc.property(registryText, record, fc.boolean(), ({ text, records, blocks }, fresh, reuse) => {
        // Half the time the record replaces one already there (same stack and cluster, new ports).
        const target = reuse && records.length > 0 ? { ...fresh, stack: records[0]!.stack, cluster: records[0]!.cluster } : fresh;
        const before = parseRegistry(text);
        let expected: PortRegistry;
        try {
          expected = validateRegistry(withRecord(before, target), "expected");
        } catch {
          outcomes.add("skipped (the new record would collide)");
          return;
        }
        const written = writeRecordText(text, target);
        const after = parseRegistry(written);
        expect(after.records.map((entry) => `${entry.stack}/${entry.cluster}`).sort()).toEqual(expected.records.map((entry) => `${entry.stack}/${entry.cluster}`).sort());
        expect(after.claims).toEqual(before.claims);
        expect(after.hostGroups).toEqual(before.hostGroups);
        const mine = after.records.find((entry) => entry.stack === target.stack && entry.cluster === target.cluster)!;
        expect(mine.host).toBe(target.host);
        expect(mine.nodes).toEqual(target.nodes);
        // Every comment survives, in order.
        const kept = commentsOf(written);
        let at = 0;
        for (const line of commentsOf(text)) {
          at = kept.indexOf(line, at);
          expect(at, `comment '${line}' lost`).toBeGreaterThanOrEqual(0);
          at++;
        }
        // Records not touched keep their order.
        const untouched = (registry: PortRegistry): string[] => registry.records.filter((entry) => entry.stack !== target.stack || entry.cluster !== target.cluster).map((entry) => `${entry.stack}/${entry.cluster}`);
        expect(untouched(after)).toEqual(untouched(before));
        // Every other record's text is still there byte for byte (its comments, its flow or block style).
        records.forEach((entry, index) => {
          if (entry.stack !== target.stack || entry.cluster !== target.cluster) expect(written).toContain(blocks[index]!);
        });
        // The text before the records is unchanged.
        expect(written.startsWith(text.split("records:")[0]!)).toBe(true);
        expect(writeRecordText(written, target)).toBe(written);
        outcomes.add(records.some((entry) => entry.stack === target.stack && entry.cluster === target.cluster) ? "replaced in place" : "inserted");
      }),
      { numRuns: RUNS },
    );
    outcomes.report("family 1 (registry edits)");
  });

  it("a changed node is rewritten on its own line; the comment after an unchanged node stays on it, a removed node's comment stays on a line of its own", () => {
    const text = [
      "# reviewed by the platform team",
      "records:",
      "  - stack: dev # the shared dev box",
      "    cluster: fluvio",
      "    host: localhost",
      "    nodes:",
      "      sc: { public: 9002, private: 9103 } # pinned in the firewall",
      "      spu-5001: { public: 9007, private: 9105 }",
      "      spu-5003: { public: 9009, private: 9107 } # going away",
      "",
    ].join("\n");
    const written = writeRecordText(text, { stack: "dev", cluster: "fluvio", host: "localhost", nodes: { sc: { public: 9002, private: 9103 }, "spu-5001": { public: 9007, private: 9199 }, "spu-5002": { public: 9008, private: 9106 } } });
    expect(written).toBe(
      [
        "# reviewed by the platform team",
        "records:",
        "  - stack: dev # the shared dev box",
        "    cluster: fluvio",
        "    host: localhost",
        "    nodes:",
        "      sc: { public: 9002, private: 9103 } # pinned in the firewall",
        "      spu-5001: { public: 9007, private: 9199 }",
        "      spu-5002: { public: 9008, private: 9106 }",
        "      # going away",
        "",
      ].join("\n"),
    );
  });

  it("a registry with Windows line ends (CRLF) keeps them in the lines written", () => {
    const text = "# checked out on Windows\r\nrecords:\r\n  - stack: b\r\n    cluster: fluvio\r\n    host: localhost\r\n    nodes:\r\n      sc: { public: 9002 }\r\n";
    const written = writeRecordText(text, { stack: "a", cluster: "fluvio", host: "localhost", nodes: { sc: { public: 9102 }, "spu-1": { public: 9103 } } });
    expect(written.replace(/\r\n/g, "")).not.toMatch(/\n/);
    expect(written.endsWith("    nodes:\r\n      sc: { public: 9002 }\r\n")).toBe(true);
    expect(parseRegistry(written).records.map((entry) => entry.stack)).toEqual(["a", "b"]);
    const changed = writeRecordText(written, { stack: "b", cluster: "fluvio", host: "localhost", nodes: { sc: { public: 9002 }, "spu-1": { public: 9003 } } });
    expect(changed.replace(/\r\n/g, "")).not.toMatch(/\n/);
  });

  it("odd but valid layouts: a comment after records: [], a byte-order mark, other indentations, quoted keys", () => {
    const record = { stack: "dev", cluster: "fluvio", host: "localhost", nodes: { sc: { public: 9002 } } };
    expect(writeRecordText("records: [] # none yet\nclaims: []\n", record)).toBe("records: # none yet\n  - stack: dev\n    cluster: fluvio\n    host: localhost\n    nodes:\n      sc: { public: 9002 }\nclaims: []\n");
    expect(writeRecordText("\ufeffrecords: []\n", record)).toBe("\ufeffrecords:\n  - stack: dev\n    cluster: fluvio\n    host: localhost\n    nodes:\n      sc: { public: 9002 }\n");
    const wide = "records:\n    -   stack: x\n        cluster: fluvio\n        host: localhost\n        nodes: {}\n";
    expect(writeRecordText(wide, record)).toBe(`records:\n    -   stack: dev\n        cluster: fluvio\n        host: localhost\n        nodes:\n          sc: { public: 9002 }\n${wide.slice("records:\n".length)}`);
    const quoted = "records:\n  - stack: \"dev\"\n    cluster: 'fluvio'\n    host: localhost\n    nodes:\n      \"sc\": {public: 1}\n";
    expect(writeRecordText(quoted, record)).toBe("records:\n  - stack: \"dev\"\n    cluster: 'fluvio'\n    host: localhost\n    nodes:\n      \"sc\": { public: 9002 }\n");
  });

  it("a new record goes above the comment that introduces the next record, below one that closes the record before", () => {
    const text = "records:\n  - stack: a\n    cluster: fluvio\n    host: localhost\n    nodes:\n      sc: { public: 9002 }\n      # end of a\n  # c is the CI stack\n  - stack: c\n    cluster: fluvio\n    host: localhost\n    nodes:\n      sc: { public: 9003 }\n";
    const written = writeRecordText(text, { stack: "b", cluster: "fluvio", host: "localhost", nodes: { sc: { public: 9004 } } });
    expect(written).toBe(text.replace("  # c is the CI stack\n", "  - stack: b\n    cluster: fluvio\n    host: localhost\n    nodes:\n      sc: { public: 9004 }\n  # c is the CI stack\n"));
  });

  it("registry prune --apply cuts only the pruned record's lines; its comments and everything else stay", async () => {
    const registry = [
      "# Reviewed by platform.",
      "claims:",
      "  - { owner: redis, ports: 6379, hosts: ['*'] }  # shared",
      "records:",
      "  # the long-lived dev stack",
      "  - stack: dev",
      "    cluster: fluvio",
      "    host: localhost",
      "    nodes:",
      "      sc: { public: 9002, private: 9103 }",
      "  - stack: gone  # a PR stack, merged",
      "    cluster: fluvio",
      "    host: localhost",
      "    nodes:",
      "      sc: { public: 9004, private: 9105 }",
      "  - { stack: zeta, cluster: fluvio, host: localhost, nodes: { sc: { public: 9006 } } }",
      "# end",
      "",
    ].join("\n");
    const root = makeProject({ dev: { environment: "dev", spus: 1 }, zeta: { environment: "dev", spus: 1 } }, registry);
    const result = await runCli(["registry", "prune", "--apply", "--root", root]);
    expect(result.code, result.err).toBe(0);
    expect(readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8")).toBe(
      registry.replace("  - stack: gone  # a PR stack, merged\n    cluster: fluvio\n    host: localhost\n    nodes:\n      sc: { public: 9004, private: 9105 }\n", "  # a PR stack, merged\n"),
    );
  });

  it("names that YAML would read as something else are quoted, and read back as the same text", () => {
    for (const odd of ["true", "null", "1.0", "0x1F", "~", "*", "a: b", "#x", "yes"]) {
      const written = writeRecordText("records: []\n", { stack: "dev", cluster: "fluvio", host: odd, nodes: { sc: { public: 9002 } } });
      expect(parseRegistry(written).records[0]!.host).toBe(odd);
    }
  });

  it("the CLI keeps the registry's comments through --record, and re-recording changes nothing", async () => {
    const registry = "# Owned by platform. Ask #infra before editing.\nhostGroups: {}\nclaims:\n  # the shared cache\n  - { owner: redis, ports: 6379, hosts: ['*'] }   # always\nrecords: []\n# end\n";
    const root = makeProject({ dev: { environment: "dev", spus: 2 } }, registry);
    expect((await runCli(["plan", "--stack", "dev", "--record", "--root", root])).code).toBe(0);
    const text = readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8");
    expect(text.startsWith("# Owned by platform. Ask #infra before editing.\nhostGroups: {}\nclaims:\n  # the shared cache\n  - { owner: redis, ports: 6379, hosts: ['*'] }   # always\nrecords:\n  - stack: dev\n")).toBe(true);
    expect(text.endsWith("# end\n")).toBe(true);
    const again = await runCli(["plan", "--stack", "dev", "--record", "--root", root]);
    expect(again.err).toMatch(/it was up to date/);
    expect(readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8")).toBe(text);
  });
});

/** Runs `fluvio-ports plan --record` for `stack` in a child process. */
function recordInChild(root: string, stack: string): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER, root, stack], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("close", (code) => resolve({ code, err }));
  });
}

/** N writer processes recording N stacks at once, and a reader polling the file meanwhile. */
async function concurrentRecords(stacks: string[], registry: string): Promise<{ root: string; results: { code: number | null; err: string }[]; reads: number; badReads: string[] }> {
  const root = makeProject(Object.fromEntries(stacks.map((stack) => [stack, { environment: "dev", spus: 2 }])), registry);
  const file = join(root, "stacks", "ports.registry.yaml");
  const badReads: string[] = [];
  let reads = 0;
  let done = false;
  const reader = (async () => {
    while (!done) {
      const text = readFileSync(file, "utf8");
      reads++;
      try {
        parseRegistry(text);
      } catch (error) {
        badReads.push(`${String(error)}\n---\n${text}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  const results = await Promise.all(stacks.map((stack) => recordInChild(root, stack)));
  done = true;
  await reader;
  return { root, results, reads, badReads };
}

describe("family 1: concurrent --record runs", () => {
  const header = "# Who owns which port. Reviewed in git.\nclaims:\n  - { owner: redis, ports: 6379, hosts: ['*'] }  # shared\nrecords: []\n";

  it("eight writer processes at once: every record is kept, the file always parses, no two stacks share a port, no lock or temp file is left", async () => {
    const stacks = ["pr-1", "pr-2", "pr-3", "pr-4", "pr-5", "pr-6", "pr-7", "pr-8"];
    const { root, results, reads, badReads } = await concurrentRecords(stacks, header);
    console.log(`adversarial family 1 (concurrency): ${stacks.length} writers, ${reads} reads during the writes, ${badReads.length} unparseable`);
    for (const result of results) expect(result, result.err).toMatchObject({ code: 0 });
    expect(badReads).toEqual([]);
    const registry = loadRegistry(root);
    expect(registry.records.map((entry) => entry.stack).sort()).toEqual([...stacks].sort());
    expect(registry.records.map((entry) => entry.stack)).toEqual([...stacks].sort()); // code-unit order in the file
    const text = readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8");
    expect(text.startsWith("# Who owns which port. Reviewed in git.\nclaims:\n  - { owner: redis, ports: 6379, hosts: ['*'] }  # shared\n")).toBe(true);
    expect(readdirSync(join(root, "stacks")).filter((entry) => /\.lock|\.tmp/.test(entry))).toEqual([]);
  }, 120_000);

  it("random groups of concurrent writers (property, 4 rounds): all records kept, every read parses", async () => {
    const outcomes = tally();
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { minLength: 2, maxLength: 6 }), async (stacks) => {
        const { root, results, badReads } = await concurrentRecords(stacks, header);
        for (const result of results) expect(result, result.err).toMatchObject({ code: 0 });
        expect(badReads).toEqual([]);
        expect(loadRegistry(root).records.map((entry) => entry.stack).sort()).toEqual([...stacks].sort());
        outcomes.add(`round of ${stacks.length} writers kept every record`);
      }),
      { numRuns: 4 },
    );
    outcomes.report("family 1 (random concurrent writers)");
  }, 240_000);

  it("a lock left by a process that is gone is taken over; a live holder makes the writer wait, then fail clearly", () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } }, header);
    const file = join(root, "stacks", "ports.registry.yaml");
    const plan = (registry: PortRegistry) => {
      const planned = planCluster({ environment: "dev", spus: 1 }, { stack: "dev", registry });
      return { record: recordOf(planned), result: planned };
    };
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: require("node:os").hostname(), token: "dead", since: "2020-01-01T00:00:00Z" }));
    expect(recordInRegistry(file, plan).changed).toBe(true);
    expect(existsSync(`${file}.lock`)).toBe(false);
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.ppid, host: require("node:os").hostname(), token: "alive", since: "2026-01-01T00:00:00Z" }));
    const error = hostErrorOf(() => recordInRegistry(file, (registry) => plan(registry), { timeoutMs: 300 }));
    expect(error.kind).toBe("file");
    expect(error.issues[0]!.message).toMatch(new RegExp(`is being written by process ${process.ppid}.*delete .*ports.registry.yaml.lock if no such process runs`));
    expectOneLine(error);
    // A lock someone made by hand (empty) is respected until it is old, and the writer says so.
    writeFileSync(`${file}.lock`, "");
    const byHand = hostErrorOf(() => recordInRegistry(file, (registry) => plan(registry), { timeoutMs: 300 }));
    expect(byHand.issues[0]!.message).toMatch(/is being written by another process \(lock .*\.lock\), still after [\d.]+ s; run again when it is done \(FLUVIO_PORTS_LOCK_TIMEOUT=<seconds> waits longer\), or delete/);
    const old = recordInRegistry(file, (registry) => plan(registry), { timeoutMs: 300, staleMs: 0 });
    expect(old.changed).toBe(false);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Family 2: a registry passed to the library is validated like one read from disk
// ---------------------------------------------------------------------------------------------

describe("family 2: registries built by a program", () => {
  const spec = { environment: "dev", spus: 2 };
  const bad: { what: string; registry: unknown; path: RegExp; says: RegExp }[] = [
    { what: "a range from > to", registry: { hostGroups: {}, claims: [{ owner: "cache", ports: { from: 9500, to: 9400 }, hosts: ["*"], source: "registry" }], records: [] }, path: /claims\[0\]\.ports/, says: /9500-9400.*claim of cache/ },
    { what: "a port above 65535", registry: { claims: [{ owner: "x", ports: 70000, hosts: ["*"] }] }, path: /claims\[0\]\.ports/, says: /claim of x|65535/ },
    { what: "an unknown field on a record", registry: { records: [{ stack: "pr-1", cluster: "fluvio", host: "localhost", nodes: {}, owner: "me" }] }, path: /records\[0\]/, says: /owner.*record of stack pr-1/ },
    { what: "a port as text", registry: { records: [{ stack: "pr-1", cluster: "fluvio", host: "localhost", nodes: { sc: { public: "9002" } } }] }, path: /records\[0\]\.nodes\.sc\.public/, says: /record of stack pr-1/ },
    { what: "hosts as a number", registry: { claims: [{ owner: "x", ports: 6379, hosts: 5 }] }, path: /claims\[0\]\.hosts/, says: /claim of x/ },
    { what: "an unknown top-level field", registry: { hostGroups: {}, claims: [], records: [], reserved: [1] }, path: /registry/, says: /reserved/ },
    { what: "claims as a map", registry: { claims: { redis: 6379 } }, path: /claims/, says: /must be a list of claims/ },
  ];
  for (const { what, registry, path, says } of bad) {
    it(`${what}: planCluster throws the ConfigError parseRegistry would, naming the entry`, () => {
      const error = configErrorOf(() => planCluster(spec, { stack: "dev", registry: registry as PortRegistry }));
      expect(error.issues.some((issue) => path.test(issue.path) && says.test(`${issue.path} ${issue.message}`)), JSON.stringify(error.issues)).toBe(true);
      expectOneLine(error);
      const fromFile = configErrorOf(() => parseRegistry(JSON.stringify(registry), "ports.registry.yaml"));
      expect(fromFile.issues.map((issue) => issue.message)).toEqual(error.issues.map((issue) => issue.message));
    });
  }

  it("SpuCluster validates its registry argument the same way, before creating anything", async () => {
    const run = runUnderMocks({
      stack: "dev",
      stackFile: false,
      program: () => new SpuCluster("fluvio", { environment: "dev", spus: 1, preflight: false, registry: { hostGroups: {}, claims: [{ owner: "cache", ports: { from: 9500, to: 9400 }, hosts: ["*"], source: "registry" }], records: [] } }),
    });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/claims\[0\]\.ports: '9500-9400' \(claim of cache\)/);
  });

  it("host groups that name groups are expanded: a claim on an outer group keeps the inner group's machine off the port", () => {
    const registry = parseRegistry("hostGroups:\n  fleet: [ci, box-1]\n  ci: [ci-1, ci-2]\nclaims:\n  - { owner: runner cache, ports: 9000-9050, hosts: [fleet] }\n");
    const plan = planCluster({ environment: "dev", host: "ci-2", spus: 2 }, { stack: "pr-1", registry });
    for (const row of plan.ports) expect(row.port < 9000 || row.port > 9050).toBe(true);
    const elsewhere = planCluster({ environment: "dev", host: "box-9", spus: 2 }, { stack: "pr-1", registry });
    expect(elsewhere.ports.some((row) => row.port <= 9050)).toBe(true);
  });

  it("a cycle of host groups is refused, naming the cycle", () => {
    const error = configErrorOf(() => planCluster(spec, { stack: "dev", registry: { hostGroups: { a: ["b"], b: ["c", "box"], c: ["a"] }, claims: [], records: [] } }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.message).toMatch(/cycle \(a -> b -> c -> a\)/);
  });

  it("two records of one stack and cluster are named, both of them", () => {
    const one = { stack: "dev", cluster: "fluvio", host: "localhost", nodes: { sc: { public: 9002 } } };
    const error = configErrorOf(() => validateRegistry({ records: [one, { ...one, nodes: { sc: { public: 9003 } } }] }, "registry"));
    expect(issueAt(error, "registry: records[1]")).toMatch(/recorded twice: records\[0\] \(stack dev, cluster fluvio, host localhost\) and records\[1\]/);
  });

  it("two stacks on one port of a machine they share through a host group are named, both of them", () => {
    const registry = {
      hostGroups: { ci: ["ci-1", "ci-2"] },
      records: [
        { stack: "pr-1", cluster: "fluvio", host: "ci", nodes: { sc: { public: 9002 } } },
        { stack: "pr-2", cluster: "fluvio", host: "ci-2", nodes: { "spu-1": { metrics: 9002 } } },
        { stack: "pr-3", cluster: "fluvio", host: "box", nodes: { sc: { public: 9002 } } },
      ],
    };
    const error = configErrorOf(() => planCluster(spec, { stack: "dev", registry: registry as unknown as PortRegistry }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.message).toMatch(/port 9002 is recorded twice on a shared host: records\[0\] \(stack pr-1.*sc public, and records\[1\] \(stack pr-2.*spu-1 metrics/);
  });

  it(`record order does not depend on the locale: shuffled records format byte-identically, in code-unit order (${RUNS} shuffles formatted, ${Math.ceil(RUNS / 10)} recorded one by one)`, () => {
    const names = ["a", "B", "Z", "_x", "ä", "é", "z", "A", "b-1", "b.1", "b_1", "10", "9"];
    const records = names.map((stack, index) => ({ stack, cluster: "fluvio", host: `h${index}`, nodes: { sc: { public: 2000 + index } } }));
    const expected = formatRegistry({ ...EMPTY_REGISTRY, records });
    expect(parse(expected).records.map((entry: { stack: string }) => entry.stack)).toEqual([...names].sort());
    const shuffles = fc.shuffledSubarray(records, { minLength: records.length });
    fc.assert(
      fc.property(shuffles, (shuffled) => {
        expect(formatRegistry({ ...EMPTY_REGISTRY, records: shuffled })).toBe(expected);
      }),
      { numRuns: RUNS },
    );
    // Recording them one by one, in any order, into a file also ends in code-unit order.
    fc.assert(
      fc.property(shuffles, (shuffled) => {
        let text = "records: []\n";
        for (const entry of shuffled) text = writeRecordText(text, entry);
        expect(parse(text).records.map((entry: { stack: string }) => entry.stack)).toEqual([...names].sort());
      }),
      { numRuns: Math.ceil(RUNS / 10) },
    );
  });

  it(`random hand-built registries: planCluster plans or throws a ConfigError naming a registry field, never anything else (${RUNS} registries)`, () => {
    const outcomes = tally();
    const anything = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    const registry = fc.record(
      {
        hostGroups: fc.oneof(fc.dictionary(fc.constantFrom("a", "b", "ci", "localhost"), fc.array(fc.constantFrom("a", "b", "ci", "ci-1", "localhost"), { maxLength: 3 })), anything),
        claims: fc.oneof(fc.array(fc.record({ owner: fc.oneof(fc.string(), anything), ports: fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.string(), fc.record({ from: fc.integer({ min: 0, max: 70000 }), to: fc.integer({ min: 0, max: 70000 }) }), anything), hosts: fc.oneof(fc.constant(["*"]), fc.array(fc.string(), { maxLength: 2 }), anything) }, { requiredKeys: [] }), { maxLength: 3 }), anything),
        records: fc.oneof(fc.array(fc.record({ stack: fc.oneof(fc.constantFrom("a", "b"), anything), cluster: fc.constant("fluvio"), host: fc.constantFrom("localhost", "ci", "a"), nodes: fc.dictionary(fc.constantFrom("sc", "spu-1"), fc.record({ public: fc.oneof(fc.integer({ min: 9000, max: 9010 }), anything) }, { requiredKeys: [] })) }, { requiredKeys: [] }), { maxLength: 3 }), anything),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(registry, (value) => {
        try {
          planCluster(spec, { stack: "dev", registry: value as unknown as PortRegistry });
          outcomes.add("planned");
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expectOneLine(error as ConfigError);
          outcomes.add("refused with a ConfigError");
        }
      }),
      { numRuns: RUNS },
    );
    outcomes.report("family 2 (hand-built registries)");
  });
});

// ---------------------------------------------------------------------------------------------
// Family 3: never replace what a user wrote
// ---------------------------------------------------------------------------------------------

describe("family 3: render --out", () => {
  const project = (): string => makeProject({ dev: { environment: "dev", spus: 1 }, prod: { environment: "prod", target: "kubernetes", spus: 1 } });

  it("refuses to replace a Compose file a user wrote, writes nothing at all, and --force replaces it", async () => {
    const root = project();
    const out = join(root, "out");
    mkdirSync(out);
    writeFileSync(join(out, "docker-compose.yaml"), "services:\n  my-app: { image: nginx }\n");
    const refused = await runCli(["render", "--stack", "dev", "--out", out, "--root", root]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/docker-compose\.yaml: was not written by fluvio-ports render .* pass --force to replace it/);
    expect(refused.err).not.toMatch(STACK_TRACE);
    expect(readFileSync(join(out, "docker-compose.yaml"), "utf8")).toBe("services:\n  my-app: { image: nginx }\n");
    expect(existsSync(join(out, "plan.json"))).toBe(false);
    const forced = await runCli(["render", "--stack", "dev", "--out", out, "--force", "--root", root]);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(out, "docker-compose.yaml"), "utf8")).toMatch(/fluvio-ports render/);
  });

  it("re-renders over its own files (its header, its plan.json), also after a user edited them", () => {
    const root = project();
    const out = join(root, "out");
    renderStack(root, "prod", out);
    writeFileSync(join(out, "kubernetes.yaml"), `${readFileSync(join(out, "kubernetes.yaml"), "utf8")}# a local note\n`);
    const plan = JSON.parse(readFileSync(join(out, "plan.json"), "utf8"));
    writeFileSync(join(out, "plan.json"), JSON.stringify({ ...plan, note: "edited" }));
    expect(renderStack(root, "prod", out).paths).toHaveLength(4);
    expect(readFileSync(join(out, "kubernetes.yaml"), "utf8")).not.toMatch(/a local note/);
  });

  it("refuses a plan.json that is not a ClusterPlan (another tool's plan)", () => {
    const root = project();
    const out = join(root, "out");
    mkdirSync(out);
    writeFileSync(join(out, "plan.json"), JSON.stringify({ format_version: "1.2", terraform_version: "1.9.0" }));
    const error = hostErrorOf(() => renderStack(root, "dev", out));
    expect(error.kind).toBe("file");
    expect(error.issues[0]!.path).toBe(join(out, "plan.json"));
    expect(error.issues[0]!.message).toMatch(/not a ClusterPlan/);
    expect(existsSync(join(out, "docker-compose.yaml"))).toBe(false);
  });

  it("never writes through a symbolic link, in or out of the folder; --force replaces the link, never its target", () => {
    const root = project();
    const out = join(root, "out");
    mkdirSync(out);
    const outside = join(root, "precious.yaml");
    writeFileSync(outside, "# mine\n");
    symlinkSync(outside, join(out, "docker-compose.yaml"));
    const error = hostErrorOf(() => renderStack(root, "dev", out));
    expect(error.issues[0]!.message).toMatch(/is a symbolic link \(to .*precious\.yaml\): render never writes through a link/);
    expect(readFileSync(outside, "utf8")).toBe("# mine\n");
    renderStack(root, "dev", out, {}, { force: true });
    expect(readFileSync(outside, "utf8")).toBe("# mine\n");
    expect(readFileSync(join(out, "docker-compose.yaml"), "utf8")).toMatch(/rendered by/);
  });

  it("a folder where a rendered file goes is refused, even with --force", () => {
    const root = project();
    const out = join(root, "out");
    mkdirSync(join(out, "plan.json"), { recursive: true });
    const error = hostErrorOf(() => renderStack(root, "dev", out, {}, { force: true }));
    expect(error.issues[0]!.message).toMatch(/is a folder where render writes a file/);
  });

  it(`random existing files: render replaces only its own, and refuses the rest without touching anything (${RUNS / 3} cases)`, () => {
    const outcomes = tally();
    const root = project();
    const ours = (() => {
      const dir = join(root, "ours");
      renderStack(root, "dev", dir);
      return { compose: readFileSync(join(dir, "docker-compose.yaml"), "utf8"), plan: readFileSync(join(dir, "plan.json"), "utf8") };
    })();
    const content = fc.oneof(
      { weight: 4, arbitrary: fc.constant(ours.compose) },
      { weight: 4, arbitrary: fc.constant(ours.plan) },
      fc.constant(ours.compose.replace("`fluvio-ports render", "`my-own-tool render")),
      fc.constant(JSON.stringify({ ...JSON.parse(ours.plan), target: "nomad" })),
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.constant("# my notes\nservices: {}\n"),
      fc.constant("{}"),
    );
    let round = 0;
    fc.assert(
      fc.property(fc.option(content), fc.option(content), (compose, plan) => {
        const out = join(root, `random-${round++}`);
        mkdirSync(out);
        if (compose !== null) writeFileSync(join(out, "docker-compose.yaml"), compose);
        if (plan !== null) writeFileSync(join(out, "plan.json"), plan);
        const composeOurs = compose === null || compose.split("\n").slice(0, 5).some((line) => line.startsWith("#") && line.includes("fluvio-ports render"));
        const planOurs = plan === null || plan === ours.plan;
        try {
          renderStack(root, "dev", out);
          expect(composeOurs || compose === ours.compose).toBe(true);
          outcomes.add("rendered over its own files");
        } catch (error) {
          expect(isHostError(error)).toBe(true);
          expectOneLine(error as HostError);
          expect(composeOurs && planOurs).toBe(false);
          if (compose !== null) expect(readFileSync(join(out, "docker-compose.yaml"), "utf8")).toBe(compose);
          if (plan !== null) expect(readFileSync(join(out, "plan.json"), "utf8")).toBe(plan);
          outcomes.add("refused, nothing touched");
        }
      }),
      { numRuns: Math.floor(RUNS / 3) },
    );
    outcomes.report("family 3 (render over existing files)");
  });
});

// ---------------------------------------------------------------------------------------------
// Family 4: stack names
// ---------------------------------------------------------------------------------------------

describe("family 4: stack names", () => {
  it("names Pulumi refuses are refused in one line, before any file is read", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } });
    writeFileSync(join(root, "Pulumi.evil.yaml"), "config:\n  fluvio-spu:cluster: { environment: dev, spus: 1 }\n");
    for (const stack of ["../../etc/passwd", "../evil", "..", ".", "a/b/c/d", "dev stack", "dev\u0000", "dév", "a".repeat(101), "x/dev", "acme/other-project/dev", "acme//dev", "/dev", "dev/"]) {
      const result = await runCli(["plan", "--stack", stack, "--root", root]);
      expect(result.code, stack).toBe(2);
      expect(result.err, stack).toMatch(/stack: .* is not a stack name Pulumi accepts: /);
      expect(result.err).not.toMatch(STACK_TRACE);
      expect(result.out).toBe("");
    }
  });

  it("org/stack and org/project/stack read the stack's own file, as Pulumi does", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } });
    for (const stack of ["acme/dev", "acme/fluvio-spu/dev"]) {
      const result = await runCli(["plan", "--stack", stack, "--format", "json", "--root", root]);
      expect(result.code, result.err).toBe(0);
      expect(JSON.parse(result.out).stack).toBe("dev");
    }
  });

  it(`random names: accepted exactly when Pulumi's rule accepts them, and an accepted name's stack file is always inside the stack folder (${RUNS * 3} names)`, () => {
    const outcomes = tally();
    const root = makeProject({});
    const folder = stackConfigDir(root);
    const pulumiAccepts = (value: string): boolean => {
      const parts = value.split("/");
      if (parts.length > 3) return false;
      const stack = parts[parts.length - 1]!;
      if (!/^[A-Za-z0-9_.-]{1,100}$/.test(stack) || stack === "." || stack === "..") return false;
      if (parts.length > 1 && !/^[A-Za-z0-9][A-Za-z0-9_-]{1,38}[A-Za-z0-9]$/.test(parts[0]!)) return false;
      if (parts.length === 3 && (!/^[A-Za-z0-9_.-]{1,100}$/.test(parts[1]!) || parts[1] === "." || parts[1] === "..")) return false;
      return true;
    };
    const piece = fc.oneof(fc.constantFrom("..", ".", "/", "dev", "acme", "-", "_", "%2e", "\\", " ", "é", "\u0000", "fluvio-spu"), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join("")), (value) => {
        let accepted: boolean;
        try {
          parseStackName(value);
          accepted = true;
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expectOneLine(error as ConfigError);
          accepted = false;
        }
        expect(accepted, value).toBe(pulumiAccepts(value));
        if (accepted) expect(dirname(stackFilePath(root, value))).toBe(folder);
        outcomes.add(accepted ? "accepted (file inside stacks/)" : "refused with a ConfigError");
      }),
      { numRuns: RUNS * 3 },
    );
    outcomes.report("family 4 (stack names)");
  });

  it(`random --stack values through the CLI: exit 0 (the stack's own file in stacks/) or 2, never a trace (${Math.floor(RUNS / 5)} names)`, async () => {
    const outcomes = tally();
    const root = makeProject({ dev: { environment: "dev", spus: 1 } });
    writeFileSync(join(root, "Pulumi.evil.yaml"), "config:\n  fluvio-spu:cluster: { environment: dev, spus: 1 }\n");
    const piece = fc.constantFrom("..", ".", "/", "dev", "evil", "acme", "fluvio-spu", "-", "%", " ", "\\", "stacks", "Pulumi");
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 5 }).map((pieces) => pieces.join("")), async (stack) => {
        const result = await runCli(["plan", "--stack", stack, "--format", "json", "--root", root]);
        expect([0, 2]).toContain(result.code);
        expect(result.err).not.toMatch(STACK_TRACE);
        if (result.code === 0) {
          expect(JSON.parse(result.out).stack).toBe("dev");
          expect(stack === "dev" || stack.endsWith("/dev")).toBe(true);
        }
        outcomes.add(result.code === 0 ? "planned from stacks/Pulumi.dev.yaml" : /evil/.test(stack) && !/[/. %\\]/.test(stack) ? "refused: no such stack in stacks/" : "refused (exit 2)");
      }),
      { numRuns: Math.floor(RUNS / 5) },
    );
    outcomes.report("family 4 (CLI --stack)");
  });

  it("planCluster refuses a stack name that is not a plain stack name", () => {
    for (const stack of ["../x", "a/b", "dev stack"]) configErrorOf(() => planCluster({ environment: "dev", spus: 1 }, { stack }));
  });
});

// ---------------------------------------------------------------------------------------------
// Family 5: file-system failures are one line
// ---------------------------------------------------------------------------------------------

describe("family 5: file-system failures", () => {
  async function expectOneLineExit2(root: string, args: string[], says: RegExp): Promise<void> {
    const result = await runCli([...args, "--root", root]);
    expect(result.code, result.err).toBe(2);
    expect(result.err).toMatch(says);
    expect(result.err).not.toMatch(STACK_TRACE);
    expect(result.err.trim().split("\n").length, result.err).toBeLessThanOrEqual(2);
  }

  it("a folder where the registry should be", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } });
    mkdirSync(join(root, "stacks", "ports.registry.yaml"));
    await expectOneLineExit2(root, ["plan", "--stack", "dev"], /ports\.registry\.yaml: cannot read the port registry: it is a folder where a file should be/);
    await expectOneLineExit2(root, ["plan", "--stack", "dev", "--record"], /ports\.registry\.yaml: cannot read the port registry: it is a folder where a file should be/);
  });

  it("a folder where the stack file should be, and where Pulumi.yaml should be", async () => {
    const root = makeProject({});
    mkdirSync(join(root, "stacks", "Pulumi.dev.yaml"));
    await expectOneLineExit2(root, ["plan", "--stack", "dev"], /Pulumi\.dev\.yaml: it is a folder where a file should be/);
    const other = makeProject({ dev: { environment: "dev", spus: 1 } });
    rmSync(join(other, "Pulumi.yaml"));
    mkdirSync(join(other, "Pulumi.yaml"));
    await expectOneLineExit2(other, ["plan", "--stack", "dev"], /Pulumi\.yaml: it is a folder/);
  });

  it("a registry that is a symbolic link is updated where it points, the link kept; a dangling link is refused", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } });
    const shared = join(root, "shared-registry.yaml");
    writeFileSync(shared, "# shared by two repositories\nrecords: []\n");
    symlinkSync(shared, join(root, "stacks", "ports.registry.yaml"));
    expect((await runCli(["plan", "--stack", "dev", "--record", "--root", root])).code).toBe(0);
    expect(readFileSync(shared, "utf8")).toMatch(/^# shared by two repositories\nrecords:\n  - stack: dev\n/);
    expect(require("node:fs").lstatSync(join(root, "stacks", "ports.registry.yaml")).isSymbolicLink()).toBe(true);
    rmSync(shared);
    await expectOneLineExit2(root, ["plan", "--stack", "dev", "--record"], /ports\.registry\.yaml: is a symbolic link to .*shared-registry\.yaml, which does not exist/);
  });

  it("a stack folder that is a file", async () => {
    const root = makeProject({});
    rmSync(join(root, "stacks"), { recursive: true });
    writeFileSync(join(root, "stacks"), "not a folder\n");
    await expectOneLineExit2(root, ["plan", "--stack", "dev"], /stacks\/(Pulumi\.dev|ports\.registry)\.yaml: (cannot read the port registry: )?it is under a file where a folder should be/);
  });

  it("a host group that lists * stands for every host", () => {
    const registry = parseRegistry("hostGroups:\n  everywhere: ['*']\nclaims:\n  - { owner: agent, ports: 9000-9050, hosts: [everywhere] }\n");
    for (const row of planCluster({ environment: "dev", host: "any-box", spus: 1 }, { stack: "dev", registry }).ports) expect(row.port > 9050).toBe(true);
  });

  it("a read-only registry is refused on --record and left as it was", async () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } }, "# frozen\nrecords: []\n");
    const file = join(root, "stacks", "ports.registry.yaml");
    chmodSync(file, 0o444);
    await expectOneLineExit2(root, ["plan", "--stack", "dev", "--record"], /ports\.registry\.yaml: is read-only: make it writable/);
    expect(readFileSync(file, "utf8")).toBe("# frozen\nrecords: []\n");
    expect((await runCli(["plan", "--stack", "dev", "--root", root])).code).toBe(0);
  });

  it("a full disk while recording: one line, the registry untouched, no temp file and no lock left", () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } }, "# keep me\nrecords: []\n");
    const file = join(root, "stacks", "ports.registry.yaml");
    const enospc = (): never => {
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    };
    const error = hostErrorOf(() =>
      recordInRegistry(
        file,
        (registry) => {
          const plan = planCluster({ environment: "dev", spus: 1 }, { stack: "dev", registry });
          return { record: recordOf(plan), result: plan };
        },
        { writeAll: enospc },
      ),
    );
    expect(error.kind).toBe("file");
    expect(error.issues[0]).toEqual({ path: file, message: expect.stringMatching(/the disk is full .*the file was left as it was/) });
    expectOneLine(error);
    expect(readFileSync(file, "utf8")).toBe("# keep me\nrecords: []\n");
    expect(readdirSync(join(root, "stacks")).sort()).toEqual(["Pulumi.dev.yaml", "ports.registry.yaml"]);
  });

  it("a full disk while writing any file: the old text stays", () => {
    const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-enospc-"));
    const file = join(dir, "plan.json");
    writeFileSync(file, "old");
    const partial = (fd: number): never => {
      require("node:fs").writeSync(fd, "new, but only ha");
      throw Object.assign(new Error("ENOSPC"), { code: "ENOSPC" });
    };
    hostErrorOf(() => writeFileAtomic(file, "new, but only half of it", { writeAll: partial }));
    expect(readFileSync(file, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["plan.json"]);
  });

  it("a full disk halfway through render: no file changes (the manifest never goes out without its plan)", () => {
    const root = makeProject({ dev: { environment: "dev", spus: 1 } });
    const out = join(root, "out");
    renderStack(root, "dev", out);
    const before = { compose: readFileSync(join(out, "docker-compose.yaml"), "utf8"), plan: readFileSync(join(out, "plan.json"), "utf8") };
    let writes = 0;
    const fullAfterOne = (fd: number, text: string): void => {
      if (++writes > 1) throw Object.assign(new Error("ENOSPC"), { code: "ENOSPC" });
      require("node:fs").writeSync(fd, text);
    };
    const files = [
      { name: "docker-compose.yaml", text: "# rendered by `fluvio-ports render --stack dev`\nservices: {}\n" },
      { name: "plan.json", text: before.plan.replace('"dev"', '"dev2"') },
    ];
    const error = hostErrorOf(() => writeRenderedFiles(out, files, { writeAll: fullAfterOne }));
    expect(error.issues[0]).toEqual({ path: join(out, "plan.json"), message: expect.stringMatching(/disk is full/) });
    expect(readFileSync(join(out, "docker-compose.yaml"), "utf8")).toBe(before.compose);
    expect(readFileSync(join(out, "plan.json"), "utf8")).toBe(before.plan);
    expect(readdirSync(out).sort()).toEqual(["client-profile.toml", "container-client-profile.toml", "docker-compose.yaml", "plan.json"]);
  });

  const badProjects: { what: string; pulumiYaml: string; says: RegExp }[] = [
    { what: "invalid YAML", pulumiYaml: "name: [fluvio\n", says: /Pulumi\.yaml: is not valid YAML/ },
    { what: "a list", pulumiYaml: "- name\n- runtime\n", says: /Pulumi\.yaml: is not a map of project settings/ },
    { what: "a name that is a number", pulumiYaml: "name: 5\nruntime: nodejs\n", says: /Pulumi\.yaml: name: must be the project's name as text/ },
    { what: "stackConfigDir as a list", pulumiYaml: "name: fluvio-spu\nstackConfigDir: [stacks]\n", says: /Pulumi\.yaml: stackConfigDir: must be a folder path as text/ },
    { what: "duplicate keys", pulumiYaml: "name: a\nname: b\n", says: /Pulumi\.yaml: is not valid YAML/ },
  ];
  for (const { what, pulumiYaml, says } of badProjects) {
    it(`a bad Pulumi.yaml (${what})`, async () => {
      const root = makeProject({ dev: { environment: "dev", spus: 1 } });
      writeFileSync(join(root, "Pulumi.yaml"), pulumiYaml);
      await expectOneLineExit2(root, ["plan", "--stack", "dev"], says);
      await expectOneLineExit2(root, ["render", "--stack", "dev", "--out", join(root, "out")], says);
    });
  }

  const badValues: { what: string; yaml: string; says: RegExp }[] = [
    { what: "a string", yaml: "fluvio-spu:cluster: three spus please", says: /fluvio-spu:cluster: in .*Pulumi\.dev\.yaml is the text "three spus please"; it must be a map/ },
    { what: "null", yaml: "fluvio-spu:cluster: null", says: /fluvio-spu:cluster: in .* is empty \(null\)/ },
    { what: "empty", yaml: "fluvio-spu:cluster:", says: /fluvio-spu:cluster: in .* is empty \(null\)/ },
    { what: "a number", yaml: "fluvio-spu:cluster: 3", says: /fluvio-spu:cluster: in .* is the text "3"|is the number 3/ },
    { what: "a list", yaml: "fluvio-spu:cluster: [dev, 3]", says: /fluvio-spu:cluster: in .* is a list/ },
    { what: "a boolean", yaml: "fluvio-spu:cluster: true", says: /fluvio-spu:cluster: in .* is (the boolean true|the text "true")/ },
  ];
  for (const { what, yaml, says } of badValues) {
    it(`a cluster value of the wrong type (${what})`, async () => {
      const root = makeProject({});
      writeFileSync(join(root, "stacks", "Pulumi.dev.yaml"), `config:\n  ${yaml}\n`);
      await expectOneLineExit2(root, ["plan", "--stack", "dev"], says);
      expect(() => readClusterConfig(root, "dev")).toThrow(ConfigError);
    });
  }

  it("a stack file whose config is a list, or that is a list", async () => {
    const root = makeProject({});
    writeFileSync(join(root, "stacks", "Pulumi.dev.yaml"), "config:\n  - fluvio-spu:cluster\n");
    await expectOneLineExit2(root, ["plan", "--stack", "dev"], /Pulumi\.dev\.yaml: config: must be a map of settings/);
    writeFileSync(join(root, "stacks", "Pulumi.dev.yaml"), "- config\n");
    await expectOneLineExit2(root, ["plan", "--stack", "dev"], /Pulumi\.dev\.yaml: is not a map/);
  });

  it("plan --record into a registry that is a bare null (or ~) writes a fresh registry and keeps its comments", async () => {
    for (const text of ["null\n", "~\n", "# reviewed by ops\nnull\n"]) {
      const root = makeProject({ dev: { environment: "dev", spus: 1 } }, text);
      const result = await runCli(["plan", "--stack", "dev", "--record", "--root", root]);
      expect(result.code, result.err).toBe(0);
      const written = readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8");
      expect(written).toMatch(/stack: dev/);
      if (text.startsWith("#")) expect(written.startsWith("# reviewed by ops\n")).toBe(true);
    }
  });

  it(`random stack files and registries: the CLI ends with 0 or 2 and never a stack trace (${RUNS / 3} projects)`, async () => {
    const outcomes = tally();
    const yamlish = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.jsonValue().map((value) => `config:\n  fluvio-spu:cluster: ${JSON.stringify(value)}\n`),
      fc.constantFrom("config: 5\n", "config:\n  fluvio-spu:cluster: { spus: -1 }\n", ":\n- [\n"),
      { weight: 4, arbitrary: fc.record({ spus: fc.integer({ min: 0, max: 4 }), environment: fc.constantFrom("dev", "prod", "qa"), host: fc.constantFrom("localhost", "ci-1", "") }).map((cluster) => `config:\n  fluvio-spu:cluster: ${JSON.stringify(cluster)}\n`) },
    );
    const registry = fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 3, arbitrary: fc.constantFrom("records: []\n", "# ours\nclaims:\n  - { owner: redis, ports: 6379 }\nrecords:\n", "hostGroups: { ci: [ci-1] }\n") },
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.constantFrom("claims:\n  - { owner: x, ports: 9000-8000 }\n", "hostGroups: { a: [a] }\n", "records:\n  - { stack: a, cluster: fluvio, host: localhost, nodes: {} }\n  - { stack: a, cluster: fluvio, host: localhost, nodes: {} }\n"),
    );
    await fc.assert(
      fc.asyncProperty(yamlish, registry, fc.boolean(), async (stackFile, registryText, record) => {
        const root = makeProject({}, registryText);
        writeFileSync(join(root, "stacks", "Pulumi.dev.yaml"), stackFile);
        const before = registryText === undefined ? undefined : readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8");
        const result = await runCli(["plan", "--stack", "dev", ...(record ? ["--record"] : []), "--root", root]);
        expect([0, 2]).toContain(result.code);
        expect(result.err).not.toMatch(STACK_TRACE);
        if (result.code !== 0 && before !== undefined) expect(readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8")).toBe(before);
        outcomes.add(result.code === 0 ? "planned" : "refused in one message (exit 2)");
      }),
      { numRuns: Math.floor(RUNS / 3) },
    );
    outcomes.report("family 5 (random stack files and registries)");
  }, 120_000);
});
