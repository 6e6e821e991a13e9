/**
 * Adversarial cases for SpuCluster under Pulumi's own mocks (issue #14): providers handed over
 * the usual Pulumi way, preflight failures that must end in ONE error with nothing registered,
 * resource names that cannot name a cluster, renames with aliases that must keep every
 * physical name, and config errors Pulumi prints without a stack trace. The host check itself
 * is stubbed (it has its own suite: test/unit/adversarial-host.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type { CheckPortsOptions, PortCheckReport } from "../../src/preflight";

const check = vi.hoisted(() => ({
  report: undefined as PortCheckReport | undefined,
  calls: [] as { ports: number[]; options: unknown }[],
  gate: undefined as Promise<void> | undefined,
}));
vi.mock("../../src/preflight", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../src/preflight")>()),
  checkPorts: async (plan: { hostPorts: number[] }, options?: CheckPortsOptions) => {
    check.calls.push({ ports: plan.hostPorts, options });
    if (check.gate) await check.gate;
    return check.report as PortCheckReport;
  },
}));

import { SpuCluster, SPU_CLUSTER_TYPE, type SpuClusterArgs } from "../../src/component";
import { isConfigError, isHostError } from "../../src/errors";
import { runRefused, runUnderMocks, type MockRun } from "../support/pulumi";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";
/** Loopback only: no bridge lookup needed. */
const DEV: SpuClusterArgs = { environment: "dev", spus: 2, docker: { publishAddresses: ["127.0.0.1"] } };

function report(overrides: Partial<PortCheckReport> = {}): PortCheckReport {
  return { checked: [], conflicts: [], sources: { proc: true, docker: true }, unchecked: [], ...overrides };
}

function conflictReport(): PortCheckReport {
  return report({
    conflicts: [
      {
        port: 9007,
        owner: "spu-5001",
        role: "public",
        wantedBy: "SPU 5001 public",
        holder: { kind: "process", pid: 4242, command: "redis-server" },
        fix: "pin another port with spus[0].publicPort or move the range ports.public 9000-9100",
        message: "Port 9007 already in use by redis-server (pid 4242): wanted by SPU 5001 public; pin another port with spus[0].publicPort or move the range ports.public 9000-9100",
      },
    ],
  });
}

const children = (run: MockRun) => run.resources.filter((resource) => resource.type !== SPU_CLUSTER_TYPE && !resource.type.startsWith("pulumi:providers:"));
const dockerChildren = (run: MockRun) => run.resources.filter((resource) => resource.type.startsWith("docker:index/") && !resource.type.startsWith("pulumi:"));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => {
  rejections.push(reason);
};
beforeEach(() => {
  check.calls = [];
  check.report = report();
  check.gate = undefined;
  rejections.length = 0;
  process.on("unhandledRejection", onRejection);
});
afterEach(() => {
  process.off("unhandledRejection", onRejection);
  vi.restoreAllMocks();
});

