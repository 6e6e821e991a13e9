/**
 * `SpuCluster` as the `fluvio-spu` package serves it (`construct`), under Pulumi's mocks: the
 * new type token with the former one aliased by the component itself, the same plan from a
 * program's inputs as from TypeScript, and a config error as the component's own text.
 */
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { describe, expect, it } from "vitest";
import { SpuCluster, SPU_CLUSTER_TYPE } from "../../src/component";
import { loadRegistry } from "../../src/config/stack";
import { constructSpuCluster, planOutput } from "../../src/provider/provider";
import { PROJECT_ROOT, runUnderMocks, valueOf } from "../support/pulumi";

type Json = Record<string, any>;

/** The alias specs each registered resource carried, by name (the shared recorder leaves them out). */
const aliasesOf = new Map<string, { type: string; name: string }[]>();
const original = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (this: unknown, req: any, callback: any) {
  const specs = (req.getAliasesList() as any[]).filter((alias) => alias.hasSpec()).map((alias) => ({ type: alias.getSpec().getType() as string, name: alias.getSpec().getName() as string }));
  aliasesOf.set(`${req.getType()}::${req.getName()}`, specs);
  return original.call(this, req, callback);
};

const PROD = {
  target: "kubernetes",
  environment: "prod",
  spus: [5001, 5002, 5003, 5004, 5005].map((id) => ({ id, rack: id % 2 === 1 ? "rack-a" : "rack-b" })),
  kubernetes: { namespace: "fluvio", serviceType: "NodePort", storageSize: "20Gi" },
} as const;

describe("SpuCluster as the fluvio-spu package's resource", () => {
  it("registers as fluvio-spu:index:SpuCluster with the former fluvio:index:SpuCluster as an alias, the caller's aliases kept", async () => {
    const run = await runUnderMocks({ stack: "prod", stackFile: false, program: () => new SpuCluster("fluvio", { ...PROD, spus: [...PROD.spus] }, { aliases: [{ name: "fluvio" }] }) });
    expect(run.byType(SPU_CLUSTER_TYPE).map((component) => component.urn)).toEqual(["urn:pulumi:prod::fluvio-spu::fluvio-spu:index:SpuCluster::fluvio"]);
    expect(aliasesOf.get(`${SPU_CLUSTER_TYPE}::fluvio`)).toEqual([
      { type: "", name: "fluvio" },
      { type: "fluvio:index:SpuCluster", name: "" },
      { type: "fluvio:index:SpuCluster", name: "fluvio" },
    ]);
  });

  it("construct, given a program's inputs (spuList, registryFile), plans what the TypeScript component plans, and returns its outputs", async () => {
    const typescript = await runUnderMocks({
      stack: "prod",
      stackFile: false,
      program: () => new SpuCluster("fluvio", { ...PROD, spus: [...PROD.spus], registry: loadRegistry(PROJECT_ROOT) }),
    });
    const expected = JSON.stringify(planOutput(typescript.result.plan));
    const { spus, ...rest } = PROD;
    const constructed = await runUnderMocks({
      stack: "prod",
      stackFile: false,
      program: () => constructSpuCluster("fluvio", { ...rest, spuList: spus, registryFile: "stacks/ports.registry.yaml" }, {}),
    });
    const state = constructed.result.state as Json;
    expect(JSON.stringify(state.plan)).toBe(expected);
    expect(constructed.byType("kubernetes:fluvio.infinyon.com/v1:Spu")).toHaveLength(5);
    const rows = await valueOf(state.spus);
    expect(rows.map((row: Json) => row.id)).toEqual([5001, 5002, 5003, 5004, 5005]);
    expect(await valueOf(state.clientProfile)).toContain("endpoint =");
    expect(state.tls).toEqual({ enabled: false, clientAuth: false, server: [], registration: [] });
  });

  it("a config error from construct is the ConfigError's text alone, with the list form's paths as the program wrote them", async () => {
    let thrown: unknown;
    await runUnderMocks({
      stack: "prod",
      stackFile: false,
      program: async () => {
        try {
          await constructSpuCluster("fluvio", { ...PROD, spus: undefined, spuList: [{ id: 5001, publicPort: 9011 }] }, {});
        } catch (error) {
          thrown = error;
        }
      },
    });
    const error = thrown as Error;
    expect(error.message).toMatch(/^invalid fluvio-spu cluster config \(1 problem\):\n {2}- spuList\[0\]\.publicPort: /);
    expect(error.stack).toBe(error.message);
  });
});
