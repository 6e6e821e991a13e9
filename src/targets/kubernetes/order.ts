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

/**
 * What each object waits for, in the order of `objects`, so that nothing is sent before the API,
 * the namespace or the registration it needs exists:
 * - stage 1 objects wait for every stage 0 object (the Namespace and the CRDs);
 * - the SC's Deployment for stage 0, the shared objects (RBAC, TLS Secret, ...), its own
 *   objects and every `Spu` registration (the SC must know every SPU before it starts);
 * - an SPU's StatefulSet for stage 0, the shared objects, the SC's objects (the Services it
 *   dials) and its own (Services, policy, `Spu` registration), never another SPU's.
 * Every object waits for a fixed number of others, plus the SC for one per SPU: the links grow
 * linearly with the SPU count (waiting for everything earlier made them grow with its square).
 */
export function prerequisites(objects: readonly ClusterObject[]): (readonly ClusterObject[])[] {
  const first = objects.filter((object) => stageOf(object.kind) === 0);
  const second = objects.filter((object) => stageOf(object.kind) === 1);
  const shared = second.filter((object) => nodeOf(object) === undefined);
  const sc = second.filter((object) => nodeOf(object) === "sc");
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
  const forAnySpu = [...first, ...shared, ...sc];
  return objects.map((object) => {
    const stage = stageOf(object.kind);
    if (stage === 0) return [];
    if (stage === 1) return first;
    const node = nodeOf(object);
    if (node === undefined) return [...first, ...second]; // a workload of no node: everything before it
    if (node === "sc") return forSc;
    return [...forAnySpu, ...(ownOf.get(node) ?? [])];
  });
}