describe("family 2: a provider handed over the usual Pulumi way", () => {
  const forms: [string, (provider: docker.Provider) => pulumi.ComponentResourceOptions][] = [
    ["opts.provider", (provider) => ({ provider })],
    ["opts.providers { docker }", (provider) => ({ providers: { docker: provider } })],
    ["opts.providers [provider]", (provider) => ({ providers: [provider] })],
  ];
  for (const [form, options] of forms) {
    it(`${form}: every Docker resource uses it, and the preflight asks its engine (a local socket)`, async () => {
      const run = await runUnderMocks({
        stack: "dev",
        stackFile: false,
        program: () => {
          const provider = new docker.Provider("engine", { host: "unix:///run/other/docker.sock" });
          return new SpuCluster("fluvio", DEV, options(provider));
        },
      });
      const provider = run.one("pulumi:providers:docker", "engine");
      const resources = dockerChildren(run);
      expect(resources.length).toBeGreaterThan(6);
      for (const resource of resources) expect(resource.options.provider, `${resource.type} ${resource.name}`).toMatch(new RegExp(`^${escape(provider.urn)}::`));
      expect(check.calls).toHaveLength(1);
      expect(check.calls[0]?.options).toEqual({ docker: { socketPath: "/run/other/docker.sock" } });
      expect(rejections).toEqual([]);
    });

    it(`${form} on a remote engine: no local check, one info line, no unhandled rejection, every container created`, async () => {
      const info = vi.spyOn(pulumi.log, "info");
      check.report = conflictReport(); // busy here: must not matter for a remote engine
      const run = await runUnderMocks({
        stack: "dev",
        stackFile: false,
        program: () => {
          const provider = new docker.Provider("remote", { host: "ssh://deploy@build-host" });
          return new SpuCluster("fluvio", DEV, options(provider));
        },
      });
      expect(check.calls).toEqual([]);
      const lines = info.mock.calls.map((call) => String(call[0])).filter((line) => line.includes("preflight"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/ssh:\/\/deploy@build-host.*fluvio-ports check --stack dev/);
      expect(run.byType(CONTAINER).length).toBe(2 + 3 * 2);
      expect(rejections).toEqual([]);
    });
  }

  it("dockerProvider in args still works, and wins over a component provider", async () => {
    const run = await runUnderMocks({
      stack: "dev",
      stackFile: false,
      program: () => {
        const chosen = new docker.Provider("chosen", { host: "tcp://10.0.0.5:2376" });
        const other = new docker.Provider("other", {});
        return new SpuCluster("fluvio", { ...DEV, dockerProvider: chosen }, { providers: { docker: other } });
      },
    });
    const chosen = run.one("pulumi:providers:docker", "chosen");
    for (const resource of dockerChildren(run)) expect(resource.options.provider).toMatch(new RegExp(`^${escape(chosen.urn)}::`));
    expect(check.calls).toEqual([]);
  });

  it("Kubernetes: providers { kubernetes } reaches every Kubernetes resource", async () => {
    const run = await runUnderMocks({
      stack: "prod",
      stackFile: false,
      program: () => {
        const provider = new k8s.Provider("kind", { context: "kind-fluvio" });
        return new SpuCluster("fluvio", { target: "kubernetes", environment: "prod", spus: 2 }, { providers: { kubernetes: provider } });
      },
    });
    const provider = run.one("pulumi:providers:kubernetes", "kind");
    const resources = run.resources.filter((resource) => resource.type.startsWith("kubernetes:"));
    expect(resources.length).toBeGreaterThan(10);
    for (const resource of resources) expect(resource.options.provider, resource.name).toMatch(new RegExp(`^${escape(provider.urn)}::`));
  });
});

describe("family 2: a preflight failure is ONE error, and nothing is registered before the check passes", () => {
  it("a conflict: one unhandled rejection, a ResourceError on the component without a stack, no child at all", async () => {
    check.report = conflictReport();
    const run = await runUnderMocks({ stack: "dev", stackFile: false, program: () => new SpuCluster("fluvio", { ...DEV, spus: 5 }) });
    expect(children(run)).toEqual([]);
    expect(rejections).toHaveLength(1);
    const error = rejections[0] as pulumi.ResourceError;
    expect(pulumi.ResourceError.isInstance(error)).toBe(true);
    expect(error.hideStack).toBe(true);
    expect((error.resource as pulumi.Resource | undefined) instanceof SpuCluster).toBe(true);
    expect(error.message).toContain("Port 9007 already in use by redis-server (pid 4242)");
    expect(error.message).toContain("nothing was created");
  });

  it("pulumi preview runs the same check: a conflict is one error, a clean check shows every container", async () => {
    check.report = conflictReport();
    const failed = await runUnderMocks({ stack: "dev", stackFile: false, preview: true, program: () => new SpuCluster("fluvio", DEV) });
    expect(children(failed)).toEqual([]);
    expect(rejections).toHaveLength(1);
    check.report = report();
    const passed = await runUnderMocks({ stack: "dev", stackFile: false, preview: true, program: () => new SpuCluster("fluvio", DEV) });
    expect(passed.byType(CONTAINER)).toHaveLength(8);
    expect(rejections).toHaveLength(1);
  });

  it("what could not be checked stops the deployment too: one HostError line set, no child", async () => {
    check.report = report({ unchecked: [{ what: "docker", ports: [9002, 9007], reason: "ports the Docker engine publishes ... : no Docker engine socket at /var/run/docker.sock" }] });
    const run = await runUnderMocks({ stack: "dev", stackFile: false, program: () => new SpuCluster("fluvio", DEV) });
    expect(children(run)).toEqual([]);
    expect(rejections).toHaveLength(1);
    expect((rejections[0] as Error).message).toMatch(/could not be checked on this host.*preflight false/s);
    expect((rejections[0] as Error).message).toContain("no Docker engine socket");
  });

  it("preflight: false skips it knowingly: every container is created", async () => {
    check.report = report({ unchecked: [{ what: "listeners", ports: [9002], reason: "no /proc" }] });
    const run = await runUnderMocks({ stack: "dev", stackFile: false, program: () => new SpuCluster("fluvio", { ...DEV, preflight: false }) });
    expect(check.calls).toEqual([]);
    expect(run.byType(CONTAINER).length).toBe(8);
    expect(rejections).toEqual([]);
  });

  it("registers no network, volume or container while the check is still running", async () => {
    const seen: string[] = [];
    const original = MockMonitor.prototype.registerResource;
    vi.spyOn(MockMonitor.prototype, "registerResource").mockImplementation(function (this: MockMonitor, req: { getType(): string }, callback: unknown) {
      seen.push(req.getType());
      return (original as (req: unknown, callback: unknown) => unknown).call(this, req, callback);
    } as typeof original);
    let release: () => void = () => undefined;
    check.gate = new Promise<void>((resolve) => (release = resolve));
    const program = runUnderMocks({ stack: "dev", stackFile: false, program: () => new SpuCluster("fluvio", DEV) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(check.calls).toHaveLength(1);
    expect(seen.filter((type) => type.startsWith("docker:"))).toEqual([]);
    release();
    await program;
    // The harness stopped waiting while the check held everything back: wait for all 8 containers here.
    for (let wait = 0; wait < 200 && seen.filter((type) => type === CONTAINER).length < 8; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toContain(VOLUME);
    expect(seen).toContain(NETWORK);
    expect(seen).toContain(CONTAINER);
    expect(rejections).toEqual([]);
  });
});

describe("family 4: renaming never strands data; a resource name that cannot name a cluster is refused up front", () => {
  const physical = (run: MockRun) =>
    [...run.byType(CONTAINER), ...run.byType(VOLUME), ...run.byType(NETWORK)].map((resource) => String(resource.inputs.name)).sort();

  it("an aliased rename with name: <old name> keeps every container, volume and network name", async () => {
    const before = await runUnderMocks({ stack: "dev", stackFile: false, program: () => new SpuCluster("orders", { ...DEV, preflight: false }) });
    const after = await runUnderMocks({
      stack: "dev",
      stackFile: false,
      program: () => new SpuCluster("orders-bus", { ...DEV, name: "orders", preflight: false }, { aliases: [{ name: "orders" }] }),
    });
    expect(physical(before).length).toBeGreaterThan(10);
    expect(physical(after)).toEqual(physical(before));
    // Children are named after the resource name, so Pulumi carries the parent's alias over to them.
    for (const resource of children(after)) expect(resource.name.startsWith("orders-bus-")).toBe(true);
  });

  const refusals: [string, () => SpuCluster, RegExp][] = [
    ["an aliased rename without name", () => new SpuCluster("orders-bus", DEV, { aliases: [{ name: "orders" }] }), /aliased to its former name 'orders'.*name: "orders"/s],
    ["a rename by URN alias without name", () => new SpuCluster("orders-bus", DEV, { aliases: ["urn:pulumi:dev::fluvio-spu::fluvio:index:SpuCluster::orders"] }), /name: "orders"/],
    ["OrdersBus as the resource name", () => new SpuCluster("OrdersBus", DEV), /'OrdersBus'.*name: "orders-bus"/s],
    ["orders_bus as the resource name", () => new SpuCluster("orders_bus", DEV), /name: "orders-bus"/],
    ["a 41-character resource name", () => new SpuCluster("a".repeat(41), DEV), /41 characters \(at most 40\)/],
    ["a bad SPU entry", () => new SpuCluster("fluvio", { environment: "dev", spus: [{ id: 5001, publicPort: "x" as unknown as number }] }), /spus\[0\]\.publicPort: must be a whole number/],
    ["two SPUs on one local port", () => new SpuCluster("fluvio", { environment: "dev", spus: [{ id: 1, localEndpoint: { port: 9050 } }, { id: 2, localEndpoint: { port: 9050 } }] }), /spus\[1\]\.localEndpoint\.port: 9050 is also the local port of SPU 1 \(spus\[0\]\.localEndpoint\.port\)/],
  ];
  for (const [what, make, message] of refusals) {
    it(`${what}: a ConfigError Pulumi prints without a stack (RunError), and nothing registered, not even the component`, async () => {
      const { run, thrown } = await runRefused({ stack: "dev", stackFile: false }, make);
      expect(isConfigError(thrown)).toBe(true);
      expect(pulumi.RunError.isInstance(thrown)).toBe(true);
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message.split("\n").every((line) => !/^\s+at /.test(line))).toBe(true);
      expect(run.resources).toEqual([]);
      expect(rejections).toEqual([]);
    });
  }

  it("accepts OrdersBus as a resource name when name is given", async () => {
    const run = await runUnderMocks({ stack: "dev", stackFile: false, program: () => new SpuCluster("OrdersBus", { ...DEV, name: "orders-bus", preflight: false }) });
    expect(run.byType(CONTAINER).map((resource) => resource.inputs.name)).toContain("orders-bus-dev-sc");
  });
});

describe("host errors stay host errors", () => {
  it("the unchecked error is a HostError of kind unchecked", async () => {
    const { uncheckedError } = await import("../../src/targets/docker/preflight");
    const { planCluster } = await import("../../src/plan/plan");
    const plan = planCluster({ environment: "dev", spus: 1 }, { stack: "dev" });
    const error = uncheckedError(plan, report({ unchecked: [{ what: "listeners", ports: [9002], reason: "no /proc" }] }));
    expect(isHostError(error) && error.kind).toBe("unchecked");
    expect(uncheckedError(plan, report())).toBeUndefined();
  });
});

describe("issue 21: two clusters of one program never share a port", () => {
  const portsOf = (cluster: SpuCluster) => cluster.plan.ports.map((row) => row.port);

  it("orders and billing on one Docker host: the second plans around the first, in declaration order, every time", async () => {
    const plans: number[][][] = [];
    for (let round = 0; round < 3; round++) {
      const run = await runUnderMocks({
        stack: "dev",
        stackFile: false,
        program: () => [new SpuCluster("orders", { ...DEV, spus: 3 }), new SpuCluster("billing", { ...DEV, spus: 3 })],
      });
      const [orders, billing] = run.result;
      expect(new Set(portsOf(orders!)).size).toBe(portsOf(orders!).length);
      for (const port of portsOf(billing!)) expect(portsOf(orders!), `port ${port}`).not.toContain(port);
      plans.push([portsOf(orders!), portsOf(billing!)]);
    }
    expect(plans[1]).toEqual(plans[0]);
    expect(plans[2]).toEqual(plans[0]);
    // The first cluster plans as it would alone: declaring a second never moves it.
    const alone = await runUnderMocks({ stack: "dev", stackFile: false, program: () => new SpuCluster("orders", { ...DEV, spus: 3 }) });
    expect(portsOf(alone.result)).toEqual(plans[0]![0]);
    // Each preflight checked its own, distinct host ports.
    const checked = check.calls.slice(-3, -1).map((call) => call.ports);
    expect(checked[0]!.some((port) => checked[1]!.includes(port))).toBe(false);
  });

  it("clusters on different hosts keep their own plans; a pin on the other cluster's port is refused naming both", async () => {
    const apart = await runUnderMocks({
      stack: "dev",
      stackFile: false,
      program: () => [new SpuCluster("orders", { ...DEV, host: "ci-1" }), new SpuCluster("billing", { ...DEV, host: "ci-2" })],
    });
    expect(portsOf(apart.result[1]!)).toEqual(portsOf(apart.result[0]!));
    const sameMachine = await runUnderMocks({
      stack: "dev",
      stackFile: false,
      program: () => [new SpuCluster("orders", { ...DEV, host: "LOCALHOST." }), new SpuCluster("billing", { ...DEV, host: "127.0.0.1" })],
    });
    for (const port of portsOf(sameMachine.result[1]!)) expect(portsOf(sameMachine.result[0]!)).not.toContain(port);

    const { thrown } = await runRefused({ stack: "dev", stackFile: false }, () => {
      const orders = new SpuCluster("orders", DEV);
      new SpuCluster("billing", { ...DEV, sc: { publicPort: orders.plan.sc.ports.public } });
    });
    expect(isConfigError(thrown)).toBe(true);
    const message = (thrown as Error).message;
    expect(message).toMatch(/SpuCluster 'orders' \(cluster orders, SC public\), declared earlier in this program/);
    expect(message).toMatch(/so that cluster billing plans around cluster orders/);
  });
});
