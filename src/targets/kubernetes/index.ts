import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { ClusterPlan } from "../../plan/types";
import type { ImageInputs, TargetDeployment, TargetInputs, TlsMaterial } from "../contract";
import { buildKubernetesObjects, type BuildOptions } from "./build";
import type { ClusterObject, PodTemplate } from "./model";
import { prerequisites, stageOf } from "./order";
import { TLS_FILES, tlsFileKeys } from "./pods";
import { kubernetesSdk } from "../sdk";

export { buildKubernetesObjects, createsNamespace, tlsSecretName, type BuildOptions } from "./build";
export { FLUVIO_KINDS, SPU_SCHEMA, fluvioCrds } from "./crds";
export { prerequisites } from "./order";
export type * from "./model";

/** Kubernetes-only inputs a program may pass. */
export interface KubernetesTargetOptions {
  /** The provider of the cluster to deploy to; the ambient one when absent. */
  provider?: k8s.Provider;
  /** Create the plan's namespace (see `BuildOptions.createNamespace`). */
  createNamespace?: boolean;
}

/**
 * Deploys the plan as Kubernetes objects: builds them as plain data (`buildKubernetesObjects`),
 * checks what only the program can give (TLS material), then creates one `@pulumi/kubernetes`
 * resource per object, parented to the component. Every `ConfigError` is thrown before the
 * first resource is registered. The namespace is created (unless Kubernetes owns it or the
 * program opts out) and kept on `pulumi destroy`: it holds the SPUs' volumes, and data outlives
 * the cluster as on Docker; `kubectl delete namespace` removes it with the data. The CRDs are
 * kept too: the SC's metadata lives in their resources, as on Docker in its retained volume.
 */
export function deployKubernetes(inputs: TargetInputs, options: KubernetesTargetOptions): TargetDeployment {
  const { plan } = inputs;
  const buildOptions: BuildOptions = options.createNamespace !== undefined ? { createNamespace: options.createNamespace } : {};
  const objects = buildKubernetesObjects(plan, buildOptions);

  const waitsFor = prerequisites(objects);
  const created = new Map<ClusterObject, pulumi.CustomResource>();
  // By stage, so that every object's prerequisites exist before it (they all sit in earlier stages).
  for (const stage of [0, 1, 2] as const) {
    objects.forEach((object, index) => {
      if (stageOf(object.kind) !== stage) return;
      const dependsOn = (waitsFor[index] ?? []).map((prerequisite) => created.get(prerequisite) as pulumi.CustomResource);
      created.set(
        object,
        createResource(logicalName(plan, object), object, inputs, {
          parent: inputs.parent,
          ...(options.provider ? { provider: options.provider } : {}),
          dependsOn,
          // Kept on destroy: the Namespace holds the SPUs' volumes; the CRDs hold the SC's
          // metadata (topics, partitions), and deleting a CRD deletes every resource of its
          // kind in every namespace, another Fluvio cluster's too.
          ...(object.kind === "Namespace" || object.kind === "CustomResourceDefinition" ? { retainOnDelete: true } : {}),
          ...(object.kind === "Secret" ? { additionalSecretOutputs: ["data", "stringData"] } : {}),
        }),
      );
    });
  }
  // The workloads wait, directly or through their prerequisites, for every other object (the SC
  // for all of stages 0 and 1 but other SPUs' own objects, each SPU for its own): once their
  // URNs resolve, everything is in place. Combining one URN per workload, not per object.
  const workloads = objects.filter((object) => stageOf(object.kind) === 2).map((object) => (created.get(object) as pulumi.CustomResource).urn);
  return { ready: pulumi.all(workloads) };
}

/**
 * Annotations for Pulumi's Kubernetes provider, added at this edge only (a rendered manifest for
 * `kubectl apply` has no use for them). `pulumi.com/patchForce` makes every server-side apply the
 * provider sends force its fields: a field another field manager changed since (`kubectl scale`,
 * `kubectl edit`, an operator) is taken back by the next `pulumi up`, where it would otherwise stop
 * the update with a "Server-Side Apply field conflict". The provider's guide to field conflicts
 * recommends this annotation; its other switch, PULUMI_K8S_ENABLE_PATCH_FORCE, is an environment
 * variable every user's shell would need.
 */
export const PROVIDER_ANNOTATIONS: Readonly<Record<string, string>> = { "pulumi.com/patchForce": "true" };

/** An object as the provider receives it: with `PROVIDER_ANNOTATIONS` beside its own annotations. */
export function forProvider<T extends ClusterObject>(object: T): T {
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, ...PROVIDER_ANNOTATIONS } } };
}

/** The Pulumi name of an object: its Kubernetes name, qualified by the plan's prefix where it lacks it. */
export function logicalName(plan: ClusterPlan, object: ClusterObject): string {
  const name = object.metadata.name;
  return name.startsWith(`${plan.namePrefix}-`) ? name : `${plan.namePrefix}-${name}`;
}

/** The Secret's data: the TLS files under their Secret keys, as one Pulumi secret. */
export function tlsSecretData(plan: ClusterPlan, material: TlsMaterial): pulumi.Output<Record<string, string>> {
  const files: Record<string, pulumi.Output<string>> = {};
  for (const key of tlsFileKeys(plan)) {
    const value = material[key];
    if (value !== undefined) files[TLS_FILES[key]] = value;
  }
  return pulumi.secret(pulumi.all(files));
}

/** The image each container runs: Fluvio's for the SC and SPU, the exporter's for the sidecar. */
const CONTAINER_IMAGES: Record<string, keyof ImageInputs> = { sc: "fluvio", spu: "fluvio", exporter: "exporter" };

/** A pod template with the program's images (which may be outputs of image builds). */
function withImages(template: PodTemplate, images: ImageInputs) {
  return {
    ...template,
    spec: {
      ...template.spec,
      containers: template.spec.containers.map((container) => ({ ...container, image: images[CONTAINER_IMAGES[container.name] ?? "fluvio"] })),
    },
  };
}

function createResource(name: string, declared: ClusterObject, inputs: TargetInputs, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const k8s = kubernetesSdk();
  const object = forProvider(declared);
  switch (object.kind) {
    case "Namespace":
      return new k8s.core.v1.Namespace(name, object, opts);
    case "CustomResourceDefinition":
      return new k8s.apiextensions.v1.CustomResourceDefinition(name, object, opts);
    case "ServiceAccount":
      return new k8s.core.v1.ServiceAccount(name, object, opts);
    case "Role":
      return new k8s.rbac.v1.Role(name, object, opts);
    case "RoleBinding":
      return new k8s.rbac.v1.RoleBinding(name, object, opts);
    case "Secret":
      if (!inputs.tls) throw new Error("the TLS Secret needs TLS material; tlsMaterialIssues should have stopped this earlier");
      return new k8s.core.v1.Secret(name, { ...object, stringData: tlsSecretData(inputs.plan, inputs.tls) }, opts);
    case "Service":
      return new k8s.core.v1.Service(name, object, opts);
    case "NetworkPolicy":
      return new k8s.networking.v1.NetworkPolicy(name, object, opts);
    case "Deployment":
      return new k8s.apps.v1.Deployment(name, { ...object, spec: { ...object.spec, template: withImages(object.spec.template, inputs.images) } }, opts);
    case "StatefulSet":
      return new k8s.apps.v1.StatefulSet(name, { ...object, spec: { ...object.spec, template: withImages(object.spec.template, inputs.images) } }, opts);
    case "Spu":
    case "ServiceMonitor":
    case "PrometheusRule":
      return new k8s.apiextensions.CustomResource(name, object, opts);
  }
}
