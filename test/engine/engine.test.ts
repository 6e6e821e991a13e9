/**
 * The project's program under the real Pulumi engine: the CLI built from
 * github.com/pulumi/pulumi/pkg/v3 by `npm run toolchain`, driven through the Automation API
 * on a local file:// backend. What needs the Kubernetes provider or the Node.js language host
 * waits for them (see REFUSED_BY_PROXY): it is listed below, skipped with its reason.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SpuCluster } from "../../src/component";
import { parseClusterSpec } from "../../src/config/schema";
import { planCluster } from "../../src/plan/plan";
import { recordOf } from "../../src/plan/record";
import { EMPTY_REGISTRY, withRecord } from "../../src/ports/registry";
import { engineSandbox, type EngineSandbox } from "./support/automation";
import { engineTierSkip, has, PROJECT_ROOT, REFUSED_BY_PROXY } from "./support/toolchain";

type Obj = Record<string, any>;

const FILE = "test/engine/engine.test.ts";
const skip = engineTierSkip(FILE, { engines: ["pulumi"] });
// A real engine run starts the CLI and a gRPC round trip per resource.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

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
    // The planner, not the API server (there is none in this test) nor a provider, said no.
    expect(message).not.toMatch(/already allocated|pulumi-resource-kubernetes/);
    const state = (await stack.exportStack()).deployment as Obj;
    const types = ((state.resources ?? []) as Obj[]).map((resource) => resource.type as string);
    expect(types.filter((type) => type.startsWith("kubernetes:") || type.startsWith("pulumi:providers:"))).toEqual([]);
  });
});

/**
 * What the issue asks of the real engine that needs an engine the toolchain cannot build here.
 * Listed, so that the day the Go module proxy serves them the gap is visible, not forgotten.
 */
const needsProvider = !has("pulumi-resource-kubernetes");
const needsLanguageHost = !has("pulumi-language-nodejs");
describe.skipIf(!needsProvider)(`needs pulumi-resource-kubernetes (the Go module proxy refuses ${REFUSED_BY_PROXY["pulumi-resource-kubernetes"]})`, () => {
  it.todo("the prod stack: up creates every object (with pulumi.com/skipAwait set by this tier only), a second up reports no changes");
  it.todo("scaling 5 → 6 → 4 SPUs through up changes only the SPUs that come or go; refresh finds no drift; destroy keeps the Namespace");
  it.todo("up with TLS keeps the PEM text out of the state file");
  it.todo("preview and up wall time for 5 and 50 SPUs, real engine beside mocks (npm run bench)");
});
describe.skipIf(!needsLanguageHost)(`needs pulumi-language-nodejs (the Go module proxy refuses ${REFUSED_BY_PROXY["pulumi-language-nodejs"]})`, () => {
  it.todo("the README's main command for real: npm run up -- prod --yes against the local API server");
});
