/**
 * Every object the Kubernetes target emits, validated: built-in kinds against the Kubernetes
 * OpenAPI schemas shipped by kubernetes-models, `Spu` resources against the CRD schema the
 * component installs (compiled with ajv) and against the SPU spec field list of FLUVIO.md.
 */
import { describe, expect, it } from "vitest";
import { parseClusterSpec, type ClusterSpec } from "../../src/config/schema";
import { readClusterConfig } from "../../src/config/stack";
import { planCluster } from "../../src/plan/plan";
import type { ClusterPlan } from "../../src/plan/types";
import { buildKubernetesObjects } from "../../src/targets/kubernetes/build";
import type { ClusterObject, CustomResourceDefinition as Crd, JsonSchema, Spu } from "../../src/targets/kubernetes/model";
import { spuValidator, validateBuiltIn } from "../support/kubernetes-schemas";
import { PROJECT_ROOT } from "../support/pulumi";

type Raw = Record<string, unknown>;

/** The prod stack's config with overrides, planned for stack `stack`. */
function prodVariant(overrides: Raw = {}, stack = "prod"): { spec: ClusterSpec; plan: ClusterPlan; objects: ClusterObject[] } {
  const raw = readClusterConfig(PROJECT_ROOT, "prod") as Raw;
  const spec = parseClusterSpec({ ...raw, ...overrides, kubernetes: { ...(raw.kubernetes as Raw), ...((overrides.kubernetes as Raw) ?? {}) } });
  const plan = planCluster(spec, { stack });
  return { spec, plan, objects: buildKubernetesObjects(plan, spec) };
}

/** Configs that between them emit every kind and every optional branch. */
const VARIANTS: Record<string, Raw> = {
  "prod stack as written": {},
  "TLS with client certificates and a ServiceMonitor": { tls: { enabled: true, clientAuth: true }, kubernetes: { serviceMonitor: true, storageClass: "fast-ssd" } },
  "ClusterIP with in-cluster local endpoints": { kubernetes: { serviceType: "ClusterIP" }, localEndpoint: { inCluster: true } },
  "LoadBalancer on an IP address, no metrics, CRDs already there": {
    publicHost: "203.0.113.10",
    metrics: { enabled: false },
    localEndpoint: false,
    kubernetes: { serviceType: "LoadBalancer", installCrds: false, namespace: "default" },
  },
};



/** The CRD schema of `Spu` as the component installs it, compiled with ajv (OpenAPI's `nullable` included). */

/**
 * Fields of `value` the structural schema does not declare: Kubernetes prunes those silently,
 * so an emitted field the CRD does not know would be lost on the way to the SC.
 */
