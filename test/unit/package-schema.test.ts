/**
 * The Pulumi package schema of `fluvio-spu` (schema.json): generated from the one config
 * schema, committed, and kept in step with it; typed so that every language's SDK takes what
 * the component takes, with nothing that makes languages differ (defaults, nulls, unions a
 * generated SDK refuses).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FORMER_SPU_CLUSTER_TYPES, SPU_CLUSTER_TYPE } from "../../src/component";
import { clusterJsonSchema, parseClusterSpec } from "../../src/config/schema";
import { isConfigError } from "../../src/errors";
import { planCluster } from "../../src/plan/plan";
import { clusterArgs, planOutput, providerVersion } from "../../src/provider/provider";
import { packageSchema, packageSchemaText, type TypeSpec } from "../../src/provider/schema";
import { PROJECT_ROOT } from "../support/pulumi";

type Json = Record<string, any>;

const version = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")).version as string;
const schema = packageSchema(version);
const resource = schema.resources[SPU_CLUSTER_TYPE]!;
const config = clusterJsonSchema() as Json;

/** Every node of the package schema, with its path. */
function* nodes(value: unknown, path = ""): Generator<[string, Json]> {
  if (value === null || typeof value !== "object") return;
  yield [path, value as Json];
  for (const [key, child] of Object.entries(value as Json)) yield* nodes(child, `${path}/${key}`);
}

describe("the package schema", () => {
  it("schema.json is the one generated from the config schema (run `npm run package-schema` after changing src/config/schema.ts)", () => {
    const committed = readFileSync(join(PROJECT_ROOT, "schema.json"), "utf8");
    expect(committed, "schema.json is stale: run `npm run package-schema` and commit it").toBe(packageSchemaText(version));
  });

  it("names the package fluvio-spu at the npm package's version, which the provider reports too", () => {
    expect(schema.name).toBe("fluvio-spu");
    expect(schema.version).toBe(version);
    expect(providerVersion()).toBe(version);
    expect(Object.keys(schema.resources)).toEqual(["fluvio-spu:index:SpuCluster"]);
    expect(resource.isComponent).toBe(true);
    expect(resource.aliases).toEqual([{ type: "fluvio:index:SpuCluster" }]);
    expect(FORMER_SPU_CLUSTER_TYPES).toEqual(["fluvio:index:SpuCluster"]);
  });

  it("has an input for every config field, with the config schema's description (spus as spus and spuList)", () => {
    const fields = Object.keys(config.properties).filter((key) => key !== "spus");
    for (const field of fields) {
      expect(resource.inputProperties[field], field).toBeDefined();
      expect(resource.inputProperties[field]!.description, field).toContain(config.properties[field].description);
    }
    expect(resource.inputProperties.spus).toMatchObject({ type: "integer" });
    expect(resource.inputProperties.spuList).toMatchObject({ type: "array", items: { $ref: "#/types/fluvio-spu:index:Spu" } });
    const spu = schema.types["fluvio-spu:index:Spu"]!;
    const spuConfig = config.properties.spus.anyOf.find((branch: Json) => branch.type === "array").items;
    expect(Object.keys(spu.properties)).toEqual(Object.keys(spuConfig.properties));
    expect(spu.required).toEqual(["id"]);
    for (const [key, property] of Object.entries(spu.properties)) expect(property.description).toContain(spuConfig.properties[key].description);
    // Nested objects keep their fields and descriptions too.
    const kubernetes = schema.types["fluvio-spu:index:Kubernetes"]!;
    expect(Object.keys(kubernetes.properties)).toEqual(Object.keys(config.properties.kubernetes.properties));
    expect(kubernetes.properties.storageSize!.description).toBe(config.properties.kubernetes.properties.storageSize.description);
  });

  it("writes no default (Python fills schema defaults in, YAML does not) and no union of a number and a list (the Python SDK refuses the list)", () => {
    const withDefault = [...nodes(schema)].filter(([, node]) => "default" in node).map(([path]) => path);
    expect(withDefault).toEqual([]);
    const mixed = [...nodes(schema)]
      .filter(([, node]) => Array.isArray(node.oneOf) && node.oneOf.some((branch: TypeSpec) => branch.type === "array") && node.oneOf.some((branch: TypeSpec) => branch.type !== "array"))
      .map(([path]) => path);
    expect(mixed).toEqual([]);
    // The component itself defaults name to the resource name, in every language alike.
    expect(resource.inputProperties.name!.description).toMatch(/SpuCluster: the resource name/);
  });

  it("every reference names a type the package defines", () => {
    const refs = [...nodes(schema)].map(([, node]) => node.$ref).filter((ref): ref is string => typeof ref === "string" && ref.startsWith("#/types/"));
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(schema.types[ref.slice("#/types/".length)], ref).toBeDefined();
  });

  it("types the outputs: the plan as JSON, SPU rows, SC, ports, both client profiles and the TLS files; TLS material inputs are secrets", () => {
    expect(Object.keys(resource.properties)).toEqual(["plan", "spus", "sc", "ports", "clientProfile", "containerClientProfile", "tls"]);
    expect(resource.properties.plan!.$ref).toBe("pulumi.json#/Any");
    expect(resource.properties.spus).toMatchObject({ type: "array", items: { $ref: "#/types/fluvio-spu:index:SpuRow" } });
    expect(resource.properties.ports).toMatchObject({ type: "array", items: { $ref: "#/types/fluvio-spu:index:PortAssignment" } });
    expect(resource.properties.tls!.$ref).toBe("#/types/fluvio-spu:index:TlsPlan");
    const material = schema.types["fluvio-spu:index:TlsCertificates"]!;
    expect(Object.values(material.properties).every((property) => property.secret === true)).toBe(true);
  });
});

