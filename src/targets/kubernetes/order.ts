/**
 * The order in which the Kubernetes target creates its objects: pure, over plain objects, so
 * tests check it without Pulumi. The deploying edge turns each prerequisite into a `dependsOn`.
 */
import { LABELS } from "../../plan/layout";
import type { ClusterObject } from "./model";

/**
 * When an object may be created: 0 = Namespace and CRDs; 1 = what the pods rely on (RBAC, the
 * TLS Secret, Services, policies) and the `Spu` registrations, so the SC knows every SPU before
 * it starts; 2 = the workloads.
 */
export function stageOf(kind: ClusterObject["kind"]): 0 | 1 | 2 {
  switch (kind) {
    case "Namespace":
    case "CustomResourceDefinition":
      return 0;
    case "Deployment":
    case "StatefulSet":
      return 2;
    default:
      return 1;
  }
}

/** The node an object belongs to (`sc`, `spu-<id>`), or undefined for what the whole cluster shares. */
function nodeOf(object: ClusterObject): string | undefined {
  return object.metadata.labels[LABELS.node];
}

/** Whether a CRD defines the object's kind (group and kind match). */
function defines(crd: ClusterObject, object: ClusterObject): boolean {
  if (crd.kind !== "CustomResourceDefinition") return false;
  return object.apiVersion.startsWith(`${crd.spec.group}/`) && object.kind === crd.spec.names.kind;
}

/**
 * What each object waits for, in the order of `objects`, so that nothing is sent before the API,
 * the namespace or the registration it needs exists:
 * - a stage 1 object waits for the Namespace (when the target creates it) and, for a custom
 *   resource, the CRD of its kind; a cluster-scoped one for all of stage 0;
 * - the SC's Deployment for all of stage 0 (it watches the Fluvio kinds), the shared objects
 *   (TLS Secret, ServiceMonitor), its own objects (RBAC, Services, policy) and every `Spu`
 *   registration (the SC must know every SPU before it starts);
 * - an SPU's StatefulSet for the Namespace, the shared objects, the SC's Services (the address
 *   it dials) and its own Services, policy and `Spu` registration; never another SPU's.
 * Every object waits for a fixed number of others, and the SC for one more per SPU: the links
 * grow linearly with the SPU count (waiting for everything earlier made them grow with its
 * square); the order of each object after what it needs is kept, directly or through them.
 */
export function prerequisites(objects: readonly ClusterObject[]): (readonly ClusterObject[])[] {
  const first = objects.filter((object) => stageOf(object.kind) === 0);
  const second = objects.filter((object) => stageOf(object.kind) === 1);
  const namespace = first.filter((object) => object.kind === "Namespace");
  const shared = second.filter((object) => nodeOf(object) === undefined);
  const sc = second.filter((object) => nodeOf(object) === "sc");
  const scServices = sc.filter((object) => object.kind === "Service");
  const registrations = second.filter((object) => object.kind === "Spu");
  const ownOf = new Map<string, ClusterObject[]>();
  for (const object of second) {
    const node = nodeOf(object);
    if (node === undefined || node === "sc") continue;
    const own = ownOf.get(node);
    if (own) own.push(object);
    else ownOf.set(node, [object]);
  }
  const forSc = [...first, ...shared, ...sc, ...registrations];
  const forAnySpu = [...namespace, ...shared, ...scServices];
  return objects.map((object) => {
    const stage = stageOf(object.kind);
    if (stage === 0) return [];
    if (stage === 1) {
      if (object.metadata.namespace === undefined) return first;
      const crds = first.filter((crd) => defines(crd, object));
      return crds.length > 0 ? [...namespace, ...crds] : namespace;
    }
    const node = nodeOf(object);
    if (node === undefined) return [...first, ...second]; // a workload of no node: everything before it
    if (node === "sc") return forSc;
    return [...forAnySpu, ...(ownOf.get(node) ?? [])];
  });
}
