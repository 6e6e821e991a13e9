/**
 * Adversarial cases of issue #14, host and names half: the preflight never says "free" about
 * what it did not see (bind probes, lsof, bound-not-listening sockets, `unchecked`), another
 * stack's containers are not ours, Docker names stay DNS labels and never collide across
 * stacks, local endpoints are ports like any other, and an error inside an SPU entry names that
 * entry's field. Property-based where it fits; each property counts its outcomes, printed at the
 * end (the case counts of the report).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, isConfigError } from "../../src/errors";
import { parseClusterSpec } from "../../src/config/schema";
import { planCluster } from "../../src/plan/plan";
import { dockerStackName } from "../../src/plan/names";
import type { ClusterPlan } from "../../src/plan/types";
import { buildDockerSpecs } from "../../src/targets/docker";
import { checkPorts, formatUnchecked } from "../../src/preflight";
import { parseBoundSockets } from "../../src/preflight/bound";
import { localEngineSocket } from "../../src/preflight/docker";
import { parseLsof, probeVerdict, type ProbeResult } from "../../src/preflight/fallback";
import { findConflicts } from "../../src/preflight/match";
import { runCli } from "../support/cli";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 500);
const tally: Record<string, Record<string, number>> = {};
function count(family: string, outcome: string): void {
  tally[family] ??= {};
  tally[family][outcome] = (tally[family][outcome] ?? 0) + 1;
}
afterAll(() => {
  console.log(`adversarial-host outcomes:\n${Object.entries(tally).map(([family, outcomes]) => `  ${family}: ${JSON.stringify(outcomes)}`).join("\n")}`);
});

const CONFIG = { environment: "dev", spus: 2, ports: { public: "18600-18619", private: "18620-18639", metrics: "18640-18659" } } as const;
const plan = (overrides: Record<string, unknown> = {}, stack = "adv"): ClusterPlan => planCluster({ ...CONFIG, ...overrides }, { stack });

// ---------------------------------------------------------------------------------------------
describe("family 1: never say ok for what was not checked", () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it("without /proc, a real listener on a planned port is found by a bind probe and named by lsof where present", async () => {
    const target = plan();
    const port = target.hostPorts[1] as number;
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
    try {
      const report = await checkPorts(target, { procRoot: "/nonexistent-proc", docker: false });
      count("1 host", "listener without /proc: conflict");
      expect(report.sources.proc).toBe(false);
      const conflict = report.conflicts.find((entry) => entry.port === port);
      expect(conflict, JSON.stringify(report)).toBeDefined();
      expect(conflict?.holder.seenBy).toBe("bind-probe");
      if (spawnSync("lsof", ["-v"]).error === undefined) expect(conflict?.holder.pid).toBe(process.pid);
      // Docker was not asked: NAT-only publications stay unchecked, and say so.
      expect(formatUnchecked(report).join("\n")).toMatch(/not checked: .*Docker engine .*not asked/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("without /proc and without bind probes, every port is unchecked, none reported free", async () => {
    const target = plan();
    const report = await checkPorts(target, { procRoot: "/nonexistent-proc", docker: false, probe: false });
    count("1 host", "no /proc, no probes: all unchecked");
    expect(report.conflicts).toEqual([]);
    const listeners = report.unchecked?.find((entry) => entry.what === "listeners");
    expect(listeners?.ports).toEqual(target.hostPorts);
    expect(listeners?.reason).toMatch(/listener tables could not be read/);
  });

  it("an engine that does not answer leaves Docker's NAT-only ports unchecked, with the reason", async () => {
    const report = await checkPorts(plan(), { docker: { socketPath: "/nonexistent/docker.sock" }, probe: async (ports) => ports.map((port) => ({ port, state: "free" })) });
    count("1 host", "engine silent: unchecked");
    expect(report.unchecked?.map((entry) => entry.what)).toEqual(["docker"]);
    expect(report.unchecked?.[0]?.reason).toContain("no Docker engine socket at /nonexistent/docker.sock");
  });

  it("a socket that is bound but not listening (state 07 in the tables) is a conflict, named by its process", async () => {
    const target = plan();
    const port = target.hostPorts[0] as number;
    const root = mkdtempSync(join(tmpdir(), "fluvio-spu-bound-"));
    roots.push(root);
    mkdirSync(join(root, "net"));
    const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
    writeFileSync(
      join(root, "net", "tcp"),
      `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:${hexPort} 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4711 1 0000000000000000 100 0 0 10 0\n`,
    );
    mkdirSync(join(root, "321", "fd"), { recursive: true });
    writeFileSync(join(root, "321", "cmdline"), "/usr/bin/python3\0holder.py\0");
    const { symlinkSync } = await import("node:fs");
    symlinkSync("socket:[4711]", join(root, "321", "fd", "3"));
    const report = await checkPorts(target, { procRoot: root, docker: false, probe: false });
    count("1 host", "bound (07) in tables: conflict");
    const conflict = report.conflicts.find((entry) => entry.port === port);
    expect(conflict?.holder).toMatchObject({ kind: "process", pid: 321, command: "python3 holder.py", state: "bound" });
    expect(conflict?.message).toMatch(/a socket bound but not listening, held by python3 holder\.py \(pid 321\)/);
  });

  it("parses state-07 rows only when they are bound and unconnected, on planned ports", () => {
    const rows = [
      "   0: 0100007F:2332 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 11 1",
      "   1: 0100007F:2333 0100007F:C350 07 00000000:00000000 00:00000000 00000000 0 0 12 1",
      "   2: 0100007F:2334 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 13 1",
      "   3: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 14 1",
    ].join("\n");
    expect(parseBoundSockets(rows, 4, new Set([9010, 9011, 9012]))).toEqual([{ address: "127.0.0.1", port: 9010, inode: 11, uid: 0 }]);
  });

  const python = spawnSync("python3", ["-c", "print(1)"]).status === 0;
  it.skipIf(!python)("a real socket bound but not listening (in no table on Linux) is found by a bind probe", async () => {
    const target = plan();
    const port = target.hostPorts[2] as number;
    const holder: ChildProcess = spawn("python3", ["-c", `import socket,sys,time\ns=socket.socket()\ns.bind(("0.0.0.0", ${port}))\nprint("bound", flush=True)\ntime.sleep(60)`], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve) => holder.stdout?.once("data", () => resolve()));
      const report = await checkPorts(target, { docker: false });
      count("1 host", "real bound socket: conflict");
      const conflict = report.conflicts.find((entry) => entry.port === port);
      expect(conflict, JSON.stringify(report.conflicts)).toBeDefined();
      expect(conflict?.holder.state).toBe("bound");
      expect(conflict?.message).toMatch(/bound but not listening/);
    } finally {
      holder.kill();
    }
  });

  it("another stack's container is not ours because it shares the cluster label: both labels must match", () => {
    const target = plan({}, "pr-1");
    const port = target.hostPorts[0] as number;
    const published = (labels: Record<string, string>) => [{ port, address: "127.0.0.1", container: "c", labels }];
    const match = (labels: Record<string, string>) =>
      findConflicts({ plan: target, ports: target.hostPorts, listeners: [], owners: new Map(), published: published(labels), ignoreOwnContainers: true });
    expect(match({ "fluvio-spu.cluster": target.namePrefix, "fluvio-spu.stack": "pr-1" })).toEqual([]);
    expect(match({ "fluvio-spu.cluster": target.namePrefix, "fluvio-spu.stack": "pr_1" })).toHaveLength(1);
    expect(match({ "fluvio-spu.cluster": target.namePrefix })).toHaveLength(1);
    expect(match({ "fluvio-spu.stack": "pr-1" })).toHaveLength(1);
    count("1 host", "label matching: 4 cases");
  });

  it("asks a local engine on its own socket, a Windows named pipe too, and never a remote one", () => {
    expect(localEngineSocket("unix:///run/user/1000/docker.sock")).toBe("/run/user/1000/docker.sock");
    expect(localEngineSocket("npipe:////./pipe/docker_engine")).toBe("\\\\.\\pipe\\docker_engine");
    expect(localEngineSocket("tcp://10.0.0.5:2376")).toBeUndefined();
    expect(localEngineSocket("ssh://deploy@build-host")).toBeUndefined();
    count("1 host", "engine addresses: 4 cases");
  });

  it("reads lsof's -F pcn answer: pid, command, and sockets on the asked ports only", () => {
    const text = "p4242\ncredis-server\nn*:18600\nn127.0.0.1:18600->127.0.0.1:50000\np77\ncnode\nn[::1]:18601\nn*:22\n";
    expect(parseLsof(text, new Set([18600, 18601]))).toEqual([
      { port: 18600, pid: 4242, command: "redis-server", address: "*:18600" },
      { port: 18601, pid: 77, command: "node", address: "[::1]:18601" },
    ]);
  });

  it("a port that cannot be bound at all (EACCES) is unprobed, never free", () => {
    expect(probeVerdict(80, [{ address: "0.0.0.0", answer: { kind: "not-allowed", code: "EACCES" } }])).toMatchObject({ state: "unprobed", reason: expect.stringMatching(/privilege/) });
    expect(probeVerdict(80, [{ address: "::", answer: { kind: "no-address" } }, { address: "0.0.0.0", answer: { kind: "free" } }])).toEqual({ port: 80, state: "free" });
  });

  it("property: whatever a probe says, every planned port ends as a conflict, unchecked, or seen free — never a silent ok", async () => {
    const target = plan({ spus: 4 });
    const state = fc.constantFrom<ProbeResult["state"]>("free", "taken", "unprobed");
    await fc.assert(
      fc.asyncProperty(fc.array(state, { minLength: target.hostPorts.length, maxLength: target.hostPorts.length }), fc.boolean(), async (states, lsofAnswers) => {
        const byPort = new Map(target.hostPorts.map((port, index) => [port, states[index] as ProbeResult["state"]]));
        const report = await checkPorts(target, {
          procRoot: "/nonexistent-proc",
          docker: false,
          probe: async (ports) =>
            ports.map((port): ProbeResult => {
              const verdict = byPort.get(port);
              return verdict === "taken" ? { port, state: "taken", addresses: ["0.0.0.0"] } : verdict === "unprobed" ? { port, state: "unprobed", reason: "EACCES" } : { port, state: "free" };
            }),
          lsof: (ports) => (lsofAnswers ? ports.map((port) => ({ port, pid: 9, command: "holder", address: `*:${port}` })) : undefined),
        });
        const conflicted = new Set(report.conflicts.map((entry) => entry.port));
        const unchecked = new Set((report.unchecked ?? []).filter((entry) => entry.what !== "docker").flatMap((entry) => entry.ports));
        for (const [port, verdict] of byPort) {
          if (verdict === "taken") expect(conflicted.has(port)).toBe(true);
          if (verdict === "unprobed") expect(unchecked.has(port)).toBe(true);
          if (verdict === "free") expect(conflicted.has(port) || unchecked.has(port)).toBe(false);
        }
        count("1 host", report.conflicts.length > 0 ? "random probes: conflicts" : unchecked.size > 0 ? "random probes: unchecked only" : "random probes: all free");
      }),
      { numRuns: Math.min(RUNS, 300) },
    );
  });

  it("fluvio-ports check never prints ok when the engine cannot be asked: it says what it could not see and exits 3 (1 when it also found conflicts)", async () => {
    const saved = process.env.DOCKER_HOST;
    // An engine that is there but cannot be asked from here (a remote one). No engine at all is
    // checked, not unchecked: nothing can publish a port then (test/unit/cli-bin.test.ts).
    process.env.DOCKER_HOST = "tcp://127.0.0.1:1";
    try {
      const { code, out, err } = await runCli(["check", "--stack", "dev", "--root", new URL("../..", import.meta.url).pathname]);
      count("1 host", `cli without engine: exit ${code}`);
      expect([1, 3]).toContain(code);
      expect(out).not.toMatch(/^ok:/m);
      expect(err).toMatch(/could not check this host's Docker engine: .*DOCKER_HOST=tcp:\/\/127\.0\.0\.1:1/);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe("family 3: names the target cannot use are refused up front", () => {
  const stackName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,30}$/);

  it("property: different stacks never share a Docker name prefix; lowercase stacks keep today's names", () => {
    fc.assert(
      fc.property(fc.uniqueArray(stackName, { minLength: 2, maxLength: 8 }), (stacks) => {
        const prefixes = stacks.map(dockerStackName);
        expect(new Set(prefixes).size).toBe(stacks.length);
        for (const [index, stack] of stacks.entries()) {
          if (/^[a-z0-9-]+$/.test(stack)) expect(prefixes[index]).toBe(stack);
          else expect(prefixes[index]).toMatch(/^[a-z0-9-]+-[0-9a-f]{8}$/);
        }
        count("3 names", "random stack sets: distinct");
      }),
      { numRuns: RUNS },
    );
    for (const [a, b] of [["pr-1", "pr_1"], ["dev", "Dev"], ["a.b", "a_b"], ["A", "a"]] as const) {
      expect(planCluster({ environment: "dev", spus: 1 }, { stack: a }).namePrefix).not.toBe(planCluster({ environment: "dev", spus: 1 }, { stack: b }).namePrefix);
      count("3 names", "named pairs: distinct");
    }
  });

  it("property: a Docker plan's every container name and alias is a DNS label of at most 63, or the plan is refused with the numbers", () => {
    const letters = (min: number, max: number) => fc.integer({ min, max }).chain((length) => fc.stringMatching(new RegExp(`^[a-z][a-z0-9-]{${length - 2}}[a-z0-9]$`)));
    const config = fc.record({
      name: letters(2, 40),
      stack: fc.oneof(letters(2, 45), stackName),
      ids: fc.uniqueArray(fc.integer({ min: 0, max: 2_147_483_647 }), { minLength: 1, maxLength: 3 }),
      metrics: fc.boolean(),
    });
    fc.assert(
      fc.property(config, ({ name, stack, ids, metrics }) => {
        let result: ClusterPlan;
        try {
          result = planCluster({ name, environment: "dev", metrics: { enabled: metrics }, spus: ids.map((id) => ({ id })) }, { stack });
        } catch (error) {
          expect(isConfigError(error), String(error)).toBe(true);
          const issue = (error as ConfigError).issues.find((entry) => entry.path === "name");
          if (issue === undefined && (error as ConfigError).issues.some((entry) => entry.path === "stack")) {
            // A stack name Pulumi would refuse ("." or ".."): refused as such, before any name is made from it.
            count("3 names", "random lengths: stack name refused");
            return;
          }
          expect(issue?.message).toMatch(/is (\d+) characters, but Docker container names and network aliases are DNS labels of at most 63.*by \d+ character/);
          const [, length] = /is (\d+) characters/.exec(issue?.message ?? "") ?? [];
          expect(Number(length)).toBeGreaterThan(63);
          count("3 names", "random lengths: refused with numbers");
          return;
        }
        const spec = buildDockerSpecs(result);
        const names = [...spec.containers, ...spec.registrations].flatMap((container) => [container.name, ...container.networks.flatMap((network) => network.aliases)]);
        expect(spec.network.name.length).toBeLessThanOrEqual(63);
        for (const entry of names) {
          expect(entry.length, entry).toBeLessThanOrEqual(63);
          expect(entry).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
        }
        count("3 names", "random lengths: accepted, all ≤ 63");
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe("family 5: local endpoints are ports like any other", () => {
  /** Ports from a small pool that overlaps the public and private ranges, so collisions are frequent. */
  const pool = fc.constantFrom(9002, 9007, 9008, 9012, 9013, 9050, 9103, 9105, 9106, 9201, 9202, 9400);
  /** A value in one draw out of `oneIn`, else undefined. */
  const rarely = <T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> =>
    fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
  const spu = (id: number) =>
    fc.record({
      id: fc.constant(id),
      publicPort: rarely(pool, 4),
      privatePort: rarely(fc.constantFrom(9103, 9105, 9106, 9150), 5),
      localEndpoint: rarely(fc.record({ port: pool }), 2),
    });
  const scenario = fc.record({
    ids: fc.uniqueArray(fc.integer({ min: 5001, max: 5006 }), { minLength: 1, maxLength: 5 }),
    clusterPort: rarely(pool, 4),
    scPublic: rarely(pool, 5),
    target: fc.constantFrom("docker", "kubernetes"),
  }).chain(({ ids, clusterPort, scPublic, target }) =>
    fc.tuple(...ids.map((id) => spu(id))).map((spus) => ({ spus, clusterPort, scPublic, target })),
  );

  it("property: no two SPUs share a local port, a local port is never another node's port, the SC keeps its own", () => {
    fc.assert(
      fc.property(scenario, ({ spus, clusterPort, scPublic, target }) => {
        const config = {
          environment: "dev",
          target,
          spus: spus.map((entry) => Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined))),
          ...(clusterPort !== undefined ? { localEndpoint: { port: clusterPort } } : {}),
          ...(scPublic !== undefined ? { sc: { publicPort: scPublic } } : {}),
        };
        let result: ClusterPlan;
        try {
          result = planCluster(config, { stack: "dev" });
        } catch (error) {
          expect(isConfigError(error), String(error)).toBe(true);
          for (const issue of (error as ConfigError).issues) expect(issue.path).toMatch(/^(spus\[\d+\]\.\w+(\.port)?|sc\.\w+|localEndpoint\.port|ports\.\w+)$/);
          const local = (error as ConfigError).issues.filter((issue) => /localEndpoint\.port/.test(issue.path) || /localEndpoint\.port/.test(issue.message));
          count("5 local ports", local.length > 0 ? "refused, naming the local field" : "refused for another reason");
          return;
        }
        const portsOf = new Map<string, number[]>();
        for (const row of result.ports) portsOf.set(row.owner, [...(portsOf.get(row.owner) ?? []), row.port]);
        const locals = result.spus.flatMap((entry) => (entry.endpoints.local ? [{ key: entry.key, port: entry.endpoints.local.port, spu: entry }] : []));
        expect(new Set(locals.map((entry) => entry.port)).size).toBe(locals.length);
        for (const local of locals) {
          for (const [owner, ports] of portsOf) if (owner !== local.key) expect(ports, `${local.key} local ${local.port} vs ${owner}`).not.toContain(local.port);
          expect([local.spu.ports.private, local.spu.ports.metrics]).not.toContain(local.port);
        }
        if (result.sc.local !== null) expect(result.sc.local.endsWith(`:${result.sc.ports.nodePort ?? result.sc.ports.public}`)).toBe(true);
        count("5 local ports", "accepted, invariants hold");
      }),
      { numRuns: RUNS },
    );
  });

  it("names both fields when it refuses", () => {
    const message = (config: Record<string, unknown>) => {
      try {
        parseClusterSpec(config);
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    };
    expect(message({ environment: "dev", spus: [{ id: 1, localEndpoint: { port: 9050 } }, { id: 2, publicPort: 9050 }] })).toContain("spus[0].localEndpoint.port: 9050 is also SPU 2's public port (spus[1].publicPort)");
    expect(message({ environment: "dev", spus: 1, sc: { publicPort: 9050 }, localEndpoint: { port: 9050 } })).toContain("localEndpoint.port: 9050 is also the SC's public port (sc.publicPort)");
    const planned = planCluster({ environment: "dev", spus: 2 }, { stack: "dev" });
    const taken = planned.spus[1]?.ports.public as number;
    expect(() => planCluster({ environment: "dev", spus: [{ id: 5001, localEndpoint: { port: taken } }, { id: 5002 }] }, { stack: "dev" })).toThrow(
      `spus[0].localEndpoint.port: ${taken} is also SPU 5002's public port (spus[1].publicPort, derived)`,
    );
    expect(() => planCluster({ environment: "dev", spus: 1, localEndpoint: { port: planned.sc.ports.public } }, { stack: "dev" })).toThrow(
      `localEndpoint.port: ${planned.sc.ports.public} is also the SC's public port (sc.publicPort, derived)`,
    );
    const sc = planCluster({ environment: "dev", spus: 1, localEndpoint: { port: 9050 } }, { stack: "dev" }).sc;
    expect(sc.local).toBe(`host.docker.internal:${sc.ports.public}`);
    count("5 local ports", "named cases: 5");
  });
});

