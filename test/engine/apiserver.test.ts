/**
 * The prod stack against a real Kubernetes API server (etcd, kube-apiserver and the controller
 * manager of `npm run control-plane -- start`; pods land on kwok's fake nodes): the objects the
 * project's program declares, sent the way the Kubernetes provider sends them (server-side
 * apply), must be admitted, stored as declared, and keep still when nothing changes.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseClusterSpec } from "../../src/config/schema";
import { loadRegistry } from "../../src/config/stack";
import { isConfigError } from "../../src/errors";
import { planCluster } from "../../src/plan/plan";
import { recordOf } from "../../src/plan/record";
import { EMPTY_REGISTRY, withRecord } from "../../src/ports/registry";
import { applyAll, readAll, fingerprints, rewrittenFields } from "./support/apply";
import { deleteNamespace, Kube, keyOf } from "./support/kube";
import { lockCluster } from "./support/cluster-lock";
import { clusterObjects, prodCluster, programObjects, retainedOnDestroy } from "./support/program";
import { engineTierSkip, KUBECONFIG, PROJECT_ROOT } from "./support/toolchain";

type Obj = Record<string, any>;

const skip = engineTierSkip("test/engine/apiserver.test.ts", { engines: ["etcd", "kube-apiserver", "kube-controller-manager"], controlPlane: true });
// Real servers: the controller manager and namespace deletion take seconds, not milliseconds.
// The lock may wait for another file's whole run.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 600_000 });

// The prod stack's namespace and NodePorts are the ones test/engine/engine.test.ts deploys: one file at a time.
if (skip === undefined) {
  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await lockCluster();
  });
  afterAll(() => release?.());
}

const NODE_LABEL = "fluvio-spu.node";
const nodeOf = (object: Obj): string => object.metadata.labels?.[NODE_LABEL] ?? "";

function planFor(cluster: Obj) {
  const spec = parseClusterSpec({ name: "fluvio", ...cluster });
  return planCluster(spec, { stack: "prod", project: "fluvio-spu", registry: loadRegistry(PROJECT_ROOT) });
}

describe.skipIf(skip !== undefined)("the prod stack's objects on a real kube-apiserver", () => {
  let kube: Kube;
  const prod = prodCluster();
  const plan = planFor(prod);
  let objects: Obj[] = [];
  let firstVersions: Record<string, string> = {};

  beforeAll(async () => {
    kube = new Kube(KUBECONFIG);
    await deleteNamespace(kube, prod.kubernetes.namespace);
    objects = await programObjects("prod");
  });

  afterAll(async () => {
    if (kube) await deleteNamespace(kube, prod.kubernetes.namespace);
  });

  it("the API server admits every object the program declares, and stores each as declared", async () => {
    expect(objects.length).toBeGreaterThan(30);
    await applyAll(kube, objects);
    const stored = await readAll(kube, objects);
    const rewritten = objects.flatMap((object) => {
      const { stringData: _writeOnly, ...declared } = object;
      return rewrittenFields(declared, stored.get(keyOf(object))).map((path) => `${keyOf(object)} ${path}`);
    });
    expect(rewritten).toEqual([]);
    firstVersions = fingerprints(stored);
  });

  it("stores the Spu resources and reads them back with the plan's endpoints", async () => {
    const spus = await kube.list("fluvio.infinyon.com/v1", "Spu", prod.kubernetes.namespace);
    expect(spus.map((spu) => spu.spec.spuId).sort()).toEqual(plan.spus.map((spu) => spu.id).sort());
    for (const spu of plan.spus) {
      const stored = spus.find((entry) => entry.spec.spuId === spu.id)!;
      expect(stored.metadata.name).toBe(spu.name);
      expect(stored.spec.publicEndpoint).toMatchObject({ port: spu.endpoints.public.port, encryption: spu.endpoints.public.encryption });
      expect(stored.spec.publicEndpoint.ingress).toEqual([{ hostname: spu.endpoints.public.host }]);
      expect(stored.spec.privateEndpoint).toEqual(spu.endpoints.private);
      expect(stored.spec.publicEndpointLocal).toEqual(spu.endpoints.local);
      expect(stored.spec.rack).toBe(spu.rack);
    }
  });

  it("every Service has the planned port and targetPort, and the NodePort allocator accepted every planned NodePort", async () => {
    const services = await kube.list("v1", "Service", prod.kubernetes.namespace);
    expect(services).toHaveLength(2 + 2 * plan.spus.length);
    const byName = new Map(services.map((service) => [service.metadata.name as string, service]));
    const sc = byName.get(plan.sc.name)!;
    expect(sc.spec.type).toBe("NodePort");
    expect(sc.spec.ports).toMatchObject([{ port: plan.sc.ports.public, targetPort: plan.sc.ports.public, nodePort: plan.sc.ports.nodePort }]);
    expect(byName.get(`${plan.sc.name}-internal`)!.spec.ports).toContainEqual(expect.objectContaining({ port: plan.sc.ports.private, targetPort: plan.sc.ports.private }));
    for (const spu of plan.spus) {
      const publicService = byName.get(spu.host)!;
      expect(publicService.spec.ports).toMatchObject([{ port: spu.ports.public, targetPort: spu.ports.public, nodePort: spu.ports.nodePort }]);
      const internal = byName.get(`${spu.host}-internal`)!;
      expect(internal.spec.ports).toContainEqual(expect.objectContaining({ port: spu.ports.private, targetPort: spu.ports.private }));
      if (spu.ports.metrics !== undefined) expect(internal.spec.ports).toContainEqual(expect.objectContaining({ port: spu.ports.metrics, targetPort: spu.ports.metrics }));
    }
    const storedNodePorts = services.flatMap((service) => (service.spec.ports as Obj[]).map((port) => port.nodePort).filter((port) => port !== undefined)).sort();
    const planned = [plan.sc.ports.nodePort, ...plan.spus.map((spu) => spu.ports.nodePort)].sort();
    expect(storedNodePorts).toEqual(planned);
  });

  it("applying the same objects again changes nothing on the server (no field the server fights over)", async () => {
    await applyAll(kube, await programObjects("prod"));
    expect(fingerprints(await readAll(kube, objects))).toEqual(firstVersions);
  });

  it("scaling 5 → 6 → 4 SPUs touches only the SPUs that come or go", async () => {
    const six = { ...prod, spus: [...prod.spus, { id: 5006, rack: "rack-b" }] };
    const four = { ...prod, spus: prod.spus.slice(0, 4) };
    const objectsSix = await programObjects("prod", six);
    const before = fingerprints(await readAll(kube, objects));
    await applyAll(kube, objectsSix);
    const afterSix = fingerprints(await readAll(kube, objectsSix));
    const added = objectsSix.filter((object) => before[keyOf(object)] === undefined);
    expect(new Set(added.map(nodeOf))).toEqual(new Set(["spu-5006"]));
    expect(added.map((object) => object.kind).sort()).toEqual(["NetworkPolicy", "Service", "Service", "Spu", "StatefulSet"]);
    const changed = Object.keys(before).filter((key) => afterSix[key] !== before[key]);
    expect(changed).toEqual([]);

    // Down to four: what `up` deletes is what the program no longer declares.
    const objectsFour = await programObjects("prod", four);
    const keep = new Set(objectsFour.map(keyOf));
    const gone = objectsSix.filter((object) => !keep.has(keyOf(object)));
    expect(new Set(gone.map(nodeOf))).toEqual(new Set(["spu-5005", "spu-5006"]));
    for (const object of gone) expect((await kube.delete(object)).status).toBeLessThan(300);
    await applyAll(kube, objectsFour);
    const afterFour = fingerprints(await readAll(kube, objectsFour));
    expect(Object.keys(afterFour).filter((key) => afterFour[key] !== afterSix[key])).toEqual([]);
    objects = objectsFour;
  });

  it("destroy leaves what retention says: the Namespace, the SPUs' volume claims and the SC's metadata", async () => {
    const namespace = prod.kubernetes.namespace as string;
    // The controller manager's StatefulSet controller creates each SPU's volume claim.
    const claimsOf = async () => (await kube.list("v1", "PersistentVolumeClaim", namespace)).map((claim) => claim.metadata.name as string).sort();
    const spuIds = prod.spus.slice(0, 4).map((spu: Obj) => spu.id as number);
    await kube.waitFor("a volume claim per SPU", async () => (await claimsOf()).length >= spuIds.length, 60_000);
    const claims = await claimsOf();
    for (const id of spuIds) expect(claims.some((claim) => claim.includes(`spu-${id}`)), `claim of spu-${id} in ${claims.join(", ")}`).toBe(true);
    // The SC keeps its metadata (topics, partitions) as resources of the Fluvio CRDs, as on
    // Docker it keeps it in the retained metadata volume: one topic, as the SC would write it.
    const topic = { apiVersion: "fluvio.infinyon.com/v2", kind: "Topic", metadata: { name: "events", namespace }, spec: { replicas: { computed: { partitions: 1, replicationFactor: 1 } } } };
    kube.learn({ spec: { names: { kind: "Topic", plural: "topics" }, scope: "Namespaced" } });
    const created = await kube.apply(topic);
    expect(created.status, created.body.message).toBeLessThan(300);

    // What `pulumi destroy` deletes: every object the program does not mark retainOnDelete.
    const destroyed = objects.filter((object) => !retainedOnDestroy(object));
    const retained = objects.filter(retainedOnDestroy);
    expect(retained.map((object) => object.kind)).toContain("Namespace");
    for (const object of [...destroyed].reverse()) expect((await kube.delete(object)).status, keyOf(object)).toBeLessThan(300);
    for (const object of destroyed) {
      await kube.waitFor(`${keyOf(object)} deleted`, async () => (await kube.get(object)).status === 404, 60_000);
    }
    for (const object of retained) expect((await kube.get(object)).status, keyOf(object)).toBe(200);
    // The StatefulSets' retention policy is Retain: the data outlives the cluster...
    expect(await claimsOf()).toEqual(claims);
    // ...and so does the metadata that says what the data is (deleting a CRD deletes every
    // resource of its kind, in every namespace: another cluster's too).
    const survivor = await kube.get(topic);
    expect(survivor.status, "the SC's Topic after destroy").toBe(200);
  });
});

/**
 * The README's `kubectl apply -f render/prod/kubernetes.yaml`, for real (no kubectl here: each
 * document applied the same way): the rendered file must be what the API server admits too.
 */