describe("what the provider makes of a program's inputs", () => {
  const prod = { target: "kubernetes", environment: "prod", spuList: [{ id: 5001, rack: "rack-a" }, { id: 5002, rack: "rack-b" }], kubernetes: { namespace: "fluvio" } };

  it("spuList is the list form of spus, and the registry is read from registryFile relative to the program's directory", async () => {
    const { args, listForm } = await clusterArgs({ ...prod, registryFile: "stacks/ports.registry.yaml" }, PROJECT_ROOT);
    expect(listForm).toBe(true);
    expect(args.spus).toEqual(prod.spuList);
    expect("spuList" in args).toBe(false);
    expect(args.registry?.claims.map((claim) => claim.owner)).toContain("redis");
    const count = await clusterArgs({ environment: "dev", spus: 3 }, PROJECT_ROOT);
    expect(count.args.spus).toBe(3);
  });

  it("spus and spuList together, or a registry file that is not there, is a ConfigError naming the input", async () => {
    const both = await clusterArgs({ ...prod, spus: 2 }, PROJECT_ROOT).catch((error: unknown) => error);
    expect(isConfigError(both)).toBe(true);
    expect(String((both as Error).message)).toMatch(/spuList: give spus \(a count\) or spuList/);
    const missing = await clusterArgs({ ...prod, registryFile: "stacks/nope.yaml" }, PROJECT_ROOT).catch((error: unknown) => error);
    expect(String((missing as Error).message)).toMatch(/nope\.yaml/);
  });

  it("the plan output is the plan's JSON without null fields, so Python and YAML (which drop nulls) read the same bytes", () => {
    const { spuList, ...rest } = prod;
    const plan = planCluster(parseClusterSpec({ name: "fluvio", ...rest, spus: spuList }), { stack: "prod", project: "fluvio-spu" });
    const output = planOutput(plan);
    const text = JSON.stringify(output);
    expect(text).not.toContain("null");
    const withNulls = JSON.parse(JSON.stringify(plan));
    expect(withNulls.docker).toBeNull();
    expect((output as Json).docker).toBeUndefined();
    expect((output as Json).spus).toHaveLength(2);
    expect((output as Json).kubernetes).toEqual(JSON.parse(JSON.stringify(plan.kubernetes), (_key, value) => (value === null ? undefined : value)));
  });
});
