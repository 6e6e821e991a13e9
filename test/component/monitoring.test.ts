/**
 * Issue 12 through the Pulumi Docker target under mocks: the Prometheus container with its
 * uploaded config and rules, its planned port on loopback, and the engine's answer (passed as
 * `hostFacts`) deciding the extra hosts and publish addresses of every container.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SpuCluster } from "../../src/component";
import { hostFactsOf } from "../../src/preflight/host-facts";
import { runUnderMocks, type MockRun, type RecordedResource } from "../support/pulumi";

const CONTAINER = "docker:index/container:Container";

function containers(run: MockRun): Map<string, RecordedResource> {
  return new Map(run.byType(CONTAINER).map((resource) => [resource.inputs.name as string, resource]));
}

describe("SpuCluster with monitoring on Docker", () => {
  it("creates a Prometheus container on the cluster network, its config and rules uploaded, its planned port on loopback", async () => {
    const run = await runUnderMocks({
      stack: "dev",
      stackFile: false,
      program: () => new SpuCluster("fluvio", { environment: "dev", spus: [{ id: 5001, critical: true }, { id: 5002 }], monitoring: { prometheus: true }, preflight: false }),
    });
    const prometheus = containers(run).get("fluvio-dev-prometheus");
    expect(prometheus).toBeDefined();
    expect(prometheus!.inputs.image).toBe("prom/prometheus:v2.53.1");
    expect(prometheus!.inputs.ports).toEqual([{ internal: 9299, external: 9299, ip: "127.0.0.1", protocol: "tcp" }]);
    const uploads = prometheus!.inputs.uploads as { file: string; content: string }[];
    const config = parse(uploads.find((upload) => upload.file === "/etc/prometheus/prometheus.yml")!.content);
    expect(config.rule_files).toEqual(["/etc/prometheus/fluvio-spu-rules.yaml"]);
    const rules = parse(uploads.find((upload) => upload.file === "/etc/prometheus/fluvio-spu-rules.yaml")!.content);
    expect(rules.groups[0].rules.filter((rule: { labels: { severity: string } }) => rule.labels.severity === "critical")).toHaveLength(3);
    const exporter = containers(run).get("fluvio-dev-spu-5001-exporter")!;
    expect(exporter.inputs.command).toEqual(expect.arrayContaining(["--probe", "public=fluvio-dev-spu-5001:9007"]));
  });

  it("takes the platform from hostFacts: Docker Desktop gets no extra host and loopback-only ports", async () => {
    const raw = JSON.parse(readFileSync(join(__dirname, "../fixtures/engines/docker-desktop.json"), "utf8")) as { info: unknown; version: unknown };
    const run = await runUnderMocks({
      stack: "dev",
      stackFile: false,
      program: () => new SpuCluster("fluvio", { environment: "dev", spus: 1, preflight: false, hostFacts: { ok: true, facts: hostFactsOf(raw.info, raw.version) } }),
    });
    for (const resource of containers(run).values()) {
      expect(resource.inputs.hosts ?? []).toEqual([]);
      for (const port of (resource.inputs.ports ?? []) as { ip: string }[]) expect(port.ip).toBe("127.0.0.1");
    }
  });
});
