/**
 * The project's program under the real Pulumi engine: the CLI built from
 * github.com/pulumi/pulumi/pkg/v3 by `npm run toolchain`, its Node.js language host and the real
 * Kubernetes provider (4.34.2), against the control plane of `npm run control-plane -- start`
 * (kube-scheduler places the pods on kwok's fake nodes, which mark them Running and Ready), on a
 * file:// backend in a temporary folder. Pulumi's own readiness waits run as on any cluster:
 * nothing here or in src sets `pulumi.com/skipAwait`.
 *
 * One stack per part, shared by its ordered tests: the prod stack through the Automation API
 * (up, no-op up, scaling, refresh, an out-of-band change taken back by up --refresh, destroy), then the README's command on
 * the project folder through the CLI, with a second cluster beside it.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SpuCluster } from "../../src/component";
import { parseClusterSpec } from "../../src/config/schema";
import { loadRegistry } from "../../src/config/stack";
import { planCluster } from "../../src/plan/plan";
import { recordOf } from "../../src/plan/record";
import { EMPTY_REGISTRY, withRecord } from "../../src/ports/registry";
import { declareCluster } from "../../src/program";
import { engineSandbox, type EngineSandbox } from "./support/automation";
import { lockCluster } from "./support/cluster-lock";
import { deleteNamespace, Kube, unreadyWorkloads } from "./support/kube";
import { prodCluster } from "./support/program";
import { pemMarks, throwawayTls } from "./support/tls";
import { engineTierSkip, KUBECONFIG, KUBERNETES_ENGINES, PROJECT_ROOT, TOOLCHAIN_BIN } from "./support/toolchain";

type Obj = Record<string, any>;

const FILE = "test/engine/engine.test.ts";
const skip = engineTierSkip(FILE, { engines: ["pulumi"] });
const skipKubernetes = engineTierSkip(FILE, { engines: KUBERNETES_ENGINES, controlPlane: true });
// A real engine run starts the CLI and a gRPC round trip per resource; the lock may wait for
// test/engine/apiserver.test.ts to finish with the cluster.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 600_000 });

describe.skipIf(skip !== undefined)("the real Pulumi engine (Automation API, file:// backend)", () => {
  let sandbox: EngineSandbox;

  beforeAll(async () => {
    sandbox = await engineSandbox();
  });

  afterAll(() => sandbox?.dispose());

  it("runs the CLI built from the Go modules, at @pulumi/pulumi's version", async () => {
    const stack = await sandbox.stack({ projectName: "fluvio-spu", stackName: "version", program: async () => ({}) });
    const wanted = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")).devDependencies["@pulumi/pulumi"] as string;
    expect(stack.workspace.pulumiVersion).toBe(wanted);
  });

  it("a cluster whose NodePort collides with another stack's is refused by the planner, with the plan's message, and nothing is created", async () => {
    const host = "engine-k8s";
    const blueConfig = { target: "kubernetes", environment: "prod", host, spus: 3, ports: { nodePort: "31000-31099" }, kubernetes: { namespace: "fluvio-blue" } } as const;
    const blueSpec = parseClusterSpec({ name: "fluvio", ...blueConfig });
    const bluePlan = planCluster(blueSpec, { stack: "blue", project: "fluvio-spu" });
    const taken = bluePlan.spus[0]!.ports.nodePort!;
    const registry = withRecord(EMPTY_REGISTRY, recordOf(bluePlan));
    const program = async () => {
      const red = new SpuCluster("fluvio", {
        ...blueConfig,
        kubernetes: { namespace: "fluvio-red", installCrds: false },
        spus: [{ id: 5001, nodePort: taken }],
        registry,
      } as any);
      return { spus: red.spus };
    };
    const stack = await sandbox.stack({ projectName: "fluvio-spu", stackName: "red", program });
    let output = "";
    let failure: unknown;
    try {
      await stack.up({ onOutput: (text) => (output += text) });
    } catch (error) {
      failure = error;
    }
    expect(failure, output).toBeDefined();
    const message = `${output}\n${String((failure as Error).message)}`;
    expect(message).toMatch(new RegExp(`spus\\[0\\]\\.nodePort`));
    expect(message).toMatch(new RegExp(`${taken}`));
    expect(message).toMatch(/stack blue/);
    // The planner, not the API server nor a provider, said no.
    expect(message).not.toMatch(/already allocated|pulumi-resource-kubernetes/);
    const state = (await stack.exportStack()).deployment as Obj;
    const types = ((state.resources ?? []) as Obj[]).map((resource) => resource.type as string);
    expect(types.filter((type) => type.startsWith("kubernetes:") || type.startsWith("pulumi:providers:"))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Shared by the Kubernetes parts.

const NAMESPACE = prodCluster().kubernetes.namespace as string;
const SECOND_NAMESPACE = "fluvio-green";

/** One change the engine made (or planned): its operation, type token and logical name. */
interface Change {
  op: string;
  type: string;
  name: string;
}

