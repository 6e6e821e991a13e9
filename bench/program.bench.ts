/**
 * The root program under Pulumi's mocks, on both targets, for 10, 100 and (Kubernetes) 300 SPUs: the time
 * to declare the whole cluster against a bare program that registers the same resources (same
 * provider classes, names, inputs and parents; no dependencies, no planning) in the same run, the
 * dependency links the program sends (every URN in every resource's dependency list: each one
 * goes to the engine and into the state) and the longest chain of dependencies, which must not
 * grow with the SPU count: SPUs deploy side by side. Program and bare runs alternate, so load
 * from other work on the host hits both alike; both include the harness's settle time (~25 ms).
 */
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parseClusterSpec } from "../src/config/schema";
import { planCluster } from "../src/plan/plan";
import { declareCluster } from "../src/program";
import { buildDockerSpecs } from "../src/targets/docker";
import { buildKubernetesObjects } from "../src/targets/kubernetes/build";
import { stageOf } from "../src/targets/kubernetes/order";
import { runUnderMocks, type RecordedResource } from "../test/support/pulumi";
import { median, printFigures, type Figure } from "./support";
import { performance } from "node:perf_hooks";

const TARGETS = ["docker", "kubernetes"] as const;
type Target = (typeof TARGETS)[number];
/** Docker stops at 100 SPUs (one host does not run 300; its program takes ~50 s at 300 under mocks). */
const SIZES: Record<Target, number[]> = { docker: [10, 100], kubernetes: [10, 100, 300] };

function benchCluster(target: Target, spus: number) {
  return { target, spus, ports: { public: "20000-20999", private: "21000-21999", metrics: "22000-22999", nodePort: "30000-32767" } };
}

function runProgram(target: Target, spus: number) {
  return runUnderMocks({
    stack: "bench",
    stackFile: false,
    program: declareCluster,
    extraConfig: { "fluvio-spu:cluster": JSON.stringify(benchCluster(target, spus)), "fluvio-spu:preflight": "false" },
  });
}

/** A custom resource of any type token, with the inputs given. */
class BareCustomResource extends pulumi.CustomResource {
  constructor(type: string, name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(type, name, inputs, opts);
  }
}

