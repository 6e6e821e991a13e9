import { ConfigError } from "../../config/errors";
import type { ClusterSpec } from "../../config/schema";
import { nodeNames } from "../../plan/names";
import type { ClusterPlan } from "../../plan/types";
import { objectNameIssues, specIssues } from "./checks";
import { fluvioCrds } from "./crds";
import { componentLabels, EXPOSURE_LABEL, APP_LABELS } from "./labels";
import type { ClusterObject, Namespace, PrometheusRule, Secret, ServiceMonitor } from "./model";
import { LABELS } from "../../plan/layout";
import { tlsFileKeys, tlsVolume } from "./pods";
import { scDeployment, scNetworkPolicy, scRbac, scServices } from "./sc";
import { METRICS_PATH, spuObjects } from "./spu";

/** Namespaces Kubernetes creates and owns itself: the target deploys into them but never creates them. */
export const KUBERNETES_OWNED_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Choices about the emitted objects that are not part of the cluster config. */
export interface BuildOptions {
  /**
   * Emit the plan's Namespace, overriding the config's `kubernetes.createNamespace`. Default:
   * the config's choice, else yes unless it is one Kubernetes owns (`KUBERNETES_OWNED_NAMESPACES`).
   */
  createNamespace?: boolean;
  /** Image names in the pod templates; default: the spec's `images`. */
  images?: { fluvio: string; exporter: string };
}

/** Whether the Namespace object is emitted for this plan. */
export function createsNamespace(plan: ClusterPlan, spec: ClusterSpec, options: BuildOptions): boolean {
  return options.createNamespace ?? spec.kubernetes.createNamespace ?? !KUBERNETES_OWNED_NAMESPACES.includes(plan.namespace as string);
}

/** The name of the Secret holding the TLS files. */
export function tlsSecretName(plan: ClusterPlan): string {
  return `${plan.namePrefix}-tls`;
}

/**
 * Every Kubernetes object of the cluster as plain data, in a stable order: Namespace, CRDs,
 * the SC's RBAC, the TLS Secret, the SC's Services, policy and Deployment, then per SPU (by
 * id) its StatefulSet, Services, policy and `Spu` resource, and the ServiceMonitor. Every port
 * is read from the plan. Pure: the same plan gives the same objects. The TLS Secret carries no
 * data here (secrets are never plain data); the deploying edge adds it. Throws `ConfigError`
 * for settings that do not fit together and for names Kubernetes would reject.
 */
export function buildKubernetesObjects(plan: ClusterPlan, spec: ClusterSpec, options: BuildOptions = {}): ClusterObject[] {
  if (plan.target !== "kubernetes" || plan.namespace === null) {
    throw new Error(`buildKubernetesObjects needs a plan for target kubernetes; this one is for ${plan.target}`);
  }
  const specProblems = specIssues(spec);
  if (specProblems.length > 0) throw new ConfigError(specProblems);

  const names = nodeNames(spec, plan.stack);
  const images = options.images ?? { fluvio: spec.images.fluvio, exporter: spec.images.exporter };
  const tlsKeys = tlsFileKeys(plan, spec.tls.clientAuth);
  const tls = tlsVolume(tlsSecretName(plan), tlsKeys);
  const sc = { plan, internalServiceName: names.scInternal, image: images.fluvio, tls };
  const storage = { size: spec.kubernetes.storageSize, ...(spec.kubernetes.storageClass !== undefined ? { className: spec.kubernetes.storageClass } : {}) };

  const objects: ClusterObject[] = [
    ...(createsNamespace(plan, spec, options) ? [namespaceObject(plan)] : []),
    ...(spec.kubernetes.installCrds ? fluvioCrds(plan) : []),
    ...scRbac(plan),
    ...(tlsKeys.length > 0 ? [tlsSecretShell(plan)] : []),
    ...scServices(sc),
    scNetworkPolicy(plan),
    scDeployment(sc),
    ...plan.spus.flatMap((spu) => spuObjects({ plan, spu, internalServiceName: names.spuInternal(spu.id), images, storage, tls })),
    ...(spec.kubernetes.serviceMonitor ? [serviceMonitor(plan), ...prometheusRule(plan)] : []),
  ];
  const nameProblems = objectNameIssues(plan, objects);
  if (nameProblems.length > 0) throw new ConfigError(nameProblems);
  return objects;
}

function namespaceObject(plan: ClusterPlan): Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: plan.namespace as string, labels: componentLabels(plan, "cluster") } };
}

/** The TLS Secret without its data (see `buildKubernetesObjects`). */
function tlsSecretShell(plan: ClusterPlan): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: tlsSecretName(plan), namespace: plan.namespace as string, labels: componentLabels(plan, "cluster") },
    type: "Opaque",
  };
}

/** One ServiceMonitor for all SPUs of the cluster: their internal Services' `metrics` port. */
function serviceMonitor(plan: ClusterPlan): ServiceMonitor {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: `${plan.namePrefix}-spus`, namespace: plan.namespace as string, labels: componentLabels(plan, "spu") },
    spec: {
      selector: { matchLabels: { [APP_LABELS.instance]: plan.namePrefix, [APP_LABELS.component]: "spu", [EXPOSURE_LABEL]: "internal" } },
      namespaceSelector: { matchNames: [plan.namespace as string] },
      jobLabel: APP_LABELS.instance,
      endpoints: [
        {
          port: "metrics",
          path: METRICS_PATH,
          interval: "30s",
          honorLabels: true,
          relabelings: [{ sourceLabels: [metaLabel(LABELS.node)], regex: "spu-(.+)", targetLabel: "spu", replacement: "$1", action: "replace" }],
        },
      ],
    },
  };
}

/** The Prometheus service-discovery name of a Service label (`fluvio-spu.node` → `__meta_kubernetes_service_label_fluvio_spu_node`). */
function metaLabel(label: string): string {
  return `__meta_kubernetes_service_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

/**
 * The plan's alert rules as a `PrometheusRule` beside the ServiceMonitor (the operator picks it up
 * by its rule selector; label the namespace or the object as your Prometheus expects). The
 * ServiceMonitor's `jobLabel` makes `job` the plan's `monitoring.job`, which the rules select.
 */
function prometheusRule(plan: ClusterPlan): PrometheusRule[] {
  if (plan.monitoring.rules.length === 0) return [];
  return [
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: `${plan.namePrefix}-alerts`, namespace: plan.namespace as string, labels: componentLabels(plan, "spu") },
      spec: { groups: plan.monitoring.rules.map((group) => ({ name: group.name, rules: group.rules.map((rule) => ({ ...rule, labels: { ...rule.labels }, annotations: { ...rule.annotations } })) })) },
    },
  ];
}
