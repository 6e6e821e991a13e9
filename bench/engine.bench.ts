/**
 * Real engines beside the mocks, same run: the root program for 5 and 50 SPUs on Kubernetes
 * under Pulumi's mocks, and the same program's objects applied to the real kube-apiserver of
 * `npm run control-plane -- start` (server-side apply, stage by stage, as the provider sends
 * them), then applied again unchanged. `pulumi preview` / `up` wall times on the real engine
 * need the Kubernetes provider, which the toolchain cannot build here yet: that line says so.
 * Without the toolchain or a running control plane, the section skips with one line.
 */
import { performance } from "node:perf_hooks";
import { applyAll } from "../test/engine/support/apply";
import { Kube } from "../test/engine/support/kube";
import { programObjects } from "../test/engine/support/program";
import { controlPlaneAnswers, has, KUBECONFIG, REFUSED_BY_PROXY } from "../test/engine/support/toolchain";
import { medianMs, printFigures, type Figure } from "./support";

const SIZES = [5, 50];
const NAMESPACE = "fluvio-bench";

function benchCluster(spus: number) {
  return {
    target: "kubernetes",
    environment: "prod",
    spus,
    ports: { nodePort: "32000-32099" },
    kubernetes: { namespace: NAMESPACE, serviceType: "NodePort" },
  };
}

async function deleteNamespace(kube: Kube): Promise<void> {
  const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } };
  if ((await kube.delete(namespace)).status === 404) return;
  await kube.waitFor(`namespace ${NAMESPACE} deleted`, async () => (await kube.get(namespace)).status === 404, 180_000);
}

export async function run(): Promise<void> {
  const section = "real engines beside mocks (Kubernetes target)";
  if (!has("kube-apiserver") || !controlPlaneAnswers()) {
    console.log(`\n## ${section}\n  skipped: no control plane answers (npm run toolchain && npm run control-plane -- start)`);
    return;
  }
  const kube = new Kube(KUBECONFIG);
  const figures: Figure[] = [];
  for (const spus of SIZES) {
    const mocksMs = await medianMs(3, () => programObjects("bench", benchCluster(spus)));
    const objects = await programObjects("bench", benchCluster(spus));
    await deleteNamespace(kube);
    let start = performance.now();
    await applyAll(kube, objects);
    const firstMs = performance.now() - start;
    start = performance.now();
    await applyAll(kube, objects);
    const againMs = performance.now() - start;
    await deleteNamespace(kube);
    figures.push({ name: `program under mocks, ${spus} SPUs (${objects.length} objects)`, value: mocksMs, unit: "ms", note: "median of 3" });
    figures.push({ name: `  its objects applied to kube-apiserver, first time`, value: firstMs, unit: "ms", note: "one run, one request at a time" });
    figures.push({ name: `  the same objects applied again (no change)`, value: againMs, unit: "ms", note: "one run" });
  }
  printFigures(section, figures);
  if (!has("pulumi-resource-kubernetes")) {
    console.log(`  pulumi preview / up on the real engine: not measured: pulumi-resource-kubernetes cannot be built (the Go module proxy refuses ${REFUSED_BY_PROXY["pulumi-resource-kubernetes"]})`);
  }
}
