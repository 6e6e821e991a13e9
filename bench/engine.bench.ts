/**
 * The real engine, the component beside a bare program, same run: `pulumi preview`, a first
 * `up`, a second `up` (no changes) and `destroy` of a Kubernetes cluster at 5 and 50 SPUs,
 * through the Automation API on the CLI `npm run toolchain` built, the real Kubernetes provider
 * and the control plane of `npm run control-plane -- start` (pods Ready on kwok's fake nodes, so
 * Pulumi's readiness waits run). The bare program registers the same objects, with the same
 * names, order (`dependsOn`), retention and annotations, through the same provider, straight
 * from the pure builder: no component, no planning in the program, no outputs. The ratio of the
 * two is what the component costs.
 *
 * Bounded: at 5 SPUs the median of FLUVIO_SPU_BENCH_ENGINE_RUNS runs (default 3), at 50 SPUs
 * one run each (FLUVIO_SPU_BENCH_ENGINE_RUNS_LARGE, default 1); the two alternate;
 * FLUVIO_SPU_BENCH_ENGINE_SIZES=5 measures one size only. Without
 * the toolchain or a control plane the section skips with one line.
 */
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { Stack } from "@pulumi/pulumi/automation";
import { SpuCluster } from "../src/component";
import { parseClusterSpec } from "../src/config/schema";
import { planCluster } from "../src/plan/plan";
import { EMPTY_REGISTRY } from "../src/ports/registry";
import { buildKubernetesObjects, forProvider, logicalName, prerequisites } from "../src/targets/kubernetes";
import type { ClusterObject } from "../src/targets/kubernetes/model";
import { stageOf } from "../src/targets/kubernetes/order";
import { engineSandbox, type EngineSandbox } from "../test/engine/support/automation";
import { lockCluster } from "../test/engine/support/cluster-lock";
import { deleteNamespace, Kube } from "../test/engine/support/kube";
import { controlPlaneAnswers, has, KUBECONFIG, KUBERNETES_ENGINES } from "../test/engine/support/toolchain";
import { median, printFigures, type Figure } from "./support";

const NAMESPACE = "fluvio-bench";
const STACK = "bench";
const PHASES = ["preview", "first up", "second up", "destroy"] as const;
type Phase = (typeof PHASES)[number];

const runsOf = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const SIZES = [
  { spus: 5, runs: runsOf("FLUVIO_SPU_BENCH_ENGINE_RUNS", 3) },
  { spus: 50, runs: runsOf("FLUVIO_SPU_BENCH_ENGINE_RUNS_LARGE", 1) },
].filter(({ spus }) => (process.env.FLUVIO_SPU_BENCH_ENGINE_SIZES ?? "5,50").split(",").map(Number).includes(spus));

function benchCluster(spus: number) {
  return { name: "fluvio", target: "kubernetes", environment: "prod", spus, kubernetes: { namespace: NAMESPACE, serviceType: "NodePort" } } as const;
}

/** The project's component, as a program declares it. */
function componentProgram(spus: number) {
  return async () => {
    const cluster = new SpuCluster("fluvio", { ...benchCluster(spus), registry: EMPTY_REGISTRY, preflight: false });
    return { spus: cluster.spus };
  };
}

/** One `@pulumi/kubernetes` resource for an object, as the component creates it, without a parent. */
function bareResource(name: string, object: ClusterObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const inputs = forProvider(object) as any;
  switch (object.kind) {
    case "Namespace":
      return new k8s.core.v1.Namespace(name, inputs, opts);
    case "CustomResourceDefinition":
      return new k8s.apiextensions.v1.CustomResourceDefinition(name, inputs, opts);
    case "ServiceAccount":
      return new k8s.core.v1.ServiceAccount(name, inputs, opts);
    case "Role":
      return new k8s.rbac.v1.Role(name, inputs, opts);
    case "RoleBinding":
      return new k8s.rbac.v1.RoleBinding(name, inputs, opts);
    case "Service":
      return new k8s.core.v1.Service(name, inputs, opts);
    case "NetworkPolicy":
      return new k8s.networking.v1.NetworkPolicy(name, inputs, opts);
    case "Deployment":
      return new k8s.apps.v1.Deployment(name, inputs, opts);
    case "StatefulSet":
      return new k8s.apps.v1.StatefulSet(name, inputs, opts);
    default:
      return new k8s.apiextensions.CustomResource(name, inputs, opts);
  }
}