/** Every step of a run that is not "same" (nor a read or refresh of an unchanged resource). */
function changesOf(events: EngineEvent[]): Change[] {
  return events
    .map((event) => event.resourcePreEvent?.metadata)
    .filter((step): step is NonNullable<typeof step> => step !== undefined && !["same", "read", "refresh"].includes(step.op))
    .map((step) => ({ op: step.op, type: step.type, name: step.urn.slice(step.urn.lastIndexOf("::") + 2) }));
}

/** The kind of a `kubernetes:<group>/<version>:<Kind>` type token. */
const kindOf = (type: string): string => type.slice(type.lastIndexOf(":") + 1);

/** The Kubernetes objects the stack's state holds, by their inputs. */
async function stateObjects(stack: Stack): Promise<Obj[]> {
  const state = (await stack.exportStack()).deployment as Obj;
  return ((state.resources ?? []) as Obj[]).filter((resource) => String(resource.type).startsWith("kubernetes:") && resource.custom);
}

/** The prod stack's cluster config, varied; the stack file's when no change is given. */
const prodWith = (change: Obj = {}): Obj => ({ ...prodCluster(), ...change });

/** A client that knows the Fluvio kind the tests read. */
function kubeClient(): Kube {
  const kube = new Kube(KUBECONFIG);
  kube.learn({ spec: { names: { kind: "Spu", plural: "spus" }, scope: "Namespaced" } });
  return kube;
}

/** Every file under a file:// backend's folder. */
function stateFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The NodePorts of the Services in a namespace. */
async function nodePortsOf(kube: Kube, namespace: string): Promise<number[]> {
  return (await kube.list("v1", "Service", namespace)).flatMap((service) => (service.spec.ports as Obj[]).map((port) => port.nodePort as number | undefined).filter((port): port is number => port !== undefined));
}

