/**
 * The generated alert rules, checked by Prometheus's own `promtool`: `check rules` on every
 * shape we ship (Docker rule file, Kubernetes PrometheusRule groups, with and without critical
 * SPUs), and `test rules` on recorded series: nothing before `for:` has passed, then the port,
 * SPU and scrape alerts fire with the severity their SPU deserves, and resolve when the series
 * recover.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseClusterSpec, planCluster } from "../../src";
import { prometheusConfigYaml, prometheusRulesYaml, type AlertRule } from "../../src/plan/monitoring";
import type { ClusterPlan } from "../../src/plan/types";
import { buildKubernetesObjects } from "../../src/targets/kubernetes/build";
import { skipWithout } from "../support/promtool";

const skip = skipWithout("promtool", "test/unit/promtool.test.ts");
const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-promtool-"));

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync("promtool", args, { encoding: "utf8", cwd: dir, timeout: 30_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const dockerPlan = planCluster({ environment: "dev", spus: [{ id: 5001, critical: true }, { id: 5002 }], monitoring: { prometheus: true } }, { stack: "dev" });

describe.skipIf(skip)("promtool check", () => {
  const variants: Record<string, ClusterPlan> = {
    "Docker, one critical SPU": dockerPlan,
    "Docker, none critical": planCluster({ environment: "dev", spus: 3, monitoring: { prometheus: true } }, { stack: "dev" }),
    "Docker, all critical, 30s": planCluster({ environment: "dev", spus: 2, monitoring: { prometheus: true, critical: [5001, 5002], alertAfter: "30s" } }, { stack: "pr-1" }),
  };
  it.each(Object.entries(variants))("check rules: %s", (name, plan) => {
    const file = write(`${name.replace(/\W+/g, "-")}.yaml`, prometheusRulesYaml(plan.monitoring));
    const result = promtool("check", "rules", file);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status, result.output).toBe(0);
  });

  it("check rules: the Kubernetes PrometheusRule's groups", () => {
    const spec = parseClusterSpec({ target: "kubernetes", environment: "prod", spus: [{ id: 5001 }, { id: 5002, critical: true }], kubernetes: { serviceMonitor: true } });
    const rule = buildKubernetesObjects(planCluster(spec, { stack: "prod" }), spec).find((object) => object.kind === "PrometheusRule");
    if (rule?.kind !== "PrometheusRule") throw new Error("no PrometheusRule");
    const result = promtool("check", "rules", write("k8s.yaml", stringify({ groups: rule.spec.groups })));
    expect(result.status, result.output).toBe(0);
  });

  it("check config: the Docker Prometheus's config with its rules (and with an Alertmanager)", () => {
    const rules = write("docker-rules.yaml", prometheusRulesYaml(dockerPlan.monitoring));
    const result = promtool("check", "config", write("prometheus.yml", prometheusConfigYaml(dockerPlan.monitoring, { rulesFile: rules })));
    expect(result.status, result.output).toBe(0);
    const withAm = planCluster({ environment: "dev", spus: 1, monitoring: { prometheus: true, alertmanagers: ["alertmanager:9093"] } }, { stack: "dev" });
    const am = promtool("check", "config", write("prometheus-am.yml", prometheusConfigYaml(withAm.monitoring, { rulesFile: rules })));
    expect(am.status, am.output).toBe(0);
  });
});

/** `{{ $labels.x }}` expanded as Prometheus does for these templates (the only construct they use). */
function expand(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? "");
}

function expected(rule: AlertRule, series: Record<string, string>) {
  const labels = { ...series, ...rule.labels };
  return { exp_labels: labels, exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([key, value]) => [key, expand(value, labels)])) };
}

describe.skipIf(skip)("promtool test rules", () => {
  it("fires after `for:` with the SPU's severity, and resolves when the series recover", () => {
    const rules = dockerPlan.monitoring.rules[0]!.rules;
    const find = (alert: string, severity: string) => rules.find((rule) => rule.alert === alert && rule.labels.severity === severity)!;
    const job = dockerPlan.monitoring.job;
    const series = {
      criticalPort: { __name__: "fluvio_spu_port_up", job, spu: "5001", role: "public", instance: "e1:9201" },
      otherPort: { __name__: "fluvio_spu_port_up", job, spu: "5002", role: "private", instance: "e2:9202" },
      healthyPort: { __name__: "fluvio_spu_port_up", job, spu: "5002", role: "public", instance: "e2:9202" },
      spuDown: { __name__: "fluvio_spu_up", job, spu: "5002", instance: "e2:9202" },
      scrape: { __name__: "up", job, spu: "5001", instance: "e1:9201" },
    };
    const selector = ({ __name__, ...labels }: Record<string, string>) => `${__name__}{${Object.entries(labels).map(([key, value]) => `${key}="${value}"`).join(",")}}`;
    const plain = ({ __name__: _, ...labels }: Record<string, string>) => labels;
    // 1 at 0m, 0 from 1m to 4m, 1 again from 5m on (for: 2m: pending at 2m, firing at 3m and 4m, gone at 5m).
    const flap = "1 0 0 0 0 1 1";
    const test = {
      rule_files: [write("test-rules.yaml", prometheusRulesYaml(dockerPlan.monitoring))],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            { series: selector(series.criticalPort), values: flap },
            { series: selector(series.otherPort), values: flap },
            { series: selector(series.healthyPort), values: "1 1 1 1 1 1 1" },
            { series: selector(series.spuDown), values: flap },
            { series: selector(series.scrape), values: flap },
          ],
          alert_rule_test: [
            { eval_time: "2m", alertname: "FluvioSpuPortDown", exp_alerts: [] },
            {
              eval_time: "3m",
              alertname: "FluvioSpuPortDown",
              exp_alerts: [expected(find("FluvioSpuPortDown", "critical"), plain(series.criticalPort)), expected(find("FluvioSpuPortDown", "warning"), plain(series.otherPort))],
            },
            { eval_time: "5m", alertname: "FluvioSpuPortDown", exp_alerts: [] },
            { eval_time: "4m", alertname: "FluvioSpuDown", exp_alerts: [expected(find("FluvioSpuDown", "warning"), plain(series.spuDown))] },
            { eval_time: "4m", alertname: "FluvioSpuScrapeFailing", exp_alerts: [expected(find("FluvioSpuScrapeFailing", "critical"), plain(series.scrape))] },
            { eval_time: "6m", alertname: "FluvioSpuScrapeFailing", exp_alerts: [] },
          ],
        },
      ],
    };
    const result = promtool("test", "rules", write("test.yaml", stringify(test, { lineWidth: 0 })));
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status, result.output).toBe(0);
  });
});
