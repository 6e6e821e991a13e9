import type { ClusterPlan, KubernetesPlan } from "../../plan/types";
import { objectNameIssues } from "./checks";
import { fluvioCrds } from "./crds";
import { componentLabels, EXPOSURE_LABEL, APP_LABELS } from "./labels";
import type { ClusterObject, Namespace, PrometheusRule, Secret, ServiceMonitor } from "./model";
import { LABELS } from "../../plan/layout";
import { tlsFileKeys, tlsVolume } from "./pods";
import { scDeployment, scNetworkPolicy, scRbac, scServices } from "./sc";
import { METRICS_PATH, spuObjects } from "./spu";

/** Choices about the emitted objects that only a program makes. */
export interface BuildOptions {
  /** Emit the plan's Namespace, overriding the plan's `kubernetes.createNamespace`. */
  createNamespace?: boolean;
  /** Image names in the pod templates; default: the plan's `images`. */
  images?: { fluvio: string; exporter: string };
}

/** Whether the Namespace object is emitted for this plan. */
export function createsNamespace(plan: ClusterPlan, options: BuildOptions = {}): boolean {
  return options.createNamespace ?? kubernetesPlanOf(plan).createNamespace;
}

/** The plan's Kubernetes decisions; a plan for another target here is a bug in the caller. */
function kubernetesPlanOf(plan: ClusterPlan): KubernetesPlan {
  if (plan.kubernetes === null) throw new Error(`buildKubernetesObjects needs a plan for target kubernetes; this one is for ${plan.target}`);
  return plan.kubernetes;
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
 * data here (secrets are never plain data); the deploying edge adds it. Reads the plan alone:
 * every setting and name was validated when the plan was made (an object name Kubernetes would
 * still reject is a bug, reported as one).
 */
export function buildKubernetesObjects(plan: ClusterPlan, options: BuildOptions = {}): ClusterObject[] {
  const kubernetes = kubernetesPlanOf(plan);
  const images = options.images ?? { fluvio: plan.images.fluvio, exporter: plan.images.exporter };
  const tlsKeys = tlsFileKeys(plan);
  const tls = tlsVolume(tlsSecretName(plan), tlsKeys);
  const sc = { plan, internalServiceName: plan.sc.internalHost as string, image: images.fluvio, tls };
  const storage = { ...kubernetes.storage };

  const objects: ClusterObject[] = [
    ...(createsNamespace(plan, options) ? [namespaceObject(plan)] : []),
    ...(kubernetes.installCrds ? fluvioCrds(plan) : []),
    ...scRbac(plan),
    ...(tlsKeys.length > 0 ? [tlsSecretShell(plan)] : []),
    ...scServices(sc),
    scNetworkPolicy(plan),
    scDeployment(sc),
    ...plan.spus.flatMap((spu) => spuObjects({ plan, spu, internalServiceName: spu.internalHost as string, images, storage, tls })),
    ...(kubernetes.serviceMonitor ? [serviceMonitor(plan), ...prometheusRule(plan)] : []),
  ];
  const nameProblems = objectNameIssues(plan, objects);
  if (nameProblems.length > 0) throw new Error(`the plan admitted names Kubernetes rejects (a bug): ${nameProblems.map((issue) => issue.message).join("; ")}`);
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
