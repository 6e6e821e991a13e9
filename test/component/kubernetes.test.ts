/**
 * The root program under Pulumi's mocks for `stacks/Pulumi.prod.yaml`, config as `pulumi up`
 * hands it over: every Kubernetes resource the cluster creates, checked against the plan of
 * the same config, and the TLS material kept out of everything that is not a secret.
 */
import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { SpuCluster, SPU_CLUSTER_TYPE } from "../../src/component";
import { ConfigError } from "../../src/errors";
import { parseClusterSpec } from "../../src/config/schema";
import { loadRegistry, readClusterConfig } from "../../src/config/stack";
import { clientProfile, portRows, scRow, spuRows } from "../../src/plan/outputs";
import { planCluster } from "../../src/plan/plan";
import { declareCluster } from "../../src/program";
import { buildKubernetesObjects } from "../../src/targets/kubernetes/build";
import { forProvider, logicalName, tlsSecretData } from "../../src/targets/kubernetes";
import type { ClusterObject } from "../../src/targets/kubernetes/model";
import { PROJECT_ROOT, runRefused, runUnderMocks, valueOf, type MockRun, type RecordedResource } from "../support/pulumi";

type Raw = Record<string, unknown>;
type StringMap = Record<string, string>;

/** The Pulumi type token of a Kubernetes object (`kubernetes:<group>/<version>:<Kind>`, core group `core`). */
function typeToken(object: ClusterObject): string {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["core", object.apiVersion];
  return `kubernetes:${group}/${version}:${object.kind}`;
}

/** The plan and plain objects the prod stack's config gives, computed apart from the program. */
function expectedFor(raw: Raw) {
  const spec = parseClusterSpec({ name: "fluvio", ...raw });
  const plan = planCluster(spec, { stack: "prod", project: "fluvio-spu", registry: loadRegistry(PROJECT_ROOT) });
  return { spec, plan, objects: buildKubernetesObjects(plan, spec) };
}

const kubernetesResources = (run: MockRun) => run.resources.filter((resource) => resource.type.startsWith("kubernetes:"));
const selects = (selector: StringMap, labels: StringMap) => Object.entries(selector).every(([key, value]) => labels[key] === value);

