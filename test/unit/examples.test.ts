/**
 * The example programs under Pulumi's mocks, each with the config its README gives, creating
 * what its README says: examples/two-environments puts dev on Docker and prod on Kubernetes
 * from one program, by stack config alone; examples/two-clusters-one-host runs two clusters on
 * one Docker host with no host port, container, volume or network in common. The README's
 * `fluvio-ports` commands run here too.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli";
import { SPU_CLUSTER_TYPE } from "../../src/component";
import { parseClusterSpec } from "../../src/config/schema";
import { readClusterConfig, readStackConfig } from "../../src/config/stack";
import { planCluster } from "../../src/plan/plan";
import { MOCK_BRIDGE_GATEWAY, PROJECT_ROOT, runUnderMocks, valueOf, type MockRun, type RecordedResource } from "../support/pulumi";

const TWO_ENVIRONMENTS = join(PROJECT_ROOT, "examples/two-environments");
const TWO_CLUSTERS = join(PROJECT_ROOT, "examples/two-clusters-one-host");
const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";
const BRIDGE_GATEWAY = MOCK_BRIDGE_GATEWAY;
/** Preflight probes this machine's ports; under mocks there is nothing to protect. */
const NO_PREFLIGHT = { "fluvio-spu:preflight": "false" };


/** Runs an example's index.ts afresh (a new module instance) as stack `stack` with `config`. */
async function runExample(dir: string, stack: string, config: Record<string, string>) {
  vi.resetModules();
  return runUnderMocks({ stack, stackFile: false, extraConfig: config, program: () => import(join(dir, "index.ts")) as Promise<Record<string, unknown>> });
}

const hostPortsOf = (container: RecordedResource): number[] => (container.inputs.ports ?? []).map((port: { external: number }) => port.external);
const kubernetesResources = (run: MockRun) => run.resources.filter((resource) => resource.type.startsWith("kubernetes:"));
const dockerResources = (run: MockRun) => run.resources.filter((resource) => resource.type.startsWith("docker:"));

describe("examples/two-environments", () => {
  it("dev (Pulumi.dev.yaml): containers on Docker, nothing on Kubernetes, every published port a planned one", async () => {
    const run = await runExample(TWO_ENVIRONMENTS, "dev", { ...readStackConfig(TWO_ENVIRONMENTS, "dev"), ...NO_PREFLIGHT });
    const plan = planCluster(parseClusterSpec({ name: "fluvio", ...(readClusterConfig(TWO_ENVIRONMENTS, "dev") as object) }), { stack: "dev", project: "fluvio-spu" });
    expect(await valueOf(run.result.target as string)).toBe("docker");
    expect(kubernetesResources(run)).toEqual([]);
    expect(run.byType(SPU_CLUSTER_TYPE)).toHaveLength(1);
    const containers = run.byType(CONTAINER);
    expect(containers.map((container) => container.inputs.name)).toEqual(expect.arrayContaining(["fluvio-dev-sc", "fluvio-dev-spu-5001", "fluvio-dev-spu-5002"]));
    expect([...new Set(containers.flatMap(hostPortsOf))].sort((a, b) => a - b)).toEqual(plan.hostPorts);
    for (const container of containers) for (const port of container.inputs.ports ?? []) expect(port.external).toBe(port.internal);
    const spus = (await valueOf(run.result.spus as never)) as { id: number; public: string }[];
    expect(spus.map((spu) => spu.public)).toEqual(plan.spus.map((spu) => spu.public));
  });

  it("prod (Pulumi.prod.yaml): the same program on Kubernetes, nothing on Docker, SPUs registered as Spu resources", async () => {
    const run = await runExample(TWO_ENVIRONMENTS, "prod", readStackConfig(TWO_ENVIRONMENTS, "prod"));
    expect(await valueOf(run.result.target as string)).toBe("kubernetes");
    expect(dockerResources(run)).toEqual([]);
    const spus = run.byType("kubernetes:fluvio.infinyon.com/v1:Spu").map((resource) => resource.inputs);
    expect(spus.map((spu) => [spu.spec.spuId, spu.spec.rack])).toEqual([
      [5001, "rack-a"],
      [5002, "rack-b"],
      [5003, "rack-a"],
    ]);
    expect(run.byType("kubernetes:apps/v1:StatefulSet")).toHaveLength(3);
    expect(run.byType("kubernetes:core/v1:Namespace").map((resource) => resource.inputs.metadata.name)).toEqual(["fluvio"]);
  });

  it("the stack files differ in config only: same program, same outputs", async () => {
    const dev = await runExample(TWO_ENVIRONMENTS, "dev", { ...readStackConfig(TWO_ENVIRONMENTS, "dev"), ...NO_PREFLIGHT });
    const prod = await runExample(TWO_ENVIRONMENTS, "prod", readStackConfig(TWO_ENVIRONMENTS, "prod"));
    expect(Object.keys(dev.result).sort()).toEqual(Object.keys(prod.result).sort());
    expect(Object.keys(readStackConfig(TWO_ENVIRONMENTS, "dev"))).toEqual(["fluvio-spu:cluster"]);
    expect(Object.keys(readStackConfig(TWO_ENVIRONMENTS, "prod"))).toEqual(["fluvio-spu:cluster"]);
  });

  describe("the README's fluvio-ports commands", () => {
    const out = mkdtempSync(join(tmpdir(), "fluvio-spu-examples-"));
    afterAll(() => rmSync(out, { recursive: true, force: true }));
    const cli = async (args: string[]) => {
      let printed = "";
      let errors = "";
      const code = await main(args, { out: (text) => (printed += text), err: (text) => (errors += text) });
      return { code, printed, errors };
    };

    it.each(["dev", "prod"])("plan --stack %s --root examples/two-environments", async (stack) => {
      const { code, printed, errors } = await cli(["plan", "--stack", stack, "--root", TWO_ENVIRONMENTS]);
      expect(code, errors).toBe(0);
      expect(printed).toContain(`stack ${stack} · cluster fluvio · target ${stack === "dev" ? "docker" : "kubernetes"}`);
    });

    it.each([
      ["dev", "docker-compose.yaml"],
      ["prod", "kubernetes.yaml"],
    ])("render --stack %s --root examples/two-environments --out rendered/%s", async (stack, manifest) => {
      const { code, printed, errors } = await cli(["render", "--stack", stack, "--root", TWO_ENVIRONMENTS, "--out", join(out, stack)]);
      expect(code, errors).toBe(0);
      expect(printed.split("\n").filter(Boolean)).toEqual([manifest, "plan.json", "client-profile.toml", "container-client-profile.toml"].map((file) => join(out, stack, file)));
      expect(JSON.parse(readFileSync(join(out, stack, "plan.json"), "utf8")).target).toBe(stack === "dev" ? "docker" : "kubernetes");
    });
  });
});

