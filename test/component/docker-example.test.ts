/**
 * examples/docker-app under Pulumi's mocks: the app container sits on its own network and gets
 * the cluster's container client profile (SC and SPUs through host.docker.internal, ports from
 * the plan), and waits for the whole cluster.
 */
import { describe, expect, it, vi } from "vitest";

// The host check is not what this test is about (docker-preflight.test.ts is).
vi.mock("../../src/preflight", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../src/preflight")>()),
  checkPorts: async () => ({ checked: [], conflicts: [], sources: { proc: true, docker: true } }),
}));

import { parseClusterSpec } from "../../src/config/schema";
import { clientProfile } from "../../src/plan/outputs";
import { planCluster } from "../../src/plan/plan";
import { runUnderMocks, valueOf } from "../support/pulumi";

const CONTAINER = "docker:index/container:Container";


describe("examples/docker-app", () => {
  it("hands the app the container client profile, on its own network, after the cluster", async () => {
    const run = await runUnderMocks({
      stack: "dev",
      stackFile: false,
      program: async () => (await import("../../examples/docker-app/index")) as Record<string, any>,
    });
    const plan = planCluster(
      parseClusterSpec({ name: "orders-bus", target: "docker", spus: 2, ports: { public: "9400-9449", private: "9450-9499", metrics: "9500-9549" } }),
      { stack: "dev", project: "fluvio-spu" },
    );
    const app = run.one(CONTAINER, "orders-consumer");
    expect(app.inputs.networkMode).toBe("orders-app-dev");
    expect(app.inputs.networksAdvanced).toEqual([{ name: "orders-app-dev" }]);
    expect(app.inputs.hosts).toEqual([{ host: "host.docker.internal", ip: "host-gateway" }]);
    const uploads = app.inputs.uploads.value ?? app.inputs.uploads;
    const profile = uploads[0].content as string;
    expect(profile).toBe(clientProfile(plan, { inContainer: true }));
    expect(profile).toContain(`endpoint = "host.docker.internal:${plan.sc.ports.public}"`);
    expect(profile).toContain("use_spu_local_address = true");
    // The app's own inputs name no planned port: everything comes through the profile.
    const withoutProfile = JSON.stringify({ ...app.inputs, uploads: undefined });
    for (const row of plan.ports) expect(withoutProfile).not.toContain(String(row.port));
    // It waits for every resource of the cluster (dependsOn on the component = on its children).
    const clusterContainers = run.byType(CONTAINER).filter((resource) => resource.name.startsWith("orders-bus-"));
    expect(clusterContainers.length).toBe(2 + 3 * plan.spus.length);
    for (const resource of clusterContainers) expect(app.dependencies).toContain(resource.urn);
    expect(await valueOf(run.result.containerClientProfile)).toBe(profile);
  });
});
