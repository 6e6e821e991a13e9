/**
 * The root program under Pulumi's mocks for 1, 10 and 100 SPUs: the time to declare the whole
 * cluster (median of several runs; includes the harness's fixed settle time of ~25 ms), and the
 * longest chain of dependencies between the resources it creates (explicit and input
 * dependencies, and parents), which must not grow with the SPU count: SPUs deploy side by side.
 */
import { parseClusterSpec } from "../src/config/schema";
import { planCluster } from "../src/plan/plan";
import { declareCluster } from "../src/program";
import { buildDockerSpecs } from "../src/targets/docker";
import { runUnderMocks, type RecordedResource } from "../test/support/pulumi";
import { medianMs, printFigures, type Figure } from "./support";

const SIZES = [1, 10, 100];


function benchCluster(spus: number) {
  return { target: "docker", spus, ports: { public: "20000-20999", private: "21000-21999", metrics: "22000-22999" } };
}

function runProgram(spus: number) {
  const cluster = benchCluster(spus);
  return runUnderMocks({
    stack: "bench",
    stackFile: false,
    program: declareCluster,
    extraConfig: { "fluvio-spu:cluster": JSON.stringify(cluster), "fluvio-spu:preflight": "false" },
  });
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

/** The component's own work for one run: validate, plan and build the plain container specs. */
function planAndSpec(spus: number): unknown {
  const spec = parseClusterSpec(benchCluster(spus));
  return buildDockerSpecs(planCluster(spec, { stack: "bench" }));
}

export async function run(): Promise<void> {
  const figures: Figure[] = [];
  const chains: string[] = [];
  for (const spus of SIZES) {
    const sample = await runProgram(spus);
    const chain = longestChain(sample.resources);
    const ms = await medianMs(spus >= 100 ? 3 : 5, () => runProgram(spus));
    const ownMs = await medianMs(9, () => planAndSpec(spus));
    figures.push({ name: `program under mocks, ${spus} SPU${spus === 1 ? "" : "s"} (${sample.resources.length} resources)`, value: ms, unit: "ms", note: "median" });
    figures.push({ name: `  of which plan + plain Docker spec (the component's own work)`, value: ownMs, unit: "ms", note: `${((ownMs / ms) * 100).toFixed(1)} %; the rest is Pulumi's SDK` });
    figures.push({ name: `longest dependency chain, ${spus} SPU${spus === 1 ? "" : "s"}`, value: chain.length, unit: "resources" });
    chains.push(`${spus} SPU${spus === 1 ? "" : "s"}: ${chain.join(" → ")}`);
  }
  printFigures("root program on Docker under mocks", figures);
  console.log(`  chains:\n${chains.map((chain) => `    ${chain}`).join("\n")}`);
}