describe.skipIf(skip !== undefined)("the rendered prod manifests on a real kube-apiserver", () => {
  let kube: Kube;
  let documents: Obj[] = [];
  const namespace = prodCluster().kubernetes.namespace as string;

  beforeAll(async () => {
    kube = new Kube(KUBECONFIG);
    const out = mkdtempSync(join(tmpdir(), "fluvio-spu-render-"));
    const render = spawnSync(process.execPath, [join(PROJECT_ROOT, "bin/fluvio-ports.js"), "render", "--stack", "prod", "--out", out], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(render.status, render.stderr).toBe(0);
    documents = parseAllDocuments(readFileSync(join(out, "kubernetes.yaml"), "utf8")).map((document) => document.toJS() as Obj).filter((document) => document);
    rmSync(out, { recursive: true, force: true });
    await deleteNamespace(kube, namespace);
  });

  afterAll(async () => {
    if (kube) await deleteNamespace(kube, namespace);
  });

  it("admits every rendered document and stores it as rendered", async () => {
    expect(documents.length).toBeGreaterThan(30);
    await applyAll(kube, documents);
    const stored = await readAll(kube, documents);
    expect(documents.flatMap((document) => rewrittenFields(document, stored.get(keyOf(document))).map((path) => `${keyOf(document)} ${path}`))).toEqual([]);
  });
});

/**
 * Two Fluvio clusters in one Kubernetes cluster. They share one NodePort space; the second stack
 * plans around the first's record in the port registry (same `host`). In this file, after the
 * prod stack: the CRDs are cluster-wide and the prod stack's destroy removes them.
 */
describe.skipIf(skip !== undefined)("two clusters in one Kubernetes cluster", () => {
  let kube: Kube;
  const HOST = "engine-k8s";
  const cluster = (namespace: string, extra: Obj = {}): Obj => ({
    target: "kubernetes",
    environment: "prod",
    host: HOST,
    spus: 3,
    ports: { nodePort: "31000-31099" },
    kubernetes: { namespace, serviceType: "NodePort", ...extra },
  });
  const blueConfig = cluster("fluvio-blue");
  // The CRDs are there once the first cluster installed them (README: installCrds: false).
  const greenConfig = cluster("fluvio-green", { installCrds: false });

  let blueObjects: Obj[] = [];

  beforeAll(async () => {
    kube = new Kube(KUBECONFIG);
    for (const namespace of ["fluvio-blue", "fluvio-green"]) await deleteNamespace(kube, namespace);
  });

  afterAll(async () => {
    if (kube) for (const namespace of ["fluvio-blue", "fluvio-green"]) await deleteNamespace(kube, namespace);
  });

  it("both come up side by side, and no NodePort collides", async () => {
    const blue = await clusterObjects("blue", "fluvio", blueConfig, EMPTY_REGISTRY);
    const registry = withRecord(EMPTY_REGISTRY, recordOf(blue.plan));
    const green = await clusterObjects("green", "fluvio", greenConfig, registry);
    blueObjects = blue.objects;
    await applyAll(kube, blue.objects);
    // Green's CRD-backed Spu objects need the kinds blue's CRDs taught the client.
    await applyAll(kube, green.objects);
    const nodePorts = async (namespace: string) =>
      (await kube.list("v1", "Service", namespace)).flatMap((service) => (service.spec.ports as Obj[]).map((port) => port.nodePort).filter((port) => port !== undefined) as number[]);
    const blueNodePorts = await nodePorts("fluvio-blue");
    const greenNodePorts = await nodePorts("fluvio-green");
    expect(blueNodePorts).toHaveLength(4);
    expect(greenNodePorts).toHaveLength(4);
    expect(blueNodePorts.filter((port) => greenNodePorts.includes(port))).toEqual([]);
    expect((await kube.list("fluvio.infinyon.com/v1", "Spu", "fluvio-blue")).length).toBe(3);
    expect((await kube.list("fluvio.infinyon.com/v1", "Spu", "fluvio-green")).length).toBe(3);
  });

  it("a pair forced to collide is refused by the planner, with the plan's message, before anything is applied", async () => {
    const blue = await clusterObjects("blue", "fluvio", blueConfig, EMPTY_REGISTRY);
    const taken = blue.plan.spus[0]!.ports.nodePort!;
    const registry = withRecord(EMPTY_REGISTRY, recordOf(blue.plan));
    const colliding = { ...greenConfig, kubernetes: { ...greenConfig.kubernetes, namespace: "fluvio-red" }, spus: [{ id: 5001, nodePort: taken }] };
    let refused: unknown;
    try {
      await clusterObjects("red", "fluvio", colliding, registry);
    } catch (error) {
      refused = error;
    }
    expect(isConfigError(refused), String(refused)).toBe(true);
    expect(String((refused as Error).message)).toMatch(new RegExp(`${taken}[\\s\\S]*stack blue|stack blue[\\s\\S]*${taken}`));
    // Nothing of the refused cluster reached the API server.
    expect((await kube.get({ apiVersion: "v1", kind: "Namespace", metadata: { name: "fluvio-red" } })).status).toBe(404);
    // And the collision is real: the API server's allocator would refuse the same NodePort, with its own message.
    const probe = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "collision-probe", namespace: "fluvio-green" },
      spec: { type: "NodePort", selector: { app: "none" }, ports: [{ port: 1, nodePort: taken }] },
    };
    const response = await kube.request("POST", kube.path("v1", "Service", "fluvio-green"), probe);
    expect(response.status).toBe(422);
    expect(response.body.message).toMatch(/already allocated/);
  });

  it("destroying the cluster that installed the CRDs leaves the other cluster's resources alone", async () => {
    const greenSpus = async () => (await kube.list("fluvio.infinyon.com/v1", "Spu", "fluvio-green")).map((spu) => spu.metadata.name as string).sort();
    const before = await greenSpus();
    expect(before).toHaveLength(3);
    const destroyed = blueObjects.filter((object) => !retainedOnDestroy(object));
    for (const object of [...destroyed].reverse()) expect((await kube.delete(object)).status, keyOf(object)).toBeLessThan(300);
    for (const object of destroyed) await kube.waitFor(`${keyOf(object)} deleted`, async () => (await kube.get(object)).status === 404, 60_000);
    expect(await greenSpus()).toEqual(before);
    expect((await kube.list("v1", "Service", "fluvio-green")).length).toBe(2 + 2 * 3);
  });
});