describe.skipIf(skipKubernetes !== undefined)("the prod stack under the real engine, through the Automation API (TLS on)", () => {
  let release: () => void = () => {};
  let sandbox: EngineSandbox;
  let stack: Stack;
  let kube: Kube;
  const tlsNames = [`*.${NAMESPACE}.svc.cluster.local`, "localhost"];
  const tls = throwawayTls(tlsNames);

  async function setCluster(cluster: Obj): Promise<void> {
    await stack.setConfig("fluvio-spu:cluster", { value: JSON.stringify(cluster) });
  }

  async function up(options: { refresh?: boolean } = {}): Promise<{ changes: Change[]; output: string; summary: Obj }> {
    const events: EngineEvent[] = [];
    let output = "";
    const result = await stack.up({ ...options, onEvent: (event) => events.push(event), onOutput: (text) => (output += text) });
    return { changes: changesOf(events), output, summary: result.summary as Obj };
  }

  beforeAll(async () => {
    release = await lockCluster();
    kube = kubeClient();
    await deleteNamespace(kube, NAMESPACE);
    sandbox = await engineSandbox({ KUBECONFIG });
    // The project's own program (src/program.ts), run in this process by the Automation API.
    stack = await sandbox.stack({ projectName: "fluvio-spu", stackName: "prod", program: async () => declareCluster() });
    await setCluster(prodWith({ tls: { enabled: true } }));
    await stack.setConfig("fluvio-spu:tlsServerCert", { value: tls.serverCert, secret: true });
    await stack.setConfig("fluvio-spu:tlsServerKey", { value: tls.serverKey, secret: true });
    await stack.setConfig("fluvio-spu:tlsCaCert", { value: tls.caCert, secret: true });
  });

  afterAll(async () => {
    try {
      if (kube) await deleteNamespace(kube, NAMESPACE);
    } finally {
      sandbox?.dispose();
      release();
    }
  });

  it("up creates every object and waits, as Pulumi does, until the SC's Deployment and every SPU's StatefulSet are rolled out", async () => {
    const { changes } = await up();
    const created = changes.filter((change) => change.type.startsWith("kubernetes:"));
    expect(created.length).toBeGreaterThan(30);
    expect(new Set(created.map((change) => change.op))).toEqual(new Set(["create"]));
    // Pulumi returned only once the workloads were ready: they are, right now, with no waiting here.
    expect(await unreadyWorkloads(kube, NAMESPACE)).toEqual([]);
    const pods = await kube.list("v1", "Pod", NAMESPACE);
    expect(pods).toHaveLength(1 + prodCluster().spus.length);
    for (const pod of pods) expect(pod.status.phase, pod.metadata.name).toBe("Running");
    // No object asks the provider to skip its readiness wait.
    const annotations = (await stateObjects(stack)).flatMap((resource) => Object.keys(resource.inputs?.metadata?.annotations ?? {}));
    expect(annotations.filter((annotation) => annotation.startsWith("pulumi.com/skipAwait"))).toEqual([]);
  });

  it("the state holds no PEM text, plain or base64, though the TLS Secret is in it and in the cluster", async () => {
    // The files on disk, as the backend wrote them (the stack, its history and backups). Not
    // `exportStack()`: the Automation API exports with --show-secrets, so secrets come decrypted.
    const files = stateFiles(join(sandbox.dir, "state"));
    const stackFile = files.find((file) => file.endsWith("prod.json"));
    expect(stackFile, files.join(", ")).toBeDefined();
    expect(readFileSync(stackFile!, "utf8")).toContain("kubernetes:core/v1:Secret");
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect(pemMarks(text), file).toEqual([]);
      for (const pem of [tls.serverCert, tls.serverKey, tls.caCert]) expect(text, file).not.toContain(pem.split("\n")[1]!);
    }
    const secret = (await kube.list("v1", "Secret", NAMESPACE)).find((candidate) => candidate.metadata.name.endsWith("-tls"))!;
    expect(Buffer.from(Object.values(secret.data as Record<string, string>)[0]!, "base64").toString()).toMatch(/-----BEGIN/);
  });

  it("a second up changes nothing", async () => {
    const { changes, summary } = await up();
    expect(changes).toEqual([]);
    expect(Object.keys(summary.resourceChanges ?? {})).toEqual(["same"]);
  });

  it("scaling 5 → 6 → 4 SPUs creates, then deletes, only the objects of the SPUs that come or go", async () => {
    const five = prodWith({ tls: { enabled: true } });
    await setCluster({ ...five, spus: [...five.spus, { id: 5006, rack: "rack-b" }] });
    const six = await up();
    expect(six.changes.every((change) => change.op === "create" && change.name.includes("spu-5006")), JSON.stringify(six.changes)).toBe(true);
    expect(six.changes.map((change) => kindOf(change.type)).sort()).toEqual(["NetworkPolicy", "Service", "Service", "Spu", "StatefulSet"]);
    expect(await unreadyWorkloads(kube, NAMESPACE)).toEqual([]);

    await setCluster({ ...five, spus: five.spus.slice(0, 4) });
    const four = await up();
    expect(four.changes.every((change) => change.op === "delete" && /spu-500[56]/.test(change.name)), JSON.stringify(four.changes)).toBe(true);
    expect(four.changes).toHaveLength(10);
    const statefulSets = (await kube.list("apps/v1", "StatefulSet", NAMESPACE)).map((set) => set.metadata.name as string).sort();
    expect(statefulSets.map((name) => name.replace(/^.*-spu-/, ""))).toEqual(["5001", "5002", "5003", "5004"]);
  });

  it("refresh finds no drift", async () => {
    const events: EngineEvent[] = [];
    const result = await stack.refresh({ onEvent: (event) => events.push(event) });
    const changed = Object.entries((result.summary.resourceChanges ?? {}) as Record<string, number>).filter(([op]) => op !== "same");
    expect(changed).toEqual([]);
    const drift = events.map((event) => event.resOutputsEvent?.metadata).filter((step) => step !== undefined && step.op !== "same" && step.op !== "refresh");
    expect(drift).toEqual([]);
  });

  it("an SPU scaled to 0 by another field manager is scaled back by the next up --refresh, with no field conflict", async () => {
    const target = (await kube.list("apps/v1", "StatefulSet", NAMESPACE))[0]!;
    // What `kubectl scale sts … --replicas 0` does through another client: .spec.replicas owned by someone else.
    const patch = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: target.metadata.name, namespace: NAMESPACE }, spec: { replicas: 0 } };
    const scaled = await kube.request("PATCH", `${kube.pathOf(patch)}?fieldManager=oncall-kubectl&force=true`, patch, "application/apply-patch+yaml");
    expect(scaled.status, scaled.body.message).toBe(200);
    expect(scaled.body.spec.replicas).toBe(0);

    // Pulumi sees drift on a refresh: `pulumi up --refresh`. The update it makes is a server-side
    // apply that must take .spec.replicas back from the other manager (pulumi.com/patchForce).
    const { changes, output } = await up({ refresh: true });
    expect(output).not.toMatch(/field conflict/i);
    expect(changes.map((change) => `${change.op} ${kindOf(change.type)}`)).toEqual(["update StatefulSet"]);
    expect(changes[0]!.name).toContain(target.metadata.name);
    const after = await kube.get(patch);
    expect(after.body.spec.replicas).toBe(1);
    expect(await unreadyWorkloads(kube, NAMESPACE)).toEqual([]);
  });

  it("destroy deletes every object but what retention keeps: the Namespace, the CRDs and the SPUs' volume claims", async () => {
    const claimsBefore = (await kube.list("v1", "PersistentVolumeClaim", NAMESPACE)).map((claim) => claim.metadata.name as string).sort();
    // Every SPU that ever ran left its claim (the StatefulSets' retention policy is Retain), 5005 and 5006 too.
    expect(claimsBefore).toHaveLength(6);
    const crds = (await stateObjects(stack)).filter((resource) => resource.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
    expect(crds.length).toBeGreaterThan(0);
    await stack.destroy();
    expect(await stateObjects(stack)).toEqual([]);
    expect((await kube.get({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } })).status).toBe(200);
    for (const crd of crds) {
      const stored = await kube.get({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: crd.inputs.metadata.name } });
      expect(stored.status, crd.inputs.metadata.name).toBe(200);
    }
    expect((await kube.list("v1", "PersistentVolumeClaim", NAMESPACE)).map((claim) => claim.metadata.name as string).sort()).toEqual(claimsBefore);
    for (const kind of ["Service", "Secret", "ServiceAccount"]) {
      // The namespace's own `default` ServiceAccount is Kubernetes', not the stack's.
      const left = (await kube.list("v1", kind, NAMESPACE)).map((object) => object.metadata.name as string).filter((name) => name !== "default");
      expect(left, kind).toEqual([]);
    }
    for (const kind of ["Deployment", "StatefulSet"]) expect(await kube.list("apps/v1", kind, NAMESPACE), kind).toEqual([]);
    expect(await kube.list("fluvio.infinyon.com/v1", "Spu", NAMESPACE)).toEqual([]);
  });
});