describe("examples/two-clusters-one-host", async () => {
  const run = await runExample(TWO_CLUSTERS, "dev", NO_PREFLIGHT);
  const containers = run.byType(CONTAINER);
  const ofCluster = (cluster: string) => containers.filter((container) => String(container.inputs.name).startsWith(`${cluster}-dev-`));
  const ordersPorts = (await valueOf(run.result.ordersHostPorts as never)) as number[];
  const paymentsPorts = (await valueOf(run.result.paymentsHostPorts as never)) as number[];

  it("declares two clusters on Docker, from the same dev preset", () => {
    expect(run.byType(SPU_CLUSTER_TYPE).map((component) => component.name)).toEqual(["orders", "payments"]);
    expect(ofCluster("orders").length).toBeGreaterThan(0);
    expect(ofCluster("payments").length).toBe(ofCluster("orders").length);
    expect(ofCluster("orders").length + ofCluster("payments").length).toBe(containers.length);
    for (const port of [...ordersPorts, ...paymentsPorts]) expect(port).toBeGreaterThanOrEqual(9000);
  });

  it("publishes no host port from both clusters, each container's host port being its container port", () => {
    const published = (cluster: string) => ofCluster(cluster).flatMap(hostPortsOf);
    expect([...new Set(published("orders"))].sort((a, b) => a - b)).toEqual(ordersPorts);
    expect([...new Set(published("payments"))].sort((a, b) => a - b)).toEqual(paymentsPorts);
    expect(ordersPorts.filter((port) => paymentsPorts.includes(port))).toEqual([]);
    for (const container of containers) for (const port of container.inputs.ports ?? []) expect(port.external).toBe(port.internal);
  });

  it("names every container, volume and network apart", () => {
    for (const type of [CONTAINER, VOLUME, NETWORK]) {
      const names = run.byType(type).map((resource) => resource.inputs.name as string);
      expect(new Set(names).size, type).toBe(names.length);
    }
    expect(run.byType(NETWORK).map((network) => network.inputs.name).sort()).toEqual(["orders-dev", "payments-dev"]);
  });

  it("registers each cluster's SPUs at that cluster's own ports", async () => {
    const ordersSpus = (await valueOf(run.result.ordersSpus as never)) as { public: string }[];
    const paymentsSpus = (await valueOf(run.result.paymentsSpus as never)) as { public: string }[];
    const portOf = (endpoint: string) => Number(endpoint.split(":").pop());
    expect(ordersSpus.map((spu) => portOf(spu.public)).every((port) => ordersPorts.includes(port))).toBe(true);
    expect(paymentsSpus.map((spu) => portOf(spu.public)).every((port) => paymentsPorts.includes(port))).toBe(true);
  });
});
