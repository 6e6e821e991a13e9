/**
 * The component's type tokens, as Pulumi records them in a stack's state. Pure, so that the
 * preflight and recovery (which read the state to find the component) and the component itself
 * share one source.
 */

/** The component's type token: the package `fluvio-spu` (its provider serves it to every Pulumi language). */
export const SPU_CLUSTER_TYPE = "fluvio-spu:index:SpuCluster";

/**
 * The token stacks created before the package existed hold (`fluvio:index:SpuCluster`). The
 * component aliases it itself, so an `up` with this version keeps their URNs (no replace):
 * Pulumi's Node.js provider SDK drops the type of aliases a program passes through `construct`.
 */
export const FORMER_SPU_CLUSTER_TYPES: readonly string[] = ["fluvio:index:SpuCluster"];

/** Every token a state may hold the component under: the current one first. */
export const SPU_CLUSTER_TYPES: readonly string[] = [SPU_CLUSTER_TYPE, ...FORMER_SPU_CLUSTER_TYPES];
