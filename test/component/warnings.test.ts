import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SpuCluster } from "../../src/component";
import { planCluster } from "../../src/plan/plan";
import { recordOf } from "../../src/plan/record";
import { EMPTY_REGISTRY, withRecord } from "../../src/ports/registry";
import { runUnderMocks } from "../support/pulumi";

afterEach(() => vi.restoreAllMocks());

describe("plan warnings reach the user on pulumi preview and up", () => {
  it("a recorded port that has to move is reported on the component, never moved silently", async () => {
    const warn = vi.spyOn(pulumi.log, "warn");
    const before = planCluster({ environment: "dev", spus: 1 }, { stack: "dev" });
    const registry = withRecord(EMPTY_REGISTRY, recordOf(before));
    const run = await runUnderMocks({
      stack: "dev",
      stackFile: false,
      program: () => new SpuCluster("fluvio", { environment: "dev", spus: 1, ports: { public: "9400-9450" }, registry, preflight: false }),
    });
    const messages = warn.mock.calls.map(([message]) => message);
    expect(messages.some((message) => /SPU 5001 public: recorded port \d+ is outside ports.public 9400-9450 now, so it moves/.test(message))).toBe(true);
    expect(warn.mock.calls.every(([, resource]) => resource === run.result)).toBe(true);
  });

  it("a plan without warnings logs none", async () => {
    const warn = vi.spyOn(pulumi.log, "warn");
    await runUnderMocks({ stack: "dev", stackFile: false, program: () => new SpuCluster("fluvio", { environment: "dev", spus: 2, preflight: false }) });
    expect(warn).not.toHaveBeenCalled();
  });

  it("the prod preset's NodePorts on every node with TLS off: pulumi preview warns, naming the ports and the secure alternatives", async () => {
    const warn = vi.spyOn(pulumi.log, "warn");
    const run = await runUnderMocks({ stack: "prod", stackFile: false, preview: true, program: () => new SpuCluster("fluvio", { target: "kubernetes", environment: "prod", spus: 2 }) });
    const nodePorts = run.result.plan.ports.filter((row) => row.role === "nodePort").map((row) => row.port);
    expect(nodePorts).toHaveLength(3);
    const exposure = warn.mock.calls.map(([message]) => message).filter((message) => /^exposure:/.test(message));
    expect(exposure).toHaveLength(1);
    expect(exposure[0]).toContain(`NodePorts ${nodePorts.sort((a, b) => a - b).join(", ")} are opened on every node`);
    expect(exposure[0]).toMatch(/TLS off.*set tls\.enabled: true.*ClusterIP.*LoadBalancer/);
    warn.mockClear();
    await runUnderMocks({ stack: "prod", stackFile: false, preview: true, program: () => new SpuCluster("fluvio", { target: "kubernetes", environment: "prod", spus: 2, kubernetes: { serviceType: "ClusterIP" }, localEndpoint: { inCluster: true } }) });
    expect(warn.mock.calls.map(([message]) => message).filter((message) => /^exposure:/.test(message))).toEqual([]);
  });
});
