/**
 * What the plain Kubernetes objects say, checked against the plan: ports, selectors, probes,
 * the exporter sidecar, TLS wiring, storage, network policy, RBAC and pod hardening.
 */
import { describe, expect, it } from "vitest";
import { parseClusterSpec, type ClusterSpec } from "../../src/config/schema";
import { readClusterConfig } from "../../src/config/stack";
import { CONTAINER_PATHS, EXPORTER_HEALTH_PATH, METRICS_SOCKET_ENV } from "../../src/plan/layout";
import { planCluster } from "../../src/plan/plan";
import { listeningCheck } from "../../src/plan/health";
import type { ClusterPlan, SpuPlan } from "../../src/plan/types";
import { buildKubernetesObjects, createsNamespace } from "../../src/targets/kubernetes/build";
import type { ClusterObject, Container, PodTemplate, StringMap } from "../../src/targets/kubernetes/model";
import { prerequisites, stageOf } from "../../src/targets/kubernetes/order";
import { PROJECT_ROOT } from "../support/pulumi";

type Raw = Record<string, unknown>;

function build(overrides: Raw = {}): { spec: ClusterSpec; plan: ClusterPlan; objects: ClusterObject[] } {
  const raw = readClusterConfig(PROJECT_ROOT, "prod") as Raw;
  const spec = parseClusterSpec({ ...raw, ...overrides, kubernetes: { ...(raw.kubernetes as Raw), ...((overrides.kubernetes as Raw) ?? {}) } });
  const plan = planCluster(spec, { stack: "prod" });
  return { spec, plan, objects: buildKubernetesObjects(plan, spec) };
}

const ofKind = <K extends ClusterObject["kind"]>(objects: ClusterObject[], kind: K) =>
  objects.filter((object): object is Extract<ClusterObject, { kind: K }> => object.kind === kind);