describe("SpuCluster on Kubernetes: the prod stack under mocks", async () => {
  const run = await runUnderMocks({ stack: "prod", program: () => declareCluster() });
  const { plan, objects } = expectedFor(readClusterConfig(PROJECT_ROOT, "prod") as Raw);
  const component = run.byType(SPU_CLUSTER_TYPE)[0]!;
  const created = kubernetesResources(run);
  const inputsOf = (type: string) => run.byType(type).map((resource) => resource.inputs);

  it("creates exactly the objects buildKubernetesObjects gives for the same config, with the same contents", () => {
    const key = (type: string, name: string) => `${type} ${name}`;
    expect(created.map((resource) => key(resource.type, resource.name)).sort()).toEqual(objects.map((object) => key(typeToken(object), logicalName(plan, object))).sort());
    for (const object of objects) expect(run.one(typeToken(object), logicalName(plan, object)).inputs, `${object.kind} ${object.metadata.name}`).toEqual(forProvider(object));
  });

  it("the component's plan is the plan of the same config, and every Service port is a planned port", () => {
    expect(run.result).toBeDefined();
    const services = inputsOf("kubernetes:core/v1:Service");
    expect(services).toHaveLength(2 + 2 * plan.spus.length);
    const sc = services.find((service) => service.metadata.name === plan.sc.name)!;
    expect(sc.spec).toMatchObject({ type: "NodePort", ports: [{ port: plan.sc.ports.public, targetPort: plan.sc.ports.public, nodePort: plan.sc.ports.nodePort }] });
    for (const spu of plan.spus) {
      const publicService = services.find((service) => service.metadata.name === spu.host)!;
      expect(publicService.spec.type).toBe("NodePort");
      expect(publicService.spec.ports).toEqual([{ name: "public", protocol: "TCP", port: spu.ports.public, targetPort: spu.ports.public, nodePort: spu.ports.nodePort }]);
      const internal = services.find((service) => service.metadata.name === `${spu.host}-internal`)!;
      expect(internal.spec.ports.map((port: { port: number }) => port.port)).toEqual([spu.ports.private, spu.ports.metrics]);
      const set = inputsOf("kubernetes:apps/v1:StatefulSet").find((candidate) => candidate.metadata.name === spu.host)!;
      const ports = set.spec.template.spec.containers.flatMap((container: { ports: { containerPort: number }[] }) => container.ports.map((port) => port.containerPort));
      expect(ports).toEqual([spu.ports.public, spu.ports.private, spu.ports.metrics]);
    }
  });

  it("every Service's selector matches the labels of exactly one pod template: its node's", () => {
    const pods = [...inputsOf("kubernetes:apps/v1:Deployment"), ...inputsOf("kubernetes:apps/v1:StatefulSet")].map((workload) => ({
      name: workload.metadata.name as string,
      labels: workload.spec.template.metadata.labels as StringMap,
      selector: workload.spec.selector.matchLabels as StringMap,
    }));
    expect(pods).toHaveLength(1 + plan.spus.length);
    for (const pod of pods) expect(selects(pod.selector, pod.labels)).toBe(true);
    for (const service of inputsOf("kubernetes:core/v1:Service")) {
      const matched = pods.filter((pod) => selects(service.spec.selector, pod.labels)).map((pod) => pod.name);
      expect(matched, service.metadata.name).toEqual([service.metadata.name.replace(/-internal$/, "")]);
    }
  });

  it("one Spu resource per SPU with the plan's public, private and local endpoints", () => {
    const spus = inputsOf("kubernetes:fluvio.infinyon.com/v1:Spu");
    expect(spus.map((spu) => spu.spec.spuId)).toEqual(plan.spus.map((spu) => spu.id));
    for (const planned of plan.spus) {
      const spu = spus.find((candidate) => candidate.spec.spuId === planned.id)!;
      expect(spu.metadata).toMatchObject({ name: planned.name, namespace: plan.namespace });
      expect(spu.spec).toEqual({
        spuId: planned.id,
        spuType: "Custom",
        rack: planned.rack,
        publicEndpoint: { port: planned.endpoints.public.port, ingress: [{ hostname: planned.endpoints.public.host }], encryption: "PLAINTEXT" },
        privateEndpoint: planned.endpoints.private,
        publicEndpointLocal: planned.endpoints.local,
      });
    }
  });

  it("installs a CRD for, and grants the SC its Role on, exactly the kinds `fluvio-run sc --k8` watches (mirrors included)", () => {
    // FLUVIO.md, Fluvio 0.18.1 `fluvio-sc/src/init.rs`: what the SC lists and watches at start.
    const watched = ["mirrors", "partitions", "smartmodules", "spugroups", "spus", "tableformats", "topics"];
    const crds = inputsOf("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
    expect(crds.map((crd) => crd.spec.names.plural).sort()).toEqual(watched);
    expect(crds.map((crd) => crd.metadata.name).sort()).toEqual(watched.map((plural) => `${plural}.fluvio.infinyon.com`));
    const role = inputsOf("kubernetes:rbac.authorization.k8s.io/v1:Role")[0]!;
    const rules = (role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]).filter((rule) => rule.apiGroups.includes("fluvio.infinyon.com"));
    const granted = (resource: string) => rules.filter((rule) => rule.resources.includes(resource)).flatMap((rule) => rule.verbs).sort();
    expect(rules.flatMap((rule) => rule.resources).sort()).toEqual([...watched, ...watched.map((plural) => `${plural}/status`)].sort());
    for (const plural of watched) {
      expect(granted(plural), plural).toEqual(granted("spus"));
      expect(granted(`${plural}/status`), `${plural}/status`).toEqual(granted("spus/status"));
    }
  });

  it("parents every resource to the component; orders Namespace, CRDs and the Spu registrations each workload needs before it; keeps the namespace and the CRDs on destroy", () => {
    for (const resource of created) expect(resource.parent, resource.name).toBe(component.urn);
    const urnOf = (type: string, name: string) => run.one(type, name).urn;
    const crd = urnOf("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "fluvio-prod-spus.fluvio.infinyon.com");
    const namespace = urnOf("kubernetes:core/v1:Namespace", "fluvio-prod-fluvio");
    for (const spu of run.byType("kubernetes:fluvio.infinyon.com/v1:Spu")) expect(spu.dependencies).toContain(crd);
    const registrations = run.byType("kubernetes:fluvio.infinyon.com/v1:Spu");
    // The SC starts after every SPU is registered; each SPU after its own registration (not after the others': that wiring grew with the square of the SPU count).
    const workload = (type: string, name: string) => run.byType(type).find((resource) => resource.inputs.metadata.name === name)!;
    expect(workload("kubernetes:apps/v1:Deployment", plan.sc.name).dependencies).toEqual(expect.arrayContaining([namespace, crd, ...registrations.map((spu) => spu.urn)]));
    const byUrn = new Map(run.resources.map((resource) => [resource.urn, resource]));
    const before = (urn: string, seen = new Set<string>()): Set<string> => {
      for (const dependency of byUrn.get(urn)?.dependencies ?? []) if (!seen.has(dependency)) before(dependency, seen.add(dependency));
      return seen;
    };
    for (const spu of plan.spus) {
      const set = workload("kubernetes:apps/v1:StatefulSet", spu.host);
      const own = registrations.find((registration) => registration.inputs.spec.spuId === spu.id)!;
      expect(set.dependencies).toEqual(expect.arrayContaining([namespace, own.urn]));
      expect([...before(set.urn)]).toEqual(expect.arrayContaining([namespace, crd, own.urn]));
      expect(set.dependencies.filter((urn) => registrations.some((registration) => registration.urn === urn))).toEqual([own.urn]);
    }
    expect(run.one("kubernetes:core/v1:Namespace", "fluvio-prod-fluvio").options.retainOnDelete).toBe(true);
    // The CRDs hold the SC's metadata (and other clusters' resources): kept on destroy too.
    const crds = run.byType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
    expect(crds.length).toBeGreaterThan(0);
    for (const definition of crds) expect(definition.options.retainOnDelete, definition.name).toBe(true);
    const retained = created.filter((resource) => resource.options.retainOnDelete).map((resource) => resource.type);
    expect(new Set(retained)).toEqual(new Set(["kubernetes:core/v1:Namespace", "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"]));
  });

  it("outputs the same rows and profiles as on Docker, from the plan", async () => {
    const outputs = run.result as ReturnType<typeof declareCluster>;
    expect(await valueOf(outputs.spus)).toEqual(spuRows(plan));
    expect(await valueOf(outputs.sc)).toEqual(scRow(plan));
    expect(await valueOf(outputs.ports)).toEqual(portRows(plan));
    expect(await valueOf(outputs.clientProfile)).toBe(clientProfile(plan, { inContainer: false }));
    expect(await valueOf(outputs.containerClientProfile)).toBe(clientProfile(plan, { inContainer: true }));
  });
});

describe("SpuCluster on Kubernetes: provider, options and errors", () => {
  const config = readClusterConfig(PROJECT_ROOT, "prod") as Raw;

  it("passes the given provider to every Kubernetes resource", async () => {
    const run = await runUnderMocks({
      stack: "prod",
      program: () => {
        const provider = new k8s.Provider("kind", { context: "kind-fluvio" });
        return new SpuCluster("fluvio", { ...(config as object as ConstructorParameters<typeof SpuCluster>[1]), kubernetesProvider: provider });
      },
    });
    const provider = run.one("pulumi:providers:kubernetes", "kind");
    const resources = kubernetesResources(run);
    expect(resources.length).toBeGreaterThan(30);
    for (const resource of resources) expect(resource.options.provider, resource.name).toMatch(new RegExp(`^${escape(provider.urn)}::`));
  });

  it("throws a ConfigError and sends nothing when TLS is on without certificates", async () => {
    const { run, thrown } = await runRefused({ stack: "prod" }, () => new SpuCluster("fluvio", { ...(config as object as ConstructorParameters<typeof SpuCluster>[1]), tls: { enabled: true } }));
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues.map((issue) => issue.path)).toEqual(["tls.enabled"]);
    expect(kubernetesResources(run)).toEqual([]);
  });
});