function undeclaredFields(schema: JsonSchema, value: unknown, path = ""): string[] {
  if (schema["x-kubernetes-preserve-unknown-fields"]) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => undeclaredFields(schema.items ?? {}, item, `${path}[${index}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, field]) => {
    const declared = schema.properties?.[key];
    return declared ? undeclaredFields(declared, field, `${path}.${key}`) : [`${path}.${key}`];
  });
}

const ofKind = <K extends ClusterObject["kind"]>(objects: ClusterObject[], kind: K) =>
  objects.filter((object): object is Extract<ClusterObject, { kind: K }> => object.kind === kind);

describe.each(Object.entries(VARIANTS))("Kubernetes objects: %s", (_label, overrides) => {
  const { objects, plan } = prodVariant(overrides);

  it("every built-in object is valid against the Kubernetes OpenAPI schema", () => {
    const builtIn = objects.filter((object) => object.kind !== "Spu" && object.kind !== "ServiceMonitor" && object.kind !== "PrometheusRule");
    expect(builtIn.length).toBeGreaterThan(0);
    for (const object of builtIn) expect(() => validateBuiltIn(object), `${object.kind} ${object.metadata.name}`).not.toThrow();
  });

  it("every Spu is valid against the CRD the component installs, with no field the CRD would prune", () => {
    const crd = ofKind(prodVariant({})["objects"], "CustomResourceDefinition").find((candidate) => candidate.spec.names.kind === "Spu")!;
    const { validate, schema } = spuValidator(crd);
    const spus = ofKind(objects, "Spu");
    expect(spus).toHaveLength(plan.spus.length);
    for (const spu of spus) {
      expect(validate(spu), JSON.stringify(validate.errors)).toBe(true);
      expect(undeclaredFields(schema, { spec: spu.spec })).toEqual([]);
      expect(spu.apiVersion).toBe(`${crd.spec.group}/${crd.spec.versions.find((v) => v.storage)!.name}`);
      expect(spu.kind).toBe(crd.spec.names.kind);
    }
  });

  it("every Spu has exactly the SPU spec fields of FLUVIO.md, with the plan's endpoints", () => {
    for (const spu of ofKind(objects, "Spu")) {
      const planned = plan.spus.find((candidate) => candidate.id === spu.spec.spuId)!;
      expect(spu.metadata.name).toBe(planned.name);
      expect(Object.keys(spu.spec).every((key) => ["spuId", "spuType", "rack", "publicEndpoint", "privateEndpoint", "publicEndpointLocal"].includes(key))).toBe(true);
      expect(spu.spec.spuType).toBe("Custom");
      expect(spu.spec.rack).toBe(planned.rack ?? undefined);
      expect(Object.keys(spu.spec.publicEndpoint).sort()).toEqual(["encryption", "ingress", "port"]);
      expect(spu.spec.publicEndpoint.port).toBe(planned.endpoints.public.port);
      expect(spu.spec.publicEndpoint.encryption).toBe(planned.endpoints.public.encryption);
      expect(spu.spec.publicEndpoint.ingress).toHaveLength(1);
      const [ingress] = spu.spec.publicEndpoint.ingress;
      expect(Object.values(ingress!)).toEqual([planned.endpoints.public.host]);
      expect(Object.keys(ingress!)).toEqual([/^[\d.]+$|:/.test(planned.endpoints.public.host) ? "ip" : "hostname"]);
      expect(spu.spec.privateEndpoint).toEqual(planned.endpoints.private);
      if (planned.endpoints.local) expect(spu.spec.publicEndpointLocal).toEqual(planned.endpoints.local);
      else expect(spu.spec).not.toHaveProperty("publicEndpointLocal");
      for (const endpoint of [spu.spec.publicEndpoint, spu.spec.privateEndpoint, spu.spec.publicEndpointLocal]) {
        if (endpoint) expect(["PLAINTEXT", "SSL"]).toContain(endpoint.encryption);
      }
    }
  });

  it("every object carries the recommended app.kubernetes.io labels, and namespaced ones the plan's namespace", () => {
    for (const object of objects) {
      for (const key of ["name", "instance", "component", "part-of", "managed-by"]) {
        expect(object.metadata.labels[`app.kubernetes.io/${key}`], `${object.kind} ${object.metadata.name} ${key}`).toBeTruthy();
      }
      const clusterScoped = object.kind === "Namespace" || object.kind === "CustomResourceDefinition";
      expect(object.metadata.namespace).toBe(clusterScoped ? undefined : plan.namespace);
    }
  });

  it("is plain data: JSON round-trips it unchanged, and building twice gives the same objects", () => {
    expect(JSON.parse(JSON.stringify(objects))).toEqual(objects);
    expect(prodVariant(overrides).objects).toEqual(objects);
  });
});

describe("the validators are not rubber stamps", () => {
  const { objects } = prodVariant();

  it("the OpenAPI check rejects a container port given as text and a Service without ports' numbers", () => {
    const statefulSet = structuredClone(ofKind(objects, "StatefulSet")[0]!) as unknown as { spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } } };
    statefulSet.spec.template.spec.containers[0]!.ports[0]!.containerPort = "public";
    expect(() => validateBuiltIn(statefulSet as unknown as ClusterObject)).toThrow(/containerPort/);
    const service = structuredClone(ofKind(objects, "Service")[0]!) as unknown as { spec: { ports: Raw[] } };
    delete service.spec.ports[0]!.port;
    expect(() => validateBuiltIn(service as unknown as ClusterObject)).toThrow(/port/);
  });

  it("the CRD check rejects an Spu without a private host or with an unknown encryption, and finds fields the CRD would prune", () => {
    const crd = ofKind(objects, "CustomResourceDefinition").find((candidate) => candidate.spec.names.kind === "Spu")!;
    const { validate, schema } = spuValidator(crd);
    const spu = structuredClone(ofKind(objects, "Spu")[0]!) as Spu & { spec: Raw };
    expect(validate(spu)).toBe(true);
    expect(validate({ ...spu, spec: { ...spu.spec, privateEndpoint: { port: 10102, encryption: "PLAINTEXT" } } })).toBe(false);
    expect(validate({ ...spu, spec: { ...spu.spec, publicEndpoint: { ...spu.spec.publicEndpoint, encryption: "TLS" } } })).toBe(false);
    expect(undeclaredFields(schema, { spec: { ...spu.spec, publicEndpointLocl: {} } })).toEqual([".spec.publicEndpointLocl"]);
  });
});

describe("Kubernetes objects: the ServiceMonitor", () => {
  it("is emitted only when kubernetes.serviceMonitor is true, and selects the SPUs' internal Services by their metrics port", () => {
    expect(ofKind(prodVariant().objects, "ServiceMonitor")).toEqual([]);
    const { objects } = prodVariant({ kubernetes: { serviceMonitor: true } });
    const [monitor, ...others] = ofKind(objects, "ServiceMonitor");
    expect(others).toEqual([]);
    expect(monitor!.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(monitor!.spec.endpoints).toEqual([expect.objectContaining({ port: "metrics", path: "/metrics" })]);
    const selected = ofKind(objects, "Service").filter((service) =>
      Object.entries(monitor!.spec.selector.matchLabels).every(([key, value]) => service.metadata.labels[key] === value),
    );
    expect(selected.map((service) => service.metadata.name)).toEqual(ofKind(objects, "StatefulSet").map((set) => set.spec.serviceName));
    for (const service of selected) expect(service.spec.ports.map((port) => port.name)).toContain("metrics");
  });
});

describe("Kubernetes objects: scaling 3 → 5 → 4 SPUs", () => {
  const raw = readClusterConfig(PROJECT_ROOT, "prod") as { spus: Raw[] };
  const withSpus = (count: number) => prodVariant({ spus: raw.spus.slice(0, count) });
  const objectsOf = (objects: ClusterObject[], id: number) => objects.filter((object) => object.metadata.labels["fluvio-spu.node"] === `spu-${id}`);
  const notSpu = (objects: ClusterObject[]) => objects.filter((object) => !object.metadata.labels["fluvio-spu.node"]?.startsWith("spu-"));

  it("changes no object of an SPU that stays, and no object of the SC", () => {
    const [three, five, four] = [withSpus(3), withSpus(5), withSpus(4)];
    for (const id of [5001, 5002, 5003]) {
      expect(objectsOf(three.objects, id)).toHaveLength(5);
      expect(objectsOf(five.objects, id)).toEqual(objectsOf(three.objects, id));
    }
    for (const id of [5001, 5002, 5003, 5004]) expect(objectsOf(four.objects, id)).toEqual(objectsOf(five.objects, id));
    expect(objectsOf(four.objects, 5005)).toEqual([]);
    expect(notSpu(five.objects)).toEqual(notSpu(three.objects));
    expect(notSpu(four.objects)).toEqual(notSpu(five.objects));
  });
});