type ResourceClass = new (name: string, args: pulumi.Inputs, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The provider SDK's class for each type token the programs register, so the bare program pays what the SDK charges per resource (aliases, defaults). */
const CLASSES: Record<string, ResourceClass> = {
  "docker:index/container:Container": docker.Container as unknown as ResourceClass,
  "docker:index/volume:Volume": docker.Volume as unknown as ResourceClass,
  "docker:index/network:Network": docker.Network as unknown as ResourceClass,
  "kubernetes:core/v1:Namespace": k8s.core.v1.Namespace as unknown as ResourceClass,
  "kubernetes:core/v1:ServiceAccount": k8s.core.v1.ServiceAccount as unknown as ResourceClass,
  "kubernetes:core/v1:Service": k8s.core.v1.Service as unknown as ResourceClass,
  "kubernetes:core/v1:Secret": k8s.core.v1.Secret as unknown as ResourceClass,
  "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition": k8s.apiextensions.v1.CustomResourceDefinition as unknown as ResourceClass,
  "kubernetes:rbac.authorization.k8s.io/v1:Role": k8s.rbac.v1.Role as unknown as ResourceClass,
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": k8s.rbac.v1.RoleBinding as unknown as ResourceClass,
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": k8s.networking.v1.NetworkPolicy as unknown as ResourceClass,
  "kubernetes:apps/v1:Deployment": k8s.apps.v1.Deployment as unknown as ResourceClass,
  "kubernetes:apps/v1:StatefulSet": k8s.apps.v1.StatefulSet as unknown as ResourceClass,
};

/** A resource like the recorded one: the provider's class for its type (custom kinds through CustomResource), else a plain custom resource. */
function bareResource(resource: RecordedResource, opts: pulumi.CustomResourceOptions): pulumi.Resource {
  const known = CLASSES[resource.type];
  if (known) return new known(resource.name, { ...resource.inputs }, opts);
  if (resource.type.startsWith("kubernetes:")) return new k8s.apiextensions.CustomResource(resource.name, { ...resource.inputs } as k8s.apiextensions.CustomResourceArgs, opts);
  return new BareCustomResource(resource.type, resource.name, { ...resource.inputs }, opts);
}

/**
 * The same resources as a sample run registered (types, names, inputs as the provider got
 * them, parents), through the same provider classes, with no dependencies, no planning and no
 * component outputs: the SDK's own cost for this set of resources.
 */
function bareProgram(sample: readonly RecordedResource[]): () => void {
  return () => {
    const created = new Map<string, pulumi.Resource>();
    for (const resource of sample) {
      const parent = created.get(resource.parent);
      const opts = parent ? { parent } : {};
      created.set(resource.urn, resource.custom ? bareResource(resource, opts) : new pulumi.ComponentResource(resource.type, resource.name, {}, opts));
    }
  };
}

function runBare(sample: readonly RecordedResource[]) {
  return runUnderMocks({ stack: "bench", stackFile: false, program: bareProgram(sample) });
}

/** The longest chain of resources, each depending on (or parented by) the one before it. */
export function longestChain(resources: RecordedResource[]): string[] {
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  const memo = new Map<string, string[]>();
  const chainTo = (resource: RecordedResource): string[] => {
    const known = memo.get(resource.urn);
    if (known) return known;
    const before = [...resource.dependencies, resource.parent]
      .map((urn) => byUrn.get(urn))
      .filter((found): found is RecordedResource => found !== undefined)
      .map(chainTo)
      .reduce<string[]>((longest, chain) => (chain.length > longest.length ? chain : longest), []);
    const chain = [...before, `${resource.type.split(":").pop()} ${resource.name}`];
    memo.set(resource.urn, chain);
    return chain;
  };
  return resources.map(chainTo).reduce<string[]>((longest, chain) => (chain.length > longest.length ? chain : longest), []);
}

/** Every dependency URN the program sent, over all resources. */
function linkCount(resources: readonly RecordedResource[]): number {
  return resources.reduce((sum, resource) => sum + resource.dependencies.length, 0);
}

/** The links the Kubernetes target sent before issue #13: every object of a stage depended on every object of the earlier stages. */
function previousKubernetesLinks(spus: number): number {
  const spec = parseClusterSpec(benchCluster("kubernetes", spus));
  const counts = [0, 0, 0];
  for (const object of buildKubernetesObjects(planCluster(spec, { stack: "bench" }))) counts[stageOf(object.kind)]! += 1;
  const [first, second, third] = counts as [number, number, number];
  return second * first + third * (first + second);
}

/** The component's own work for one run: validate, plan and build the plain objects. */
function planAndBuild(target: Target, spus: number): unknown {
  const spec = parseClusterSpec(benchCluster(target, spus));
  const plan = planCluster(spec, { stack: "bench" });
  return target === "docker" ? buildDockerSpecs(plan) : buildKubernetesObjects(plan);
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Medians of two kinds of run, alternated (after one warm-up of each). */
async function alternating(runs: number, first: () => Promise<unknown>, second: () => Promise<unknown>): Promise<[number, number]> {
  await first();
  await second();
  const times: [number[], number[]] = [[], []];
  for (let run = 0; run < runs; run++) {
    for (const [index, work] of [first, second].entries()) {
      collectGarbage();
      const start = performance.now();
      await work();
      times[index as 0 | 1].push(performance.now() - start);
    }
  }
  return [median(times[0]), median(times[1])];
}

export async function run(): Promise<void> {
  const only = process.env.BENCH_TARGET;
  for (const target of TARGETS.filter((candidate) => !only || candidate === only)) {
    const figures: Figure[] = [];
    const chains: string[] = [];
    const sizes = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(",").map(Number) : SIZES[target];
    for (const spus of sizes) {
      const sample = await runProgram(target, spus);
      const chain = longestChain(sample.resources);
      // Nine alternated runs at every size: with five or seven, the ratio at 100 and 300 SPUs moved by ±0.1 between runs of the bench.
      const runs = 9;
      const [program, bare] = await alternating(runs, () => runProgram(target, spus), () => runBare(sample.resources));
      const own = median(await Promise.all(Array.from({ length: 5 }, async () => { const start = performance.now(); planAndBuild(target, spus); return performance.now() - start; })));
      const label = `${spus} SPUs (${sample.resources.length} resources)`;
      figures.push({ name: `program under mocks, ${label}`, value: program, unit: "ms", note: `median of ${runs}` });
      figures.push({ name: `  bare program, same resources, no dependencies`, value: bare, unit: "ms", note: `median of ${runs}, alternated` });
      figures.push({ name: `  program / bare`, value: program / bare, unit: "x", note: target === "kubernetes" && spus >= 100 ? "target <= 1.05" : undefined });
      figures.push({ name: `  plan + plain objects (the component's own work)`, value: own, unit: "ms", note: `${((own / program) * 100).toFixed(1)} % of the program` });
      figures.push({ name: `  dependency links sent`, value: linkCount(sample.resources), unit: "links", note: `${(linkCount(sample.resources) / spus).toFixed(1)} per SPU` });
      if (target === "kubernetes") figures.push({ name: `  links with the wiring before #13 (all of every earlier stage)`, value: previousKubernetesLinks(spus), unit: "links", note: "computed" });
      figures.push({ name: `  longest dependency chain`, value: chain.length, unit: "resources" });
      chains.push(`${spus} SPUs: ${chain.join(" → ")}`);
    }
    printFigures(`root program on ${target} under mocks`, figures);
    console.log(`  chains:\n${chains.map((chain) => `    ${chain}`).join("\n")}`);
  }
}
