/**
 * Issue #21, "two clusters never share a port by default", across stacks: two stacks of one
 * project on one machine that were never recorded plan the same host ports, which
 * `fluvio-ports check` reports. The program (`pulumi up`) refuses them too, before anything is
 * registered, naming both stacks and the fix; once one is recorded, the other plans around it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isConfigError } from "../../src/errors";
import { declareCluster } from "../../src/program";
import { runCli } from "../support/cli";
import { makeProject } from "../support/project";
import { runRefused, runUnderMocks } from "../support/pulumi";

const CLUSTER = { environment: "dev", spus: 2 };

/** Runs the program as stack `stack` of the project at `root` (Pulumi runs programs in the project folder), config from its stack file. */
function inProject(root: string, stack: string, cluster: unknown) {
  vi.spyOn(process, "cwd").mockReturnValue(root);
  return { stack, stackFile: false, extraConfig: { "fluvio-spu:cluster": JSON.stringify(cluster), "fluvio-spu:preflight": "false" } };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the program and the project's other stacks on this machine", () => {
  it("refuses a stack whose planned ports another unrecorded stack plans too, naming both stacks and the fix; check agrees", async () => {
    const root = makeProject({ orders: CLUSTER, billing: CLUSTER });
    const check = await runCli(["check", "--stack", "orders", "--no-host", "--root", root]);
    expect(check.code).toBe(1);
    expect(check.out).toMatch(/planned by stack billing too/);

    const options = inProject(root, "orders", CLUSTER);
    const { run, thrown } = await runRefused(options, () => declareCluster());
    expect(isConfigError(thrown), String(thrown)).toBe(true);
    const message = (thrown as Error).message;
    expect(message).toMatch(/stack orders and stack billing \(.*Pulumi\.billing\.yaml\) both plan host ports (\d+, )+\d+ on host localhost, and neither is recorded/);
    expect(message).toContain("npx fluvio-ports plan --stack billing --record");
    expect(message).toMatch(/separate port ranges.*strategy: stack-hash/);
    expect(message.split("\n")).toHaveLength(2); // the heading and the one issue line
    expect(run.resources).toEqual([]);
  });

  it("once the other stack is recorded, plans around its record: no shared port, nothing refused", async () => {
    const root = makeProject({ orders: CLUSTER, billing: CLUSTER }, "claims: []\n");
    expect((await runCli(["plan", "--stack", "billing", "--record", "--root", root])).code).toBe(0);
    const recorded = readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8");
    const billingPorts = new Set([...recorded.matchAll(/: (\d{4,5})\b/g)].map((match) => Number(match[1])));
    expect(billingPorts.size).toBeGreaterThan(0);
    const run = await runUnderMocks({ ...inProject(root, "orders", CLUSTER), program: () => declareCluster() });
    const published = run.byType("docker:index/container:Container").flatMap((container) => (container.inputs.ports ?? []).map((port: { external: number }) => port.external));
    expect(published.length).toBeGreaterThan(0);
    for (const port of published) expect(billingPorts.has(port), `port ${port}`).toBe(false);
  });

  it("a stack on another machine, or with ports apart, is no conflict", async () => {
    const apart = { environment: "dev", spus: 2, ports: { public: { from: 9400, to: 9449 }, private: { from: 9450, to: 9499 }, metrics: { from: 9500, to: 9549 } } };
    for (const [stacks, what] of [
      [{ orders: CLUSTER, billing: { ...CLUSTER, host: "build-box-7.example.com" } }, "another machine"],
      [{ orders: CLUSTER, billing: apart }, "separate ranges"],
    ] as const) {
      const root = makeProject(stacks);
      const run = await runUnderMocks({ ...inProject(root, "orders", CLUSTER), program: () => declareCluster() });
      expect(run.byType("docker:index/container:Container").length, what).toBeGreaterThan(0);
    }
  });
});
