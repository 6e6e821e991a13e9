/**
 * `strategy: isolated` on this host (issue 12, part 3): `fluvio-ports plan` plans around a live
 * listener and around the project's other (recorded) stack, `--record` keeps what it chose, and
 * the record holds once the listener is gone (the stack keeps its ports for as long as it lives).
 */
import { createServer, type Server } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { planCluster } from "../../src/plan/plan";
import type { ClusterPlan } from "../../src/plan/types";
import { runCli } from "../support/cli";
import { makeProject } from "../support/project";

const cluster = { environment: "dev", ports: { public: "19400-19419", private: "19420-19439", metrics: "19440-19459" }, strategy: "isolated", spus: 3 };

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

async function planJson(root: string, stack: string, ...extra: string[]): Promise<ClusterPlan> {
  const result = await runCli(["plan", "--stack", stack, "--format", "json", "--root", root, ...extra]);
  expect(result.code, result.err).toBe(0);
  return JSON.parse(result.out) as ClusterPlan;
}

describe("strategy: isolated, planned by fluvio-ports on this host", () => {
  let listener: Server | undefined;
  afterAll(() => listener?.close());

  it("steps around a live listener and the other stack, records, and keeps its ports when the listener is gone", async () => {
    const root = makeProject({ "pr-1": cluster, "pr-2": cluster });
    const blind = planCluster(cluster, { stack: "pr-2", occupied: [] });
    const wanted = blind.spus[0]!.ports.public;
    listener = await listen(wanted);

    // The first PR stack records what it chose (as CI does when it creates the stack).
    const other = await planJson(root, "pr-1", "--record");
    const planned = await planJson(root, "pr-2");
    const ports = planned.ports.map((row) => row.port);
    expect(ports).not.toContain(wanted);
    expect(ports.filter((port) => other.ports.some((row) => row.port === port))).toEqual([]);

    const recorded = await planJson(root, "pr-2", "--record");
    expect(recorded.ports).toEqual(planned.ports);
    listener.close();
    listener = undefined;
    const later = await planJson(root, "pr-2");
    expect(later.ports.map((row) => [row.owner, row.role, row.port])).toEqual(planned.ports.map((row) => [row.owner, row.role, row.port]));
    expect(later.ports.every((row) => row.source === "recorded")).toBe(true);
  });
});