const named = <K extends ClusterObject["kind"]>(objects: ClusterObject[], kind: K, name: string) => {
  const found = ofKind(objects, kind).find((object) => object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const selects = (selector: StringMap, labels: StringMap) => Object.entries(selector).every(([key, value]) => labels[key] === value);
const container = (template: PodTemplate, name: string): Container => {
  const found = template.spec.containers.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
};
const internalName = (spu: SpuPlan) => spu.endpoints.private.host.split(".")[0]!;

/**
 * What `fluvio-run sc --k8` lists and watches at start (FLUVIO.md, Fluvio 0.18.1
 * `fluvio-sc/src/init.rs`), written out here rather than read from the source under test.
 */
const SC_WATCHED_KINDS = ["spus", "spugroups", "topics", "partitions", "smartmodules", "tableformats", "mirrors"];

describe("Kubernetes objects: ports come from the plan", () => {
  const { plan, objects } = build();

  it("the SC: containerPorts, public Service (port = targetPort = public, nodePort planned), internal Service (private)", () => {
    const deployment = named(objects, "Deployment", plan.sc.name);
    const sc = container(deployment.spec.template, "sc");
    expect(sc.command).toEqual(plan.sc.command);
    expect(sc.ports.map((port) => port.containerPort)).toEqual([plan.sc.ports.public, plan.sc.ports.private]);
    const publicService = named(objects, "Service", plan.sc.name);
    expect(publicService.spec.type).toBe("NodePort");
    expect(publicService.spec.ports).toEqual([{ name: "public", protocol: "TCP", port: plan.sc.ports.public, targetPort: plan.sc.ports.public, nodePort: plan.sc.ports.nodePort }]);
    const internal = named(objects, "Service", plan.sc.private.split(".")[0]!);
    expect(internal.spec.type).toBe("ClusterIP");
    expect(internal.spec.ports.map((port) => [port.port, port.targetPort])).toEqual([[plan.sc.ports.private, plan.sc.ports.private]]);
  });

  it.each([5001, 5002, 5003, 5004, 5005])("SPU %i: containerPorts, public and internal Services, the Spu resource", (id) => {
    const spu = plan.spus.find((candidate) => candidate.id === id)!;
    const set = named(objects, "StatefulSet", spu.host);
    expect(set.spec.replicas).toBe(1);
    expect(container(set.spec.template, "spu").command).toEqual(spu.command);
    expect(container(set.spec.template, "spu").ports.map((port) => port.containerPort)).toEqual([spu.ports.public, spu.ports.private]);
    expect(container(set.spec.template, "exporter").ports.map((port) => port.containerPort)).toEqual([spu.ports.metrics]);
    const publicService = named(objects, "Service", spu.host);
    expect(publicService.spec.ports).toEqual([{ name: "public", protocol: "TCP", port: spu.ports.public, targetPort: spu.ports.public, nodePort: spu.ports.nodePort }]);
    const internal = named(objects, "Service", internalName(spu));
    expect(internal.spec.type).toBe("ClusterIP");
    expect(internal.spec.ports.map((port) => [port.name, port.port, port.targetPort])).toEqual([
      ["private", spu.ports.private, spu.ports.private],
      ["metrics", spu.ports.metrics, spu.ports.metrics],
    ]);
    expect(set.spec.serviceName).toBe(internal.metadata.name);
    expect(spu.endpoints.private.host).toBe(`${internal.metadata.name}.${plan.namespace}.svc.cluster.local`);
  });

  it("every port number in every object is a port of the plan", () => {
    const planned = new Set(plan.ports.map((row) => row.port));
    const numbers: number[] = [];
    const collect = (value: unknown, key = ""): void => {
      if (Array.isArray(value)) value.forEach((item) => collect(item, key));
      else if (value && typeof value === "object") Object.entries(value).forEach(([field, inner]) => collect(inner, field));
      else if (typeof value === "number" && /^(port|containerPort|targetPort|nodePort)$/.test(key)) numbers.push(value);
    };
    collect(objects);
    expect(numbers.length).toBeGreaterThan(40);
    expect(numbers.filter((port) => !planned.has(port))).toEqual([]);
  });
});

describe("Kubernetes objects: selectors match their pods, and only their pods", () => {
  const { objects } = build();
  const pods = [...ofKind(objects, "Deployment"), ...ofKind(objects, "StatefulSet")].map((workload) => ({
    name: workload.metadata.name,
    selector: workload.spec.selector.matchLabels,
    labels: workload.spec.template.metadata.labels,
  }));

  it("each workload's selector matches its own pod template and no other", () => {
    for (const pod of pods) expect(pods.filter((other) => selects(pod.selector, other.labels)).map((other) => other.name)).toEqual([pod.name]);
  });

  it("each Service selects exactly the pod of its node, the SC's or its SPU's", () => {
    for (const service of ofKind(objects, "Service")) {
      const matched = pods.filter((pod) => selects(service.spec.selector, pod.labels)).map((pod) => pod.name);
      const owner = service.metadata.name.replace(/-internal$/, "");
      expect(matched, service.metadata.name).toEqual([owner]);
    }
  });

  it("a public Service and an internal Service per SPU", () => {
    const services = ofKind(objects, "Service").map((service) => service.metadata.name);
    for (const set of ofKind(objects, "StatefulSet")) {
      expect(services).toContain(set.metadata.name);
      expect(services).toContain(`${set.metadata.name}-internal`);
    }
  });
});

describe("Kubernetes objects: health checks", () => {
  const { plan, objects } = build();

  it("SC and SPU containers have readiness and liveness probes that their public port listens, without connecting to it (no TLS handshake error in the logs)", () => {
    const sc = container(named(objects, "Deployment", plan.sc.name).spec.template, "sc");
    expect(sc.readinessProbe.exec).toEqual({ command: listeningCheck(plan.sc.ports.public) });
    expect(sc.livenessProbe.exec).toEqual({ command: listeningCheck(plan.sc.ports.public) });
    expect(sc.readinessProbe.tcpSocket).toBeUndefined();
    for (const spu of plan.spus) {
      const main = container(named(objects, "StatefulSet", spu.host).spec.template, "spu");
      expect(main.readinessProbe.exec).toEqual({ command: listeningCheck(spu.ports.public) });
      expect(main.livenessProbe.exec).toEqual({ command: listeningCheck(spu.ports.public) });
      expect(main.livenessProbe.initialDelaySeconds).toBeGreaterThan(main.readinessProbe.initialDelaySeconds);
    }
  });

  it("the exporter is probed on its health endpoint on the metrics port", () => {
    for (const spu of plan.spus) {
      const exporter = container(named(objects, "StatefulSet", spu.host).spec.template, "exporter");
      expect(exporter.readinessProbe.httpGet).toEqual({ path: EXPORTER_HEALTH_PATH, port: spu.ports.metrics });
      expect(exporter.livenessProbe.httpGet).toEqual({ path: EXPORTER_HEALTH_PATH, port: spu.ports.metrics });
    }
  });
});

describe("Kubernetes objects: the metrics exporter", () => {
  it("runs as a second container sharing the socket directory, with prometheus.io annotations on the pod", () => {
    const { plan, objects } = build();
    for (const spu of plan.spus) {
      const template = named(objects, "StatefulSet", spu.host).spec.template;
      const [main, exporter] = [container(template, "spu"), container(template, "exporter")];
      expect(exporter.command).toEqual(spu.exporterCommand);
      expect(main.env).toEqual([
        { name: "RUST_LOG", value: "info" },
        { name: METRICS_SOCKET_ENV, value: CONTAINER_PATHS.metricsSocket },
      ]);
      const shared = main.volumeMounts.find((mount) => mount.mountPath === CONTAINER_PATHS.metricsDir)!;
      expect(exporter.volumeMounts).toContainEqual(shared);
      expect(template.spec.volumes).toContainEqual(expect.objectContaining({ name: shared.name, emptyDir: expect.any(Object) }));
      expect(template.metadata.annotations).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": String(spu.ports.metrics), "prometheus.io/path": "/metrics" });
    }
  });

  it("is absent, with its port, annotations and volume, when metrics are off", () => {
    const { objects } = build({ metrics: { enabled: false } });
    for (const set of ofKind(objects, "StatefulSet")) {
      expect(set.spec.template.spec.containers.map((candidate) => candidate.name)).toEqual(["spu"]);
      expect(set.spec.template.metadata.annotations).toBeUndefined();
      expect(set.spec.template.spec.volumes.map((volume) => volume.name)).not.toContain("metrics");
    }
    for (const service of ofKind(objects, "Service")) expect(service.spec.ports.map((port) => port.name)).not.toContain("metrics");
  });
});

describe("Kubernetes objects: TLS", () => {
  const tlsMounts = (template: PodTemplate, name: string) =>
    container(template, name).volumeMounts.filter((mount) => mount.mountPath === CONTAINER_PATHS.tlsDir);

  it("mounts the TLS Secret read-only at the paths the plan's flags name, in the SC and every SPU", () => {
    const { plan, objects } = build({ tls: { enabled: true, clientAuth: true } });
    const secret = named(objects, "Secret", `${plan.namePrefix}-tls`);
    expect(secret).not.toHaveProperty("stringData");
    expect(secret).not.toHaveProperty("data");
    const templates = [named(objects, "Deployment", plan.sc.name).spec.template, ...ofKind(objects, "StatefulSet").map((set) => set.spec.template)];
    for (const template of templates) {
      const main = template.spec.containers[0]!;
      expect(tlsMounts(template, main.name)).toEqual([{ name: "tls", mountPath: CONTAINER_PATHS.tlsDir, readOnly: true }]);
      const volume = template.spec.volumes.find((candidate) => candidate.name === "tls");
      expect(volume).toEqual({
        name: "tls",
        secret: {
          secretName: secret.metadata.name,
          defaultMode: 0o440,
          items: ["server.crt", "server.key", "ca.crt"].map((file) => ({ key: file, path: file })),
        },
      });
      for (const path of [CONTAINER_PATHS.tlsServerCert, CONTAINER_PATHS.tlsServerKey, CONTAINER_PATHS.tlsCaCert]) {
        expect(main.command).toContain(path);
        expect(path.startsWith(`${CONTAINER_PATHS.tlsDir}/`)).toBe(true);
      }
      expect(main.command).toContain("--tls");
    }
  });

  it("records SSL in every Spu's public and local endpoint", () => {
    const { objects } = build({ tls: { enabled: true } });
    for (const spu of ofKind(objects, "Spu")) {
      expect(spu.spec.publicEndpoint.encryption).toBe("SSL");
      expect(spu.spec.publicEndpointLocal?.encryption).toBe("SSL");
    }
  });

  it("leaves the CA out without client certificates, and emits no Secret or TLS mount without TLS", () => {
    const withoutCa = build({ tls: { enabled: true } });
    const volume = ofKind(withoutCa.objects, "StatefulSet")[0]!.spec.template.spec.volumes.find((candidate) => candidate.name === "tls");
    expect(volume && "secret" in volume ? volume.secret.items.map((item) => item.key) : []).toEqual(["server.crt", "server.key"]);
    const plain = build();
    expect(ofKind(plain.objects, "Secret")).toEqual([]);
    for (const set of ofKind(plain.objects, "StatefulSet")) expect(tlsMounts(set.spec.template, "spu")).toEqual([]);
  });
});

describe("Kubernetes objects: storage, policy, RBAC, hardening", () => {
  it("each SPU has its own PVC template with the configured class and size, retained on delete and scale-down", () => {
    const { objects } = build({ kubernetes: { storageClass: "fast-ssd" } });
    for (const set of ofKind(objects, "StatefulSet")) {
      expect(set.spec.volumeClaimTemplates).toEqual([
        expect.objectContaining({ spec: { accessModes: ["ReadWriteOnce"], storageClassName: "fast-ssd", resources: { requests: { storage: "20Gi" } } } }),
      ]);
      expect(container(set.spec.template, "spu").volumeMounts).toContainEqual({ name: "data", mountPath: CONTAINER_PATHS.spuData });
      expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    }
    const defaultClass = build();
    expect(ofKind(defaultClass.objects, "StatefulSet")[0]!.spec.volumeClaimTemplates[0]!.spec).not.toHaveProperty("storageClassName");
  });

  it("admits private ports only from the cluster's SC and SPU pods; public ports from anywhere, metrics ports from Prometheus", () => {
    const { plan, objects } = build();
    const workloads = [...ofKind(objects, "Deployment"), ...ofKind(objects, "StatefulSet")];
    const policies = ofKind(objects, "NetworkPolicy");
    expect(policies).toHaveLength(plan.spus.length + 1);
    const nodes = [{ host: plan.sc.name, open: [plan.sc.ports.public], private: [plan.sc.ports.private] }, ...plan.spus.map((spu) => ({ host: spu.host, open: [spu.ports.public], private: [spu.ports.private] }))];
    for (const spu of plan.spus) {
      const metrics = named(objects, "NetworkPolicy", spu.host).spec.ingress[2]!;
      expect(metrics.ports.map((port) => port.port)).toEqual([spu.ports.metrics]);
      expect(metrics.from).toEqual([{ podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } }, namespaceSelector: {} }]); // every namespace, written as the API server stores it
    }
    for (const node of nodes) {
      const policy = named(objects, "NetworkPolicy", node.host);
      const selected = workloads.filter((workload) => selects(policy.spec.podSelector.matchLabels, workload.spec.template.metadata.labels));
      expect(selected.map((workload) => workload.metadata.name)).toEqual([node.host]);
      const [open, restricted] = policy.spec.ingress;
      expect(open!.from).toBeUndefined();
      expect(open!.ports.map((port) => port.port)).toEqual(node.open);
      expect(restricted!.ports.map((port) => port.port)).toEqual(node.private);
      const admitted = workloads.filter((workload) => restricted!.from!.some((peer) => selects(peer.podSelector.matchLabels, workload.spec.template.metadata.labels)));
      expect(admitted.map((workload) => workload.metadata.name).sort()).toEqual(workloads.map((workload) => workload.metadata.name).sort());
    }
  });

  it("the SC's Role grants the Fluvio kinds and read-only StatefulSets, Services and ConfigMaps, in its namespace, bound to its account", () => {
    const { plan, objects } = build();
    const [role] = ofKind(objects, "Role");
    const grants = role!.rules.flatMap((rule) => rule.resources.map((resource) => `${rule.apiGroups[0]}/${resource}:${rule.verbs.join(",")}`));
    const fluvioGrants = (suffix: string, verbs: string) =>
      grants.filter((grant) => grant.startsWith("fluvio.infinyon.com/") && grant.endsWith(`${suffix}:${verbs}`)).map((grant) => grant.split("/")[1]!.split(":")[0]!.replace(suffix, ""));
    // Every kind the SC watches, and nothing more: the same verbs on each, and on its status.
    expect(fluvioGrants("", "get,list,watch,create,update,patch,delete").sort()).toEqual([...SC_WATCHED_KINDS].sort());
    expect(fluvioGrants("/status", "get,update,patch").sort()).toEqual([...SC_WATCHED_KINDS].sort());
    expect(grants.filter((grant) => grant.startsWith("fluvio.infinyon.com/"))).toHaveLength(2 * SC_WATCHED_KINDS.length);
    expect(grants).toContain("fluvio.infinyon.com/mirrors:get,list,watch,create,update,patch,delete");
    expect(grants).toContain("fluvio.infinyon.com/mirrors/status:get,update,patch");
    expect(grants).toContain("apps/statefulsets:get,list,watch");
    expect(grants).toContain("/services:get,list,watch");
    expect(grants).toContain("/configmaps:get,list,watch");
    expect(role!.rules.flatMap((rule) => [...rule.verbs, ...rule.resources, ...rule.apiGroups])).not.toContain("*");
    expect(ofKind(objects, "RoleBinding")[0]!.subjects).toEqual([{ kind: "ServiceAccount", name: plan.sc.name, namespace: plan.namespace }]);
    expect(named(objects, "Deployment", plan.sc.name).spec.template.spec.serviceAccountName).toBe(plan.sc.name);
    for (const set of ofKind(objects, "StatefulSet")) expect(set.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  it("every pod runs non-root with RuntimeDefault seccomp; every container read-only, no escalation, no capabilities", () => {
    const { objects } = build({ tls: { enabled: true } });
    for (const workload of [...ofKind(objects, "Deployment"), ...ofKind(objects, "StatefulSet")]) {
      const pod = workload.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      for (const each of pod.containers) {
        expect(each.securityContext).toEqual({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        });
        const writable = each.volumeMounts.filter((mount) => !mount.readOnly).map((mount) => mount.mountPath);
        if (each.name !== "exporter") expect(writable).toContain("/tmp");
        for (const mount of each.volumeMounts) expect(pod.volumes.map((volume) => volume.name).concat("data")).toContain(mount.name);
      }
    }
  });
});

describe("Kubernetes objects: namespace and CRDs", () => {
  it("creates the namespace unless Kubernetes owns it, the config says createNamespace: false, or the program opts out", () => {
    const { plan, spec, objects } = build();
    expect(objects[0]).toMatchObject({ kind: "Namespace", metadata: { name: "fluvio" } });
    expect(createsNamespace(plan, { createNamespace: false })).toBe(false);
    expect(ofKind(build({ kubernetes: { createNamespace: false } }).objects, "Namespace")).toEqual([]);
    expect(ofKind(build({ kubernetes: { namespace: "default" } }).objects, "Namespace")).toEqual([]);
  });

  it("installs a CRD for exactly the kinds the SC watches (mirrors included), unless installCrds is false", () => {
    const crds = ofKind(build().objects, "CustomResourceDefinition");
    expect(crds.map((crd) => crd.spec.names.plural).sort()).toEqual([...SC_WATCHED_KINDS].sort());
    for (const crd of crds) {
      expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.fluvio.infinyon.com`);
      expect(crd.spec).toMatchObject({ group: "fluvio.infinyon.com", scope: "Namespaced" });
      for (const version of crd.spec.versions) expect(version.subresources).toEqual({ status: {} });
    }
    const mirror = crds.find((crd) => crd.spec.names.plural === "mirrors")!;
    expect(mirror.spec.names.kind).toBe("Mirror");
    expect(mirror.spec.versions.map((version) => [version.name, version.served, version.storage])).toEqual([["v1", true, true]]);
    const schema = mirror.spec.versions[0]!.schema.openAPIV3Schema;
    expect(schema.properties?.["spec"]).toMatchObject({ type: "object", "x-kubernetes-preserve-unknown-fields": true });
    expect(schema.properties?.["status"]).toMatchObject({ type: "object", "x-kubernetes-preserve-unknown-fields": true });
    const topics = crds.find((crd) => crd.spec.names.plural === "topics")!;
    expect(topics.spec.versions.map((version) => version.name)).toContain("v2");
    expect(ofKind(build({ kubernetes: { installCrds: false } }).objects, "CustomResourceDefinition")).toEqual([]);
  });
});

describe("Kubernetes objects: creation order (what each object waits for)", () => {
  const withTls = build({ tls: { enabled: true, clientAuth: true }, kubernetes: { serviceMonitor: true } });
  const { objects } = withTls;
  const waitsFor = prerequisites(objects);
  const prerequisitesOf = (object: ClusterObject) => waitsFor[objects.indexOf(object)]!;
  const nodeOf = (object: ClusterObject) => object.metadata.labels["fluvio-spu.node"];
  const first: ClusterObject[] = objects.filter((object) => object.kind === "Namespace" || object.kind === "CustomResourceDefinition");
  const registrations = ofKind(objects, "Spu");

  it("the Namespace and CRDs wait for nothing; every other object for the Namespace, each Spu for its CRD too, the SC's Deployment for every CRD", () => {
    const namespace = ofKind(objects, "Namespace")[0]!;
    const spuCrd = ofKind(objects, "CustomResourceDefinition").find((crd) => crd.spec.names.kind === "Spu")!;
    for (const object of first) expect(prerequisitesOf(object)).toEqual([]);
    for (const object of objects.filter((candidate) => !first.includes(candidate))) expect(prerequisitesOf(object)).toContain(namespace);
    for (const registration of registrations) expect(prerequisitesOf(registration)).toEqual([namespace, spuCrd]);
    expect(prerequisitesOf(ofKind(objects, "Deployment")[0]!)).toEqual(expect.arrayContaining(first));
  });

  it("the SC's Deployment waits for every Spu registration, the shared objects (TLS Secret, ServiceMonitor) and its own (RBAC, Services, policy)", () => {
    const deployment = ofKind(objects, "Deployment")[0]!;
    const shared = objects.filter((object) => !first.includes(object) && nodeOf(object) === undefined && object.kind !== "Deployment");
    expect(shared.map((object) => object.kind)).toEqual(expect.arrayContaining(["Secret", "ServiceMonitor"]));
    const scObjects = objects.filter((object) => nodeOf(object) === "sc" && object !== deployment);
    expect(scObjects.map((object) => object.kind)).toEqual(expect.arrayContaining(["ServiceAccount", "Role", "RoleBinding", "Service", "NetworkPolicy"]));
    expect(prerequisitesOf(deployment)).toEqual(expect.arrayContaining([...registrations, ...shared, ...scObjects]));
  });

  it("an SPU's StatefulSet waits for its own Spu registration (so for the Spu CRD too), Services and policy, the shared objects and the SC's Services; never for another SPU's objects", () => {
    for (const set of ofKind(objects, "StatefulSet")) {
      const node = nodeOf(set);
      const own = objects.filter((object) => nodeOf(object) === node && object !== set);
      expect(own.map((object) => object.kind).sort()).toEqual(["NetworkPolicy", "Service", "Service", "Spu"]);
      expect(prerequisitesOf(set)).toEqual(expect.arrayContaining([...own, ...ofKind(objects, "Secret"), ...ofKind(objects, "Service").filter((service) => nodeOf(service) === "sc")]));
      const others = prerequisitesOf(set).filter((object) => nodeOf(object) !== undefined && nodeOf(object) !== "sc" && nodeOf(object) !== node);
      expect(others).toEqual([]);
    }
  });

  it("every prerequisite comes from an earlier stage, so the edge can create objects stage by stage", () => {
    for (const object of objects) for (const prerequisite of prerequisitesOf(object)) expect(stageOf(prerequisite.kind)).toBeLessThan(stageOf(object.kind));
  });

  it("every object is a prerequisite of a workload, directly or through another: the workloads' URNs alone say the cluster is in place", () => {
    const configs = [{}, { tls: { enabled: true, clientAuth: true }, kubernetes: { serviceMonitor: true } }, { metrics: { enabled: false } }, { kubernetes: { installCrds: false } }, { kubernetes: { serviceType: "ClusterIP" }, localEndpoint: false }];
    for (const config of configs) {
      const built = build(config).objects;
      const waits = prerequisites(built);
      const reached = new Set<ClusterObject>();
      const visit = (object: ClusterObject): void => {
        for (const prerequisite of waits[built.indexOf(object)] ?? []) {
          if (reached.has(prerequisite)) continue;
          reached.add(prerequisite);
          visit(prerequisite);
        }
      };
      const workloads = built.filter((object) => stageOf(object.kind) === 2);
      workloads.forEach(visit);
      expect(built.filter((object) => stageOf(object.kind) !== 2 && !reached.has(object)).map((object) => `${object.kind} ${object.metadata.name}`)).toEqual([]);
    }
  });

  it("dependency links grow linearly with the SPU count, not with its square", () => {
    const links = (spus: number) => {
      const built = build({ spus, environment: undefined, ports: { public: "20000-20999", private: "21000-21999", metrics: "22000-22999", nodePort: "30000-32767" } });
      return prerequisites(built.objects).reduce((sum, list) => sum + list.length, 0);
    };
    const [ten, twenty, forty] = [links(10), links(20), links(40)];
    // links = a + b × SPUs: each doubling adds twice what the one before added.
    expect(forty - twenty).toBe(2 * (twenty - ten));
    expect((forty - twenty) / 20).toBeLessThan(60);
  });
});