/** Runs a command on the project folder as a user would, with the toolchain first on PATH and a throwaway backend. */
function runCommand(command: string, args: string[], env: Record<string, string>, timeoutMs = 300_000): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`${command} ${args.join(" ")}: no end in ${timeoutMs} ms; output so far:\n${output}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

describe.skipIf(skipKubernetes !== undefined)("the README's command on the project folder, through the CLI, and a second cluster beside it", () => {
  let release: () => void = () => {};
  let sandbox: EngineSandbox;
  let env: Record<string, string>;
  let kube: Kube;
  const stackFile = join(PROJECT_ROOT, "stacks", "Pulumi.prod.yaml");
  // `pulumi stack select --create` writes the backend's encryption salt into the stack file: put it back after.
  const stackFileBefore = readFileSync(stackFile, "utf8");
  let prodSpus: string[] = [];

  beforeAll(async () => {
    release = await lockCluster();
    kube = kubeClient();
    await deleteNamespace(kube, NAMESPACE);
    await deleteNamespace(kube, SECOND_NAMESPACE);
    sandbox = await engineSandbox({ KUBECONFIG });
    env = { ...sandbox.envVars, PATH: `${TOOLCHAIN_BIN}:${process.env.PATH ?? ""}` };
  });

  afterAll(async () => {
    try {
      writeFileSync(stackFile, stackFileBefore);
      if (kube) for (const namespace of [NAMESPACE, SECOND_NAMESPACE]) await deleteNamespace(kube, namespace);
    } finally {
      sandbox?.dispose();
      release();
    }
  });

  it("npm run up -- prod --yes runs to the end, and Pulumi's readiness waits complete", async () => {
    const run = await runCommand("npm", ["run", "up", "--", "prod", "--yes"], env);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/Resources:\s*\n\s*\+ \d+ created/);
    expect(run.output).not.toMatch(/skipAwait/);
    expect(await unreadyWorkloads(kube, NAMESPACE)).toEqual([]);
    prodSpus = (await kube.list("fluvio.infinyon.com/v1", "Spu", NAMESPACE)).map((spu) => spu.metadata.name as string).sort();
    expect(prodSpus).toHaveLength(prodCluster().spus.length);
  });

  it("a second pulumi up on the project folder changes nothing", async () => {
    const run = await runCommand("pulumi", ["up", "--stack", "prod", "--yes", "--expect-no-changes"], env);
    expect(run.status, run.output).toBe(0);
    expect(run.output).not.toMatch(/\+ \d+ to create|~ \d+ to update|- \d+ to delete/);
  });

  it("a second cluster shares the API server: planned around the first, both roll out, and its destroy leaves the first alone", async () => {
    const registry = loadRegistry(PROJECT_ROOT);
    const prodPlan = planCluster(parseClusterSpec({ name: "fluvio", ...prodCluster() }), { stack: "prod", project: "fluvio-spu", registry });
    const green = { target: "kubernetes", environment: "prod", spus: 3, kubernetes: { namespace: SECOND_NAMESPACE, serviceType: "NodePort", installCrds: false } };
    const program = async () => {
      const cluster = new SpuCluster("fluvio", { ...(green as any), registry: withRecord(registry, recordOf(prodPlan)), preflight: false });
      return { spus: cluster.spus };
    };
    const stack = await sandbox.stack({ projectName: "fluvio-spu", stackName: "green", program });
    await stack.up();
    expect(await unreadyWorkloads(kube, SECOND_NAMESPACE)).toEqual([]);
    const prodPorts = await nodePortsOf(kube, NAMESPACE);
    const greenPorts = await nodePortsOf(kube, SECOND_NAMESPACE);
    expect(greenPorts).toHaveLength(4);
    expect(greenPorts.filter((port) => prodPorts.includes(port))).toEqual([]);
    expect((await kube.list("fluvio.infinyon.com/v1", "Spu", SECOND_NAMESPACE)).length).toBe(3);

    await stack.destroy();
    expect(await kube.list("apps/v1", "StatefulSet", SECOND_NAMESPACE)).toEqual([]);
    expect((await kube.list("fluvio.infinyon.com/v1", "Spu", NAMESPACE)).map((spu) => spu.metadata.name as string).sort()).toEqual(prodSpus);
    expect(await unreadyWorkloads(kube, NAMESPACE)).toEqual([]);
  });

  it("npm run down -- prod --yes destroys the stack and keeps the Namespace with the SPUs' volume claims", async () => {
    const run = await runCommand("npm", ["run", "down", "--", "prod", "--yes"], env);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/deleted/);
    expect((await kube.get({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } })).status).toBe(200);
    expect(await kube.list("apps/v1", "StatefulSet", NAMESPACE)).toEqual([]);
    expect(await kube.list("fluvio.infinyon.com/v1", "Spu", NAMESPACE)).toEqual([]);
    expect((await kube.list("v1", "PersistentVolumeClaim", NAMESPACE)).length).toBe(prodCluster().spus.length);
  });
});
