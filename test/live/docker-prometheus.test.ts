/**
 * The Docker target's Prometheus on a real engine (issue 12, part 1): a two-SPU stack with
 * `monitoring.prometheus` applied by the live tier's engine adapter (the very Docker spec the
 * Pulumi target creates) with stand-in images — the SPU stand-in, the exporter image, and a
 * Prometheus image holding Debian's `prometheus` binary (registry pulls are impossible here) —
 * then: Prometheus, on its planned port on loopback, scrapes every exporter by its alias on the
 * cluster network, the exporters' probes reach their SPUs' ports by alias, and stopping the
 * critical SPU fires FluvioSpuPortDown at severity critical, which resolves when it starts again.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseClusterSpec } from "../../src/config/schema";
import { planCluster } from "../../src/plan/plan";
import type { ClusterPlan } from "../../src/plan/types";
import { bridgeGatewayAddress, buildDockerSpecs } from "../../src/targets/docker";
import { docker, skipLiveTier } from "../support/docker";
import { buildExporterImage } from "../support/exporter-image";
import { binaryPath, skipWithout } from "../support/promtool";
import { applyCluster, bridgeIpam, removeEverything } from "./support/engine";
import { buildStandInImage } from "./support/images";

const NAME = "fluvio-spu-promdocker-test";
const PROMETHEUS_IMAGE = "fluvio-spu-test/prometheus:debian";
const skip = skipLiveTier("test/live/docker-prometheus.test.ts") || skipWithout("prometheus", "test/live/docker-prometheus.test.ts");
const DEADLINE_MS = 60_000;

/** The stand-in base (node and its libc) plus Debian's prometheus binary as the entrypoint, as prom/prometheus has it. */
function buildPrometheusImage(base: string): string {
  const builder = docker(["create", base]);
  try {
    docker(["cp", binaryPath("prometheus") as string, `${builder}:/bin/prometheus`]);
    docker(["commit", "--change", 'ENTRYPOINT ["/bin/prometheus"]', "--change", "CMD []", builder, PROMETHEUS_IMAGE]);
  } finally {
    docker(["rm", "-f", builder]);
  }
  return PROMETHEUS_IMAGE;
}

interface Alert {
  labels: Record<string, string>;
  state: string;
}

async function api<T>(base: string, path: string): Promise<T> {
  const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) });
  return ((await response.json()) as { data: T }).data;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < DEADLINE_MS) {
    if (await check().catch(() => false)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what}: not within ${DEADLINE_MS} ms`);
}

describe.skipIf(skip)("the Docker target's Prometheus on a real engine", () => {
  let plan: ClusterPlan;
  let base = "";

  beforeAll(async () => {
    await removeEverything(NAME);
    const image = buildStandInImage();
    const spec = parseClusterSpec({
      name: NAME,
      target: "docker",
      ports: { public: "19700-19709", private: "19710-19719", metrics: "19720-19729" },
      spus: [{ id: 5001, critical: true }, { id: 5002 }],
      monitoring: { prometheus: true, alertAfter: "3s", scrapeInterval: "1s" },
    });
    plan = planCluster(spec, { stack: "live" });
    const hostGateway = bridgeGatewayAddress(await bridgeIpam()) as string;
    const applied = await applyCluster(buildDockerSpecs(plan), {
      images: { fluvio: image, cli: image, exporter: buildExporterImage(), prometheus: buildPrometheusImage("fluvio-spu-docker-test-stand-in-base:latest") },
      hostGateway,
    });
    // Two registration jobs and the sync job, each exited 0.
    expect(applied.jobs.map((job) => job.exitCode)).toEqual([0, 0, 0]);
    base = `http://127.0.0.1:${plan.monitoring.prometheus!.port}`;
  }, 240_000);

  afterAll(async () => {
    await removeEverything(NAME);
  });

  it("scrapes every exporter by its alias, and every probe reaches its SPU's port by alias", async () => {
    expect(plan.monitoring.prometheus!.port).toBe(19729);
    await waitFor("both exporters up, all four ports answering", async () => {
      const up = await api<{ result: { value: [number, string] }[] }>(base, `/api/v1/query?query=${encodeURIComponent(`sum(up{job="${plan.monitoring.job}"})`)}`);
      const ports = await api<{ result: { value: [number, string] }[] }>(base, `/api/v1/query?query=${encodeURIComponent(`sum(fluvio_spu_port_up{job="${plan.monitoring.job}"})`)}`);
      return up.result[0]?.value[1] === "2" && ports.result[0]?.value[1] === "4";
    });
    expect((await api<{ alerts: Alert[] }>(base, "/api/v1/alerts")).alerts).toEqual([]);
  }, DEADLINE_MS + 10_000);

  it("fires FluvioSpuPortDown (critical) for both ports of a stopped critical SPU, and resolves when it is back", async () => {
    const spu = plan.spus.find((candidate) => candidate.id === 5001)!;
    const portDown = (alert: Alert) => alert.labels.alertname === "FluvioSpuPortDown" && alert.labels.spu === "5001";
    expect(spawnSync("docker", ["stop", "-t", "1", spu.host], { encoding: "utf8" }).status).toBe(0);
    const fired = await waitFor("FluvioSpuPortDown firing for both ports", async () => {
      const alerts = (await api<{ alerts: Alert[] }>(base, "/api/v1/alerts")).alerts.filter((alert) => portDown(alert) && alert.state === "firing");
      return alerts.length === 2 && alerts.every((alert) => alert.labels.severity === "critical");
    });
    expect(spawnSync("docker", ["start", spu.host], { encoding: "utf8" }).status).toBe(0);
    const resolved = await waitFor("FluvioSpuPortDown resolved", async () => !(await api<{ alerts: Alert[] }>(base, "/api/v1/alerts")).alerts.some(portDown));
    console.info(`Docker Prometheus: FluvioSpuPortDown fired ${(fired / 1000).toFixed(1)} s after docker stop (for: 3s, 1 s scrapes), resolved ${(resolved / 1000).toFixed(1)} s after docker start`);
  }, 2 * DEADLINE_MS + 10_000);
});
