/**
 * Issue 12, part 1 in the pure core and the targets' plain data: the monitoring config, the
 * Prometheus port (planned like any other), the exporters' probe flags, the alert rules and
 * where each target puts them.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { planCluster, parseClusterSpec } from "../../src";
import { PROMETHEUS_OWNER, alertRules, prometheusConfigYaml } from "../../src/plan/monitoring";
import { recordOf } from "../../src/plan/record";
import { EMPTY_REGISTRY, withRecord } from "../../src/ports/registry";
import { composeFile, planImages } from "../../src/render/compose";
import { renderStack } from "../../src/render/stack";
import { buildDockerSpecs } from "../../src/targets/docker/spec";
import { buildKubernetesObjects } from "../../src/targets/kubernetes/build";
import { configErrorOf, issueAt } from "../support/errors";
import { makeProject } from "../support/project";

const withPrometheus = (extra: object = {}) => ({ environment: "dev", spus: 3, monitoring: { prometheus: true }, ...extra });

describe("monitoring config", () => {
  it("names each bad field, its value and the fix", () => {
    const error = configErrorOf(() =>
      parseClusterSpec({ target: "kubernetes", environment: "prod", spus: 2, metrics: { enabled: false }, monitoring: { prometheus: true, critical: [5009], alertAfter: "two minutes" } }),
    );
    expect(issueAt(error, "monitoring.alertAfter")).toMatch(/Prometheus duration/);
    const again = configErrorOf(() => parseClusterSpec({ target: "kubernetes", environment: "prod", spus: 2, metrics: { enabled: false }, monitoring: { prometheus: true, critical: [5009] } }));
    expect(issueAt(again, "monitoring.critical[0]")).toMatch(/5009 is not an SPU of this cluster \(ids: 5001, 5002\)/);
    expect(issueAt(again, "monitoring.prometheus")).toMatch(/Docker target only.*kubernetes\.serviceMonitor: true/);
    expect(again.issues.some((issue) => issue.path === "monitoring.prometheus" && /metrics\.enabled is false/.test(issue.message))).toBe(true);
  });

  it("refuses a Prometheus pin outside the metrics range, or without a Prometheus", () => {
    expect(issueAt(configErrorOf(() => parseClusterSpec(withPrometheus({ monitoring: { prometheus: true, prometheusPort: 9100 } }))), "monitoring.prometheusPort")).toMatch(
      /9100 is outside ports\.metrics 9201-9300/,
    );
    expect(issueAt(configErrorOf(() => parseClusterSpec({ environment: "dev", spus: 1, monitoring: { prometheusPort: 9250 } })), "monitoring.prometheusPort")).toMatch(/monitoring\.prometheus is false/);
  });

  it("parsing is idempotent with monitoring and critical SPUs", () => {
    const spec = parseClusterSpec(withPrometheus({ spus: [{ id: 1, critical: true }, { id: 2 }], monitoring: { prometheus: true, critical: [2], prometheusPort: 9250 } }));
    expect(parseClusterSpec(spec)).toEqual(spec);
  });
});

describe("the Docker Prometheus's port: planned like any other", () => {
  it("takes the highest free port of the metrics range (stepping around well-known 9300), listed in plan.ports and hostPorts", () => {
    const plan = planCluster(withPrometheus(), { stack: "dev" });
    const row = plan.ports.find((candidate) => candidate.owner === PROMETHEUS_OWNER);
    expect(row).toEqual({ owner: "prometheus", role: "metrics", port: 9299, source: "derived" });
    expect(plan.hostPorts).toContain(9299);
    expect(plan.monitoring.prometheus).toMatchObject({ name: "fluvio-dev-prometheus", port: 9299, address: "localhost:9299" });
    expect(new Set(plan.ports.map((candidate) => candidate.port)).size).toBe(plan.ports.length);
  });

  it("turning it on moves no SPU port, and adding SPUs does not move it", () => {
    const without = planCluster({ environment: "dev", spus: 3 }, { stack: "dev" });
    const withIt = planCluster(withPrometheus(), { stack: "dev" });
    expect(withIt.ports.filter((row) => row.owner !== PROMETHEUS_OWNER)).toEqual(without.ports);
    const bigger = planCluster(withPrometheus({ spus: 12 }), { stack: "dev" });
    expect(bigger.monitoring.prometheus?.port).toBe(withIt.monitoring.prometheus?.port);
    const hashed = planCluster(withPrometheus({ strategy: "stack-hash" }), { stack: "pr-7" });
    expect(hashed.monitoring.prometheus?.port).toBe(9299);
  });

  it("honours a pin and a record, and keeps off another stack's recorded Prometheus", () => {
    expect(planCluster(withPrometheus({ monitoring: { prometheus: true, prometheusPort: 9280 } }), { stack: "dev" }).monitoring.prometheus?.port).toBe(9280);
    const first = planCluster(withPrometheus(), { stack: "a" });
    const registry = withRecord(EMPTY_REGISTRY, recordOf(first));
    expect(recordOf(first).nodes.prometheus).toEqual({ metrics: 9299 });
    expect(planCluster(withPrometheus(), { stack: "a", registry }).ports.find((row) => row.owner === PROMETHEUS_OWNER)?.source).toBe("recorded");
    expect(planCluster(withPrometheus(), { stack: "b", registry }).monitoring.prometheus?.port).toBe(9298);
  });

  it("is a ConfigError naming the pin when an SPU already has the port", () => {
    const error = configErrorOf(() => planCluster(withPrometheus({ monitoring: { prometheus: true, prometheusPort: 9201 } }), { stack: "dev" }));
    expect(issueAt(error, "monitoring.prometheusPort")).toMatch(/9201 already went to SPU 5001 metrics/);
  });
});

describe("the exporters' port probes", () => {
  it("Docker: the SPU's alias on the cluster network, public and private ports; Kubernetes: the pod's loopback", () => {
    const docker = planCluster(withPrometheus(), { stack: "dev" }).spus[0]!;
    expect(docker.exporterCommand!.slice(-4)).toEqual(["--probe", `public=${docker.host}:${docker.ports.public}`, "--probe", `private=${docker.host}:${docker.ports.private}`]);
    const k8s = planCluster({ target: "kubernetes", environment: "prod", spus: 1, kubernetes: { serviceMonitor: true } }, { stack: "prod" }).spus[0]!;
    expect(k8s.exporterCommand!.slice(-4)).toEqual(["--probe", `public=127.0.0.1:${k8s.ports.public}`, "--probe", `private=127.0.0.1:${k8s.ports.private}`]);
  });

  it("are off, with the rules, when no Prometheus or ServiceMonitor is configured (monitoring.alerts turns them on alone)", () => {
    const plain = planCluster({ environment: "dev", spus: 1 }, { stack: "dev" });
    expect(plain.spus[0]!.exporterCommand).not.toContain("--probe");
    expect(plain.monitoring).toMatchObject({ alerts: false, rules: [], prometheus: null });
    const alerts = planCluster({ environment: "dev", spus: 1, monitoring: { alerts: true } }, { stack: "dev" });
    expect(alerts.spus[0]!.exporterCommand).toContain("--probe");
    expect(alerts.monitoring.rules[0]!.rules.map((rule) => rule.alert)).toEqual(["FluvioSpuDown", "FluvioSpuPortDown", "FluvioSpuScrapeFailing"]);
  });
});

describe("alert rules", () => {
  const inputs = { job: "fluvio-dev", stack: "dev", cluster: "fluvio-dev", spuIds: [5001, 5002, 5003], alertAfter: "2m" };

  it("one warning rule per condition when no SPU is critical", () => {
    const [group] = alertRules({ ...inputs, critical: [] });
    expect(group!.rules.map((rule) => [rule.alert, rule.expr, rule.labels.severity])).toEqual([
      ["FluvioSpuDown", 'fluvio_spu_up{job="fluvio-dev"} == 0', "warning"],
      ["FluvioSpuPortDown", 'fluvio_spu_port_up{job="fluvio-dev"} == 0', "warning"],
      ["FluvioSpuScrapeFailing", 'up{job="fluvio-dev"} == 0', "warning"],
    ]);
    expect(group!.rules.every((rule) => rule.for === "2m")).toBe(true);
  });

  it("critical SPUs (spus[].critical and monitoring.critical) page at severity critical, the rest warn", () => {
    const plan = planCluster(withPrometheus({ spus: [{ id: 5001, critical: true }, { id: 5002 }, { id: 5003 }], monitoring: { prometheus: true, critical: [5003] } }), { stack: "dev" });
    expect(plan.monitoring.critical).toEqual([5001, 5003]);
    const ports = plan.monitoring.rules[0]!.rules.filter((rule) => rule.alert === "FluvioSpuPortDown");
    expect(ports.map((rule) => [rule.expr, rule.labels.severity])).toEqual([
      ['fluvio_spu_port_up{job="fluvio-dev",spu=~"5001|5003"} == 0', "critical"],
      ['fluvio_spu_port_up{job="fluvio-dev",spu!~"5001|5003"} == 0', "warning"],
    ]);
    const allCritical = alertRules({ ...inputs, critical: [5001, 5002, 5003] });
    expect(allCritical[0]!.rules.map((rule) => rule.labels.severity)).toEqual(["critical", "critical", "critical"]);
  });
});

describe("where the targets put monitoring", () => {
  it("Docker: a Prometheus container on the cluster network with its config and the rules, scraping every exporter alias", () => {
    const spec = parseClusterSpec(withPrometheus());
    const plan = planCluster(spec, { stack: "dev" });
    const docker = buildDockerSpecs(plan);
    const prometheus = docker.containers.find((container) => container.role === "prometheus")!;
    expect(prometheus).toMatchObject({ name: "fluvio-dev-prometheus", image: "prometheus", ports: [{ internal: 9299, external: 9299, ip: "127.0.0.1" }] });
    expect(prometheus.command).toContain("--web.listen-address=0.0.0.0:9299");
    const config = parse(prometheus.configFiles!.find((file) => file.path === "/etc/prometheus/prometheus.yml")!.content);
    const exporters = docker.containers.filter((container) => container.role === "exporter");
    expect(config.scrape_configs[0].static_configs.map((entry: { targets: string[] }) => entry.targets[0])).toEqual(
      exporters.map((exporter) => `${exporter.networks[0]!.aliases[0]}:${plan.spus.find((spu) => exporter.key === `exporter-${spu.id}`)!.ports.metrics}`),
    );
    const compose = composeFile(docker, planImages(plan)).services.prometheus!;
    expect(compose.image).toBe("prom/prometheus:v2.53.1");
    expect(compose.volumes).toEqual([
      { type: "bind", source: "./prometheus.yml", target: "/etc/prometheus/prometheus.yml", read_only: true },
      { type: "bind", source: "./prometheus-rules.yaml", target: "/etc/prometheus/fluvio-spu-rules.yaml", read_only: true },
    ]);
  });

  it("render writes prometheus-rules.yaml and prometheus.yml beside the Compose file", () => {
    const root = makeProject({ mon: withPrometheus() });
    const out = mkdtempSync(join(tmpdir(), "fluvio-spu-render-mon-"));
    const rendered = renderStack(root, "mon", out);
    expect(rendered.paths.map((path) => path.slice(out.length + 1))).toEqual(["docker-compose.yaml", "plan.json", "client-profile.toml", "container-client-profile.toml", "prometheus-rules.yaml", "prometheus.yml"]);
    expect(parse(readFileSync(join(out, "prometheus-rules.yaml"), "utf8")).groups[0].rules).toHaveLength(3);
  });

  it("Kubernetes: a PrometheusRule beside the ServiceMonitor, whose job and spu labels the rules select by", () => {
    const spec = parseClusterSpec({ target: "kubernetes", environment: "prod", spus: [{ id: 5001, critical: true }, { id: 5002 }], kubernetes: { serviceMonitor: true } });
    const plan = planCluster(spec, { stack: "prod" });
    const objects = buildKubernetesObjects(plan, spec);
    const rule = objects.find((object) => object.kind === "PrometheusRule");
    expect(rule).toMatchObject({ apiVersion: "monitoring.coreos.com/v1", metadata: { name: "fluvio-prod-alerts", namespace: "fluvio" } });
    expect(rule!.kind === "PrometheusRule" && rule!.spec.groups).toEqual(plan.monitoring.rules);
    const monitor = objects.find((object) => object.kind === "ServiceMonitor");
    if (monitor?.kind !== "ServiceMonitor") throw new Error("no ServiceMonitor");
    const internal = objects.find((object) => object.kind === "Service" && object.metadata.name === "fluvio-prod-spu-5001-internal")!;
    expect(internal.metadata.labels[monitor.spec.jobLabel!]).toBe(plan.monitoring.job);
    expect(monitor.spec.endpoints[0]).toMatchObject({ honorLabels: true, relabelings: [{ sourceLabels: ["__meta_kubernetes_service_label_fluvio_spu_node"], targetLabel: "spu" }] });
    expect(new RegExp(`^${monitor.spec.endpoints[0]!.relabelings![0]!.regex}$`).exec(internal.metadata.labels["fluvio-spu.node"]!)?.[1]).toBe("5001");
  });

  it("sends alerts to the configured Alertmanagers, none by default", () => {
    const without = parse(prometheusConfigYaml(planCluster(withPrometheus({ spus: 1 }), { stack: "dev" }).monitoring));
    expect(without.alerting).toBeUndefined();
    const plan = planCluster(withPrometheus({ spus: 1, monitoring: { prometheus: true, alertmanagers: ["alertmanager:9093"] } }), { stack: "dev" });
    expect(parse(prometheusConfigYaml(plan.monitoring)).alerting).toEqual({ alertmanagers: [{ static_configs: [{ targets: ["alertmanager:9093"] }] }] });
    expect(issueAt(configErrorOf(() => parseClusterSpec({ environment: "dev", spus: 1, monitoring: { alertmanagers: ["am:9093"] } })), "monitoring.alertmanagers")).toMatch(/monitoring\.prometheus is false/);
    expect(issueAt(configErrorOf(() => parseClusterSpec(withPrometheus({ monitoring: { prometheus: true, alertmanagers: ["http://am:9093"] } }))), "monitoring.alertmanagers[0]")).toMatch(/host:port/);
  });

  it("the Prometheus config lets tests point it elsewhere", () => {
    const plan = planCluster(withPrometheus({ spus: 1 }), { stack: "dev" });
    const text = prometheusConfigYaml(plan.monitoring, { rulesFile: "/tmp/rules.yaml", targets: [{ spu: 5001, address: "127.0.0.1:1234" }], scrapeInterval: "1s" });
    expect(parse(text)).toMatchObject({ global: { scrape_interval: "1s", evaluation_interval: "1s" }, rule_files: ["/tmp/rules.yaml"] });
  });
});