/** The same objects registered straight from the pure builder: no component, outputs or checks. */
function bareProgram(spus: number) {
  return async () => {
    const plan = planCluster(parseClusterSpec(benchCluster(spus)), { stack: pulumi.getStack(), project: pulumi.getProject(), registry: EMPTY_REGISTRY });
    const objects = buildKubernetesObjects(plan);
    const waitsFor = prerequisites(objects);
    const created = new Map<ClusterObject, pulumi.CustomResource>();
    for (const stage of [0, 1, 2] as const) {
      objects.forEach((object, index) => {
        if (stageOf(object.kind) !== stage) return;
        const dependsOn = (waitsFor[index] ?? []).map((prerequisite) => created.get(prerequisite) as pulumi.CustomResource);
        const retain = object.kind === "Namespace" || object.kind === "CustomResourceDefinition";
        created.set(object, bareResource(logicalName(plan, object), object, { dependsOn, ...(retain ? { retainOnDelete: true } : {}) }));
      });
    }
    return {};
  };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** preview, up, up, destroy of one stack; the wall time of each, and the resource count. */
async function cycle(stack: Stack): Promise<{ times: Record<Phase, number>; resources: number }> {
  const times = {} as Record<Phase, number>;
  times.preview = await timed(() => stack.preview());
  let resources = 0;
  times["first up"] = await timed(async () => {
    const result = await stack.up();
    resources = Object.values(result.summary.resourceChanges ?? {}).reduce((sum, count) => sum + (count ?? 0), 0);
  });
  times["second up"] = await timed(async () => {
    const result = await stack.up();
    const changed = Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => op !== "same");
    if (changed.length > 0) throw new Error(`the second up of ${stack.name} changed ${JSON.stringify(changed)}`);
  });
  times.destroy = await timed(() => stack.destroy());
  return { times, resources };
}

export async function run(): Promise<void> {
  const section = "the real Pulumi engine and Kubernetes provider: the component beside a bare program";
  const missing = KUBERNETES_ENGINES.filter((engine) => !has(engine));
  if (missing.length > 0 || !controlPlaneAnswers()) {
    const why = missing.length > 0 ? `${missing.join(", ")} not in .toolchain/bin (npm run toolchain)` : "no control plane answers (npm run control-plane -- start)";
    console.log(`\n## ${section}\n  skipped: ${why}`);
    return;
  }
  const release = await lockCluster();
  const kube = new Kube(KUBECONFIG);
  const sandboxes: EngineSandbox[] = [];
  const started = performance.now();
  try {
    await deleteNamespace(kube, NAMESPACE);
    for (const { spus, runs } of SIZES) {
      const figures: Figure[] = [];
      // Two backends, so that both stacks are called `bench` and plan the very same objects.
      const componentBox = await engineSandbox({ KUBECONFIG });
      const bareBox = await engineSandbox({ KUBECONFIG });
      sandboxes.push(componentBox, bareBox);
      const component = await componentBox.stack({ projectName: "fluvio-spu", stackName: STACK, program: componentProgram(spus) });
      const bare = await bareBox.stack({ projectName: "fluvio-spu", stackName: STACK, program: bareProgram(spus) });
      const samples = { component: [] as Record<Phase, number>[], bare: [] as Record<Phase, number>[] };
      let counts = { component: 0, bare: 0 };
      for (let round = 0; round < runs; round++) {
        // Alternated, so that a slower minute of the shared machine falls on both.
        const first = round % 2 === 0 ? "component" : "bare";
        for (const variant of first === "component" ? (["component", "bare"] as const) : (["bare", "component"] as const)) {
          const result = await cycle(variant === "component" ? component : bare);
          samples[variant].push(result.times);
          counts = { ...counts, [variant]: result.resources };
        }
      }
      const note = runs === 1 ? "one run each" : `median of ${runs} runs each`;
      for (const phase of PHASES) {
        const ours = median(samples.component.map((times) => times[phase]));
        const theirs = median(samples.bare.map((times) => times[phase]));
        figures.push({ name: `${spus} SPUs, ${phase}: component (${counts.component} resources)`, value: ours, unit: "ms", note });
        figures.push({ name: `${spus} SPUs, ${phase}: bare program (${counts.bare} resources)`, value: theirs, unit: "ms", note });
        figures.push({ name: `${spus} SPUs, ${phase}: ratio component / bare`, value: ours / theirs, unit: "x" });
      }
      // Printed size by size, so that a bounded run still shows what it measured.
      printFigures(`${section}, ${spus} SPUs`, figures);
    }
    console.log(`  this section's wall time: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await deleteNamespace(kube, NAMESPACE).catch(() => undefined);
    for (const sandbox of sandboxes) sandbox.dispose();
    release();
  }
}
