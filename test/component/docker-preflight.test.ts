/**
 * Preflight in the program path: before any container is created on a local engine, the
 * plan's host ports are checked, and a port held by anything but this cluster fails the
 * program with `fluvio-ports check`'s lines. The host check itself is stubbed here (it is
 * tested on its own, and against a real engine in the live tier).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PortCheckReport } from "../../src/preflight";

const check = vi.hoisted(() => ({ report: undefined as PortCheckReport | undefined, calls: [] as unknown[] }));
vi.mock("../../src/preflight", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../src/preflight")>()),
  checkPorts: async (plan: unknown) => {
    check.calls.push(plan);
    return check.report as PortCheckReport;
  },
}));

import { isConfigError } from "../../src/errors";
import { parseClusterSpec } from "../../src/config/schema";
import { loadRegistry, readClusterConfig } from "../../src/config/stack";
import { planCluster } from "../../src/plan/plan";
import type { ClusterPlan } from "../../src/plan/types";
import { declareCluster } from "../../src/program";
import { engineIsLocal, preflightError, runPreflight } from "../../src/targets/docker";
import { PROJECT_ROOT, runUnderMocks } from "../support/pulumi";

const CONTAINER = "docker:index/container:Container";
// Loopback only, so that no bridge lookup is needed under mocks (docker.test.ts covers host-gateway).
const devLoopback = { ...(readClusterConfig(PROJECT_ROOT, "dev") as object), docker: { publishAddresses: ["127.0.0.1"] } };
const LOOPBACK = { "fluvio-spu:cluster": JSON.stringify(devLoopback) };
const plan: ClusterPlan = planCluster(parseClusterSpec(devLoopback), { stack: "dev", project: "fluvio-spu", registry: loadRegistry(PROJECT_ROOT) });
const spu = plan.spus[0]!;

function conflictReport(): PortCheckReport {
  const message = `Port ${spu.ports.public} already in use by redis-server (pid 4242): wanted by SPU ${spu.id} public; pin another port with spus[0].publicPort or move the range ports.public 9000-9100`;
  return {
    checked: plan.hostPorts,
    conflicts: [
      {
        port: spu.ports.public,
        owner: `spu-${spu.id}`,
        role: "public",
        wantedBy: `SPU ${spu.id} public`,
        holder: { kind: "process", pid: 4242, command: "redis-server" },
        fix: "pin another port with spus[0].publicPort or move the range ports.public 9000-9100",
        message,
      },
    ],
    sources: { proc: true, docker: true },
  };
}

const clean: PortCheckReport = { checked: plan.hostPorts, conflicts: [], sources: { proc: true, docker: true } };

beforeEach(() => {
  check.calls = [];
  check.report = clean;
});

describe("the preflight error", () => {
  it("is a ConfigError whose lines are the check's own lines", async () => {
    const error = preflightError(plan, conflictReport());
    expect(isConfigError(error)).toBe(true);
    expect(error?.message).toContain("fluvio-ports check: 1 planned host port is taken on this host (stack dev); nothing was created");
    expect(error?.message).toContain(conflictReport().conflicts[0]!.message);
    expect(preflightError(plan, clean)).toBeUndefined();
    await expect(runPreflight(plan, async () => conflictReport())).rejects.toThrow(/already in use by redis-server \(pid 4242\)/);
    await expect(runPreflight(plan, async () => clean)).resolves.toBeUndefined();
  });

  it("runs only against a local engine", () => {
    expect(engineIsLocal(undefined)).toBe(true);
    expect(engineIsLocal("unix:///var/run/docker.sock")).toBe(true);
    expect(engineIsLocal("tcp://10.0.0.5:2376")).toBe(false);
    expect(engineIsLocal("ssh://deploy@build-host")).toBe(false);
  });
});

describe("preflight in the program", () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    rejections.push(reason);
  };
  beforeEach(() => {
    rejections.length = 0;
    process.on("unhandledRejection", onRejection);
  });
  afterEach(() => {
    process.off("unhandledRejection", onRejection);
  });

  it("checks the plan's host ports once and then creates the containers", async () => {
    const run = await runUnderMocks({ stack: "dev", program: declareCluster, extraConfig: LOOPBACK });
    expect(check.calls).toHaveLength(1);
    expect((check.calls[0] as ClusterPlan).hostPorts).toEqual(plan.hostPorts);
    expect(run.byType(CONTAINER).length).toBe(2 + 3 * plan.spus.length);
  });

  it("fails with the check's message and creates no container when a planned port is taken", async () => {
    check.report = conflictReport();
    const run = await runUnderMocks({ stack: "dev", program: declareCluster, extraConfig: LOOPBACK });
    const created = run.byType(CONTAINER).filter((resource) => Object.keys(resource.inputs).length > 0);
    expect(created).toEqual([]);
    const messages = rejections.map((reason) => String((reason as Error)?.message ?? reason));
    expect(messages.some((message) => message.includes(`Port ${spu.ports.public} already in use by redis-server (pid 4242)`))).toBe(true);
  });

  it("is skipped when the stack turns it off, or when the engine is remote", async () => {
    await runUnderMocks({ stack: "dev", program: declareCluster, extraConfig: { ...LOOPBACK, "fluvio-spu:preflight": "false" } });
    await runUnderMocks({ stack: "dev", program: declareCluster, extraConfig: { ...LOOPBACK, "docker:host": "ssh://deploy@build-host" } });
    expect(check.calls).toHaveLength(0);
  });
});