describe("SpuCluster on Kubernetes: TLS material stays secret", async () => {
  const pem = { cert: "-----BEGIN CERTIFICATE-----\nSERVER-CERT-MARKER\n", key: "-----BEGIN PRIVATE KEY-----\nSERVER-KEY-MARKER\n", ca: "-----BEGIN CERTIFICATE-----\nCA-MARKER\n" };
  const markers = ["SERVER-CERT-MARKER", "SERVER-KEY-MARKER", "CA-MARKER"];
  const raw = { ...(readClusterConfig(PROJECT_ROOT, "prod") as Raw), tls: { enabled: true, clientAuth: true } };
  const run = await runUnderMocks({
    stack: "prod",
    extraConfig: {
      "fluvio-spu:cluster": JSON.stringify(raw),
      "fluvio-spu:tlsServerCert": pem.cert,
      "fluvio-spu:tlsServerKey": pem.key,
      "fluvio-spu:tlsCaCert": pem.ca,
    },
    program: () => declareCluster(),
  });
  const { plan } = expectedFor(raw);
  const secret = run.one("kubernetes:core/v1:Secret", "fluvio-prod-tls");

  it("puts the files into the Secret, sent to the engine as a secret, and into nothing else", () => {
    expect(secret.inputs.stringData).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: { "server.crt": pem.cert, "server.key": pem.key, "ca.crt": pem.ca },
    });
    expect(secret.options.additionalSecretOutputs).toEqual(expect.arrayContaining(["data", "stringData"]));
    for (const resource of run.resources.filter((candidate) => candidate !== secret)) {
      const text = JSON.stringify(resource.inputs);
      for (const marker of markers) expect(text.includes(marker), `${marker} in ${resource.type} ${resource.name}`).toBe(false);
    }
  });

  it("hands the Secret its data as a Pulumi secret", async () => {
    const material = { serverCert: pulumi.output(pem.cert), serverKey: pulumi.output(pem.key), caCert: pulumi.output(pem.ca) };
    expect(await pulumi.isSecret(tlsSecretData(plan, material))).toBe(true);
  });

  it("keeps every value out of the component's outputs, which record SSL", async () => {
    const outputs = run.result as ReturnType<typeof declareCluster>;
    for (const output of [outputs.spus, outputs.sc, outputs.ports, outputs.clientProfile, outputs.containerClientProfile] as pulumi.Output<unknown>[]) {
      const text = JSON.stringify(await valueOf(output));
      for (const marker of markers) expect(text.includes(marker)).toBe(false);
    }
    expect(await valueOf(outputs.clientProfile)).toMatch(/tls_policy = "verified"\ntls_source = "files"/);
    expect(await valueOf(outputs.containerClientProfile)).toMatch(/tls_policy = "verified"\ntls_source = "files"/);
    for (const spu of run.byType("kubernetes:fluvio.infinyon.com/v1:Spu")) expect(spu.inputs.spec.publicEndpoint.encryption).toBe("SSL");
  });

  it("mounts the Secret read-only into the SC and every SPU", () => {
    const workloads = [...run.byType("kubernetes:apps/v1:Deployment"), ...run.byType("kubernetes:apps/v1:StatefulSet")] as RecordedResource[];
    expect(workloads).toHaveLength(1 + plan.spus.length);
    for (const workload of workloads) {
      const pod = workload.inputs.spec.template.spec;
      expect(pod.volumes).toContainEqual(expect.objectContaining({ name: "tls", secret: expect.objectContaining({ secretName: "fluvio-prod-tls" }) }));
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: "tls", mountPath: "/etc/fluvio/tls", readOnly: true });
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
