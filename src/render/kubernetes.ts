/**
 * The Kubernetes target as a file: the very objects `buildKubernetesObjects` gives the Pulumi
 * target, one YAML document each, ready for `kubectl apply -f`. Nothing is mapped here; only
 * ordered, written, and explained in a header.
 */
import type { ClusterPlan } from "../plan/types";
import { buildKubernetesObjects, tlsSecretName, type BuildOptions } from "../targets/kubernetes/build";
import type { ClusterObject } from "../targets/kubernetes/model";
import { TLS_FILES, tlsFileKeys } from "../targets/kubernetes/pods";
import { PKCS8_CONVERT_COMMAND } from "../config/pem";
import { toYaml, yamlComment } from "./yaml";

/** Choices about the rendered objects that are not in the plan (those of the Pulumi target). */
export type RenderKubernetesOptions = BuildOptions;

/**
 * What to render: every object but the TLS Secret. Its data are secrets, which are never
 * written to a file; an empty Secret applied with the rest would also wipe the data of one
 * created by hand on the next `kubectl apply`. The file's header says how to create it.
 */
export function renderedObjects(plan: ClusterPlan, options: RenderKubernetesOptions = {}): ClusterObject[] {
  const objects = buildKubernetesObjects(plan, options).filter((object) => object.kind !== "Secret");
  return stableSort(objects, applyRank);
}

/** Namespace first, then CRDs (what the rest lives in or is), then everything in build order. */
function applyRank(object: ClusterObject): number {
  if (object.kind === "Namespace") return 0;
  if (object.kind === "CustomResourceDefinition") return 1;
  return 2;
}

function stableSort<T>(items: readonly T[], rank: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index)
    .map(({ item }) => item);
}

/**
 * The cluster as Kubernetes YAML: a header, then one document per object (`---` separated),
 * Namespace and CRDs first, in a stable order. Pure.
 */
export function renderKubernetes(plan: ClusterPlan, options: RenderKubernetesOptions = {}): string {
  const objects = renderedObjects(plan, options);
  const documents = objects.map((object) => `---\n${toYaml(object)}`);
  return `${yamlComment(kubernetesHeader(plan, objects))}${documents.join("")}`;
}

function kubernetesHeader(plan: ClusterPlan, objects: readonly ClusterObject[]): string[] {
  const namespace = plan.namespace as string;
  const installsCrds = objects.some((object) => object.kind === "CustomResourceDefinition");
  return [
    `Fluvio cluster ${plan.cluster}, stack ${plan.stack}: rendered by \`fluvio-ports render --stack ${plan.stack}\`.`,
    `The same objects the Pulumi Kubernetes target creates, every port from the stack's plan (plan.json).`,
    `Do not edit: change the stack config and render again.`,
    ``,
    `Apply:  kubectl apply -f kubernetes.yaml`,
    ...(installsCrds
      ? [
          `The file installs Fluvio's CRDs and uses them; if kubectl answers "no matches for kind Spu",`,
          `the CRDs were not established yet: kubectl wait --for condition=established crd --all, then apply again.`,
        ]
      : []),
    ...tlsSecretInstructions(plan, namespace),
  ];
}

/** How to create the TLS Secret the pods mount, which this file leaves out (see `renderedObjects`). */
function tlsSecretInstructions(plan: ClusterPlan, namespace: string): string[] {
  const keys = tlsFileKeys(plan);
  if (keys.length === 0) return [];
  const fromFiles = keys.map((key) => `--from-file=${TLS_FILES[key]}=<path to ${TLS_FILES[key]}>`).join(" ");
  return [
    ``,
    `TLS: the pods mount Secret ${tlsSecretName(plan)} (keys ${keys.map((key) => TLS_FILES[key]).join(", ")}), which is NOT in this file:`,
    `certificates and keys are secrets and are never rendered. Create it before applying, from your PEM files:`,
    `  kubectl create namespace ${namespace} --dry-run=client -o yaml | kubectl apply -f -`,
    `  kubectl -n ${namespace} create secret generic ${tlsSecretName(plan)} ${fromFiles}`,
    `${TLS_FILES.serverKey} must be PKCS#8 (a "PRIVATE KEY" PEM, not "RSA PRIVATE KEY"), the only kind Fluvio 0.18.1 loads: convert another with ${PKCS8_CONVERT_COMMAND}`,
  ];
}
