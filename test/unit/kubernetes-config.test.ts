/** Bad Kubernetes input: a ConfigError naming the field and the fix, before any object exists. */
import { describe, expect, it } from "vitest";
import { parseClusterSpec } from "../../src/config/schema";
import { planCluster } from "../../src/plan/plan";
import { buildKubernetesObjects } from "../../src/targets/kubernetes/build";
import { objectNameIssues } from "../../src/targets/kubernetes/checks";
import { tlsMaterialIssues } from "../../src/config/tls";
import { configErrorOf, issueAt } from "../support/errors";

type Raw = Record<string, unknown>;
const base: Raw = { target: "kubernetes", environment: "prod", spus: 3 };

const planFor = (raw: Raw, stack = "prod") => planCluster(parseClusterSpec(raw), { stack });
const buildFor = (raw: Raw, stack = "prod") => {
  const spec = parseClusterSpec(raw);
  return buildKubernetesObjects(planCluster(spec, { stack }), spec);
};

describe("Kubernetes config errors: Service types and endpoints", () => {
  it("a host.docker.internal local endpoint behind ClusterIP Services", () => {
    const error = configErrorOf(() => planFor({ ...base, kubernetes: { serviceType: "ClusterIP" } }));
    expect(issueAt(error, "localEndpoint.host")).toMatch(/host\.docker\.internal.*ClusterIP.*NodePort.*inCluster: true.*localEndpoint: false/);
  });

  it("one SPU's own local endpoint behind ClusterIP, named by its index", () => {
    const error = configErrorOf(() =>
      planFor({ ...base, spus: [{ id: 5001 }, { id: 5002, localEndpoint: { host: "kind.local" } }], localEndpoint: { inCluster: true }, kubernetes: { serviceType: "ClusterIP" } }),
    );
    expect(issueAt(error, "spus[1].localEndpoint.host")).toMatch(/kind\.local.*ClusterIP/);
  });

  it("accepts in-cluster local endpoints with ClusterIP, and host.docker.internal with NodePort and LoadBalancer", () => {
    expect(() => buildFor({ ...base, kubernetes: { serviceType: "ClusterIP" }, localEndpoint: { inCluster: true } })).not.toThrow();
    expect(() => buildFor({ ...base, kubernetes: { serviceType: "NodePort" } })).not.toThrow();
    expect(() => buildFor({ ...base, kubernetes: { serviceType: "LoadBalancer" } })).not.toThrow();
  });

  it("a pinned NodePort on Services that have none", () => {
    const error = configErrorOf(() => planFor({ ...base, spus: [{ id: 5001, nodePort: 30010 }], kubernetes: { serviceType: "ClusterIP" }, localEndpoint: false }));
    expect(issueAt(error, "spus[0].nodePort")).toMatch(/only Kubernetes NodePort Services have NodePorts/);
  });
});

describe("Kubernetes config errors: the NodePort range", () => {
  it("a nodePort range outside the API server's --service-node-port-range", () => {
    const error = configErrorOf(() => planFor({ ...base, ports: { nodePort: "29990-30050" } }));
    expect(issueAt(error, "ports.nodePort")).toMatch(/29990-30050.*not inside.*30000-32767.*allowedNodePortRange/);
  });

  it("a nodePort range outside a narrower allowed range the user declares", () => {
    const error = configErrorOf(() => planFor({ ...base, kubernetes: { allowedNodePortRange: "31000-31999" } }));
    expect(issueAt(error, "ports.nodePort")).toMatch(/30000-30085.*31000-31999/);
  });

  it("NodePort exhaustion names the range", () => {
    const error = configErrorOf(() => planFor({ ...base, spus: 8, ports: { nodePort: "30000-30005" } }));
    expect(JSON.stringify(error.issues)).toMatch(/30000-30005/);
  });
});

describe("Kubernetes config errors: names after the cluster and stack are joined", () => {
  it("a stack name that is not a DNS label", () => {
    const error = configErrorOf(() => planFor(base, "PR_42"));
    expect(issueAt(error, "name")).toMatch(/'fluvio-PR_42'.*DNS-1035/);
  });

  it("an internal Service name over 63 characters", () => {
    const stack = "s".repeat(45);
    const error = configErrorOf(() => planFor(base, stack));
    expect(issueAt(error, "name")).toMatch(/-spu-5003-internal' \(.*\) is 70 characters; Kubernetes Service names end at 63: .* by 7/);
  });

  it("an SPU StatefulSet name over 52 characters, though every Service name fits", () => {
    const stack = "s".repeat(37); // fluvio-<37>-spu-5003 = 53 characters; its -internal Service = 62
    const error = configErrorOf(() => planFor(base, stack));
    expect(issueAt(error, "name")).toMatch(/is 53 characters; it names the SPU's StatefulSet.*controller-revision-hash.*end at 52.*by 1/);
    expect(() => planFor(base, "s".repeat(36))).not.toThrow();
  });

  it("every emitted name and label value is checked against its kind's rule", () => {
    const spec = parseClusterSpec(base);
    const plan = planCluster(spec, { stack: "prod" });
    const objects = buildKubernetesObjects(plan, spec);
    expect(objectNameIssues(plan, objects)).toEqual([]);
    const service = objects.find((object) => object.kind === "Service")!;
    const statefulSet = objects.find((object) => object.kind === "StatefulSet")!;
    const broken = [
      { ...service, metadata: { ...service.metadata, name: "9-starts-with-a-digit" } },
      { ...statefulSet, metadata: { ...statefulSet.metadata, name: "x".repeat(53) } },
      { ...service, metadata: { ...service.metadata, name: "ok", labels: { "fluvio-spu.stack": "-leading-dash" } } },
    ];
    const messages = objectNameIssues(plan, broken).map((issue) => `${issue.path}: ${issue.message}`);
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatch(/^name: the Service name '9-starts-with-a-digit'.*DNS-1035/);
    expect(messages[1]).toMatch(/^name: the StatefulSet name 'x{53}'.*53 characters, 1 too many.*52/);
    expect(messages[2]).toMatch(/^stack: the label fluvio-spu.stack='-leading-dash' on Service 'ok'/);
  });
});

describe("Kubernetes config errors: settings that need each other", () => {
  it("a ServiceMonitor without metrics", () => {
    const error = configErrorOf(() => buildFor({ ...base, metrics: { enabled: false }, kubernetes: { serviceMonitor: true } }));
    expect(issueAt(error, "kubernetes.serviceMonitor")).toMatch(/metrics.enabled is false/);
    expect(() => parseClusterSpec({ ...base, kubernetes: { serviceMonitor: true } })).not.toThrow();
  });

  it("TLS without a certificate and key, and client certificates without a CA", () => {
    const spec = parseClusterSpec({ ...base, tls: { enabled: true, clientAuth: true } });
    const none = tlsMaterialIssues(spec, { serverCert: false, serverKey: false, caCert: false });
    expect(none.map((issue) => issue.path)).toEqual(["tls.enabled", "tls.clientAuth"]);
    expect(none[0]!.message).toMatch(/tlsCertificates: \{ serverCert, serverKey \}/);
    expect(tlsMaterialIssues(spec, { serverCert: true, serverKey: true, caCert: false }).map((issue) => issue.path)).toEqual(["tls.clientAuth"]);
    expect(tlsMaterialIssues(spec, { serverCert: true, serverKey: true, caCert: true })).toEqual([]);
    expect(tlsMaterialIssues(parseClusterSpec(base), { serverCert: false, serverKey: false, caCert: false })).toEqual([]);
  });
});
