import { LABELS } from "../../plan/layout";
import type { ClusterPlan, SpuPlan } from "../../plan/types";
import type { StringMap } from "./model";

/** What a labelled object is part of: the SC, one SPU, or the cluster as a whole (CRDs, namespace, policies). */
export type Component = "sc" | "spu" | "cluster";

/** Kubernetes' recommended label keys (`app.kubernetes.io/*`). */
export const APP_LABELS = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  managedBy: "app.kubernetes.io/managed-by",
} as const;

/** `public` or `internal`: tells an SPU's two Services apart (the ServiceMonitor selects the internal ones). */
export const EXPOSURE_LABEL = "fluvio-spu.exposure";

/** The application every pod runs. */
const APP_NAME = "fluvio";
const MANAGED_BY = "pulumi";

/**
 * The labels of every object of one component: the recommended `app.kubernetes.io/*` set
 * plus the project's own keys (`LABELS`), which preflight and users select by.
 * `instance` is the plan's `namePrefix`, unique per cluster and stack.
 */
export function componentLabels(plan: ClusterPlan, component: Component, node?: string): StringMap {
  return {
    [APP_LABELS.name]: APP_NAME,
    [APP_LABELS.instance]: plan.namePrefix,
    [APP_LABELS.component]: component,
    [APP_LABELS.partOf]: plan.project,
    [APP_LABELS.managedBy]: MANAGED_BY,
    [LABELS.cluster]: plan.namePrefix,
    [LABELS.stack]: plan.stack,
    ...(node !== undefined ? { [LABELS.node]: node } : {}),
  };
}

/** The node key of an SPU in labels (`spu-<id>`), as `LABELS.node` documents. */
export function spuNode(spu: SpuPlan): string {
  return `spu-${spu.id}`;
}

/** The SC pod's labels, and the Services' selector for it. */
export function scSelector(plan: ClusterPlan): StringMap {
  return { [APP_LABELS.instance]: plan.namePrefix, [APP_LABELS.component]: "sc", [LABELS.node]: "sc" };
}

/** One SPU pod's selector: instance, component and the SPU's node key (never another SPU's pod). */
export function spuSelector(plan: ClusterPlan, spu: SpuPlan): StringMap {
  return { [APP_LABELS.instance]: plan.namePrefix, [APP_LABELS.component]: "spu", [LABELS.node]: spuNode(spu) };
}

/** Every pod of this cluster (SC and SPUs): who may reach the private ports. */
export function clusterPodSelector(plan: ClusterPlan): StringMap {
  return { [APP_LABELS.instance]: plan.namePrefix, [APP_LABELS.partOf]: plan.project };
}