// ---------------------------------------------------------------------------------------------
describe("family 6: an error inside an SPU entry names that entry's field", () => {
  const fields = ["id", "publicPort", "privatePort", "metricsPort", "nodePort"] as const;
  const bad = fc.constantFrom<unknown>("x", 9.5, -1, 70000, null, true, {}, []);

  it("property: one bad field in one entry of a random list is reported at spus[i].<field>, alone", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.nat(), fc.constantFrom(...fields), bad, (length, at, field, value) => {
        const index = at % length;
        const spus: Record<string, unknown>[] = Array.from({ length }, (_, i) => ({ id: 5001 + i }));
        // An id has no port limit: 70000 is a fine id, so ids get -1 instead.
        (spus[index] as Record<string, unknown>)[field] = field === "id" && value === 70000 ? -1 : value;
        try {
          parseClusterSpec({ environment: "dev", spus });
        } catch (error) {
          expect(isConfigError(error)).toBe(true);
          const paths = (error as ConfigError).issues.map((issue) => issue.path);
          expect(paths).toEqual([`spus[${index}].${field}`]);
          const message = (error as ConfigError).issues[0]?.message ?? "";
          if (field === "id") expect(message).not.toContain("ports run");
          expect((error as Error).message).not.toMatch(/\n\s+at /);
          count("6 one line", "bad entry field: named");
          return;
        }
        throw new Error(`accepted spus[${index}].${field} = ${JSON.stringify(value)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it("a cluster value of the wrong type is one line naming the value", () => {
    for (const value of ["spus: 3", 3, [1], true]) {
      expect(() => parseClusterSpec(value)).toThrow(/fluvio-spu:cluster: must be an object/);
      count("6 one line", "wrong cluster type: one line");
    }
    expect(() => parseClusterSpec({ environment: "dev", spus: 0 })).toThrow(/spus: 0 is not a count of SPUs/);
    expect(() => parseClusterSpec({ environment: "dev", spus: "three" })).toThrow(/spus: must be a count .* not the text "three"/);
    expect(() => parseClusterSpec({ environment: "dev", spus: [{ publicPort: 9050 }] })).toThrow(/spus\[0\]\.id: is missing/);
  });
});
