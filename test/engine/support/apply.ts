/** Applying a cluster's objects stage by stage, and comparing what the API server stored. */
import { Kube, keyOf } from "./kube";
import { stageOf } from "./program";

type Obj = Record<string, any>;

/**
 * Applies `objects` in the Kubernetes target's stage order (Namespace and CRDs, then what the
 * pods rely on and the `Spu` resources, then the workloads), waiting for each CRD to be
 * served. Throws with the API server's own message for the first object it refuses.
 */
export async function applyAll(kube: Kube, objects: Obj[]): Promise<Map<string, Obj>> {
  const stored = new Map<string, Obj>();
  for (const stage of [0, 1, 2]) {
    const batch = objects.filter((object) => stageOf(object.kind) === stage);
    for (const object of batch) {
      const response = await kube.apply(object);
      if (response.status !== 200 && response.status !== 201) {
        throw new Error(`the API server refused ${keyOf(object)}: ${response.status} ${response.body.message ?? JSON.stringify(response.body)}`);
      }
      stored.set(keyOf(object), response.body);
    }
    for (const crd of batch.filter((object) => object.kind === "CustomResourceDefinition")) await kube.waitEstablished(crd);
  }
  return stored;
}

/** Reads every object back; throws for one that is not there. */
export async function readAll(kube: Kube, objects: Obj[]): Promise<Map<string, Obj>> {
  const stored = new Map<string, Obj>();
  for (const object of objects) {
    const response = await kube.get(object);
    if (response.status !== 200) throw new Error(`${keyOf(object)} is not stored: ${response.status} ${response.body.message ?? ""}`);
    stored.set(keyOf(object), response.body);
  }
  return stored;
}

/**
 * What changes when an apply changes an object, and only then: `metadata.generation` where the
 * kind has one (it counts spec changes; controllers writing status, as the StatefulSet
 * controller does, leave it alone), else the resourceVersion; plus labels and annotations,
 * which a generation does not count.
 */
export const fingerprints = (stored: Map<string, Obj>): Record<string, string> =>
  Object.fromEntries(
    [...stored].map(([key, object]) => {
      const { generation, resourceVersion, labels, annotations } = object.metadata;
      const version = generation !== undefined ? `generation ${generation}` : `resourceVersion ${resourceVersion}`;
      return [key, `${version} ${JSON.stringify(labels ?? {})} ${JSON.stringify(annotations ?? {})}`];
    }),
  );

/**
 * Paths where the API server stored something other than what was declared: every field the
 * program sets must read back unchanged (the server may add defaults beside them). A field the
 * server rewrites would show as drift on `pulumi refresh` and as a diff on every `up`.
 */
export function rewrittenFields(declared: unknown, stored: unknown, path = ""): string[] {
  if (declared === null || typeof declared !== "object") {
    return declared === stored ? [] : [`${path}: declared ${JSON.stringify(declared)}, stored ${JSON.stringify(stored)}`];
  }
  if (Array.isArray(declared)) {
    if (!Array.isArray(stored) || stored.length !== declared.length) return [`${path}: declared ${declared.length} items, stored ${JSON.stringify(stored)}`];
    return declared.flatMap((item, index) => rewrittenFields(item, stored[index], `${path}[${index}]`));
  }
  if (stored === null || typeof stored !== "object") return [`${path}: declared an object, stored ${JSON.stringify(stored)}`];
  return Object.entries(declared as Obj).flatMap(([key, value]) => rewrittenFields(value, (stored as Obj)[key], path ? `${path}.${key}` : key));
}
