/**
 * The monitoring files `render` writes beside the manifest: the alert rules
 * (`prometheus-rules.yaml`, for `promtool` and any Prometheus) whenever the stack ships alerts
 * (`monitoring.alerts`; on Kubernetes the `PrometheusRule` holds the same groups), and the
 * Docker Prometheus's config. Pure.
 */
import { PROMETHEUS_FILES, prometheusConfigYaml, prometheusRulesYaml } from "../plan/monitoring";
import type { ClusterPlan } from "../plan/types";

/** One file to write beside the manifest. */
export interface MonitoringFile {
  file: string;
  text: string;
}

/** The files, in the order they are written: the rules (with `monitoring.alerts`), then the Prometheus config (Docker). */
export function monitoringFiles(plan: ClusterPlan): MonitoringFile[] {
  return [
    ...(plan.monitoring.alerts ? [{ file: PROMETHEUS_FILES.rules, text: prometheusRulesYaml(plan.monitoring) }] : []),
    ...(plan.monitoring.prometheus ? [{ file: PROMETHEUS_FILES.config, text: prometheusConfigYaml(plan.monitoring) }] : []),
  ];
}
