/**
 * The Kubernetes objects the project's own program declares, exactly as the Kubernetes
 * provider would receive them: the program (`declareCluster()`) runs under Pulumi's SDK runtime
 * (mocks stand in for the engine only), and each `kubernetes:*` resource's inputs are taken as
 * registered. The engine tier sends them to a real API server.
 */
import { SpuCluster } from "../../../src/component";
import type { PortRegistry } from "../../../src/ports/registry";
import { declareCluster } from "../../../src/program";
import { readClusterConfig } from "../../../src/config/stack";
import { runUnderMocks, PROJECT_ROOT } from "../../support/pulumi";

type Obj = Record<string, any>;

/** Stage of an object, as the Kubernetes target orders them (see `stageOf` in src/targets/kubernetes). */
export function stageOf(kind: string): 0 | 1 | 2 {
  if (kind === "Namespace" || kind === "CustomResourceDefinition") return 0;
  if (kind === "Deployment" || kind === "StatefulSet") return 2;
  return 1;
}

/** The prod stack's cluster config (stacks/Pulumi.prod.yaml), to vary in a test. */
export function prodCluster(): Obj {
  return readClusterConfig(PROJECT_ROOT, "prod") as Obj;
}

/**
 * Runs the root program for `stack` with `cluster` as its `fluvio-spu:cluster` config (the
 * stack file's when absent) and returns its Kubernetes objects, stage by stage.
 */
export async function programObjects(stack: string, cluster?: Obj): Promise<Obj[]> {
  const run = await runUnderMocks({
    stack,
    stackFile: cluster === undefined,
    program: declareCluster,
    ...(cluster !== undefined ? { extraConfig: { "fluvio-spu:cluster": JSON.stringify(cluster) } } : {}),
  });
  return staged(run.resources);
}

/** One `SpuCluster` named `name` with `cluster` and the given port registry, as a program would declare it. */
export async function clusterObjects(stack: string, name: string, cluster: Obj, registry: PortRegistry): Promise<{ objects: Obj[]; plan: SpuCluster["plan"] }> {
  const run = await runUnderMocks({ stack, stackFile: false, program: () => new SpuCluster(name, { ...(cluster as any), registry, preflight: false }) });
  return { objects: staged(run.resources), plan: run.result.plan };
}

/**
 * Objects the program marks `retainOnDelete`: what `pulumi destroy` leaves in the cluster.
 * Kept beside the objects (not in them, so that they stay exactly what the provider receives).
 */
const RETAINED = new WeakSet<Obj>();
export const retainedOnDestroy = (object: Obj): boolean => RETAINED.has(object);

function staged(resources: { type: string; inputs: Obj; options: { retainOnDelete: boolean } }[]): Obj[] {
  const kubernetes = resources.filter((resource) => resource.type.startsWith("kubernetes:"));
  for (const resource of kubernetes) if (resource.options.retainOnDelete) RETAINED.add(resource.inputs);
  const objects = kubernetes.map((resource) => resource.inputs);
  return [0, 1, 2].flatMap((stage) => objects.filter((object) => stageOf(object.kind) === stage));
}
