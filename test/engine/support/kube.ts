/**
 * A small client for the control plane's REST API (no kubectl here): the admin kubeconfig's
 * client certificate over node's https. Applies objects the way the Kubernetes provider does by
 * default (server-side apply, one field manager), reads them back, lists and deletes.
 */
import { request as httpsRequest } from "node:https";
import { readFileSync } from "node:fs";
import { parse } from "yaml";

type Obj = Record<string, any>;

export interface KubeResponse {
  status: number;
  body: Obj;
}

/** Where a kind lives in the REST API: its plural and whether it is namespaced. */
interface KindInfo {
  plural: string;
  namespaced: boolean;
}

const BUILT_IN: Record<string, KindInfo> = {
  Namespace: { plural: "namespaces", namespaced: false },
  CustomResourceDefinition: { plural: "customresourcedefinitions", namespaced: false },
  ServiceAccount: { plural: "serviceaccounts", namespaced: true },
  Role: { plural: "roles", namespaced: true },
  RoleBinding: { plural: "rolebindings", namespaced: true },
  Secret: { plural: "secrets", namespaced: true },
  Service: { plural: "services", namespaced: true },
  NetworkPolicy: { plural: "networkpolicies", namespaced: true },
  Deployment: { plural: "deployments", namespaced: true },
  StatefulSet: { plural: "statefulsets", namespaced: true },
  PersistentVolumeClaim: { plural: "persistentvolumeclaims", namespaced: true },
  Pod: { plural: "pods", namespaced: true },
};

export const FIELD_MANAGER = "fluvio-spu-engine-tier";

export class Kube {
  private readonly server: URL;
  private readonly ca: Buffer;
  private readonly cert: Buffer;
  private readonly key: Buffer;
  /** Kinds learnt from CustomResourceDefinitions applied through this client. */
  private readonly custom = new Map<string, KindInfo>();

  constructor(kubeconfigFile: string) {
    const config = parse(readFileSync(kubeconfigFile, "utf8")) as Obj;
    const context = config.contexts.find((entry: Obj) => entry.name === config["current-context"]).context;
    const cluster = config.clusters.find((entry: Obj) => entry.name === context.cluster).cluster;
    const user = config.users.find((entry: Obj) => entry.name === context.user).user;
    const decode = (data: string) => Buffer.from(data, "base64");
    this.server = new URL(cluster.server);
    this.ca = decode(cluster["certificate-authority-data"]);
    this.cert = decode(user["client-certificate-data"]);
    this.key = decode(user["client-key-data"]);
  }

  request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<KubeResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: this.server.hostname,
          port: this.server.port,
          path,
          method,
          ca: this.ca,
          cert: this.cert,
          key: this.key,
          headers: { Accept: "application/json", ...(payload !== undefined ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: Obj = {};
            try {
              parsed = text ? (JSON.parse(text) as Obj) : {};
            } catch {
              parsed = { text };
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("error", reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  kindInfo(kind: string): KindInfo {
    const info = BUILT_IN[kind] ?? this.custom.get(kind);
    if (!info) throw new Error(`the engine tier's client does not know kind ${kind} (apply its CRD first)`);
    return info;
  }

  /** The REST path of a kind (collection), or of one object when `name` is given. */
  path(apiVersion: string, kind: string, namespace?: string, name?: string): string {
    const info = this.kindInfo(kind);
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = info.namespaced ? `/namespaces/${namespace ?? "default"}` : "";
    return `${base}${ns}/${info.plural}${name !== undefined ? `/${encodeURIComponent(name)}` : ""}`;
  }

  pathOf(object: Obj): string {
    return this.path(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
  }

  /** Server-side apply; learns the kinds of CustomResourceDefinitions it applies. */
  async apply(object: Obj): Promise<KubeResponse> {
    const response = await this.request("PATCH", `${this.pathOf(object)}?fieldManager=${FIELD_MANAGER}&force=true`, object, "application/apply-patch+yaml");
    if (object.kind === "CustomResourceDefinition") this.learn(object);
    return response;
  }

  learn(crd: Obj): void {
    this.custom.set(crd.spec.names.kind, { plural: crd.spec.names.plural, namespaced: crd.spec.scope === "Namespaced" });
  }

  async get(object: Obj): Promise<KubeResponse> {
    return this.request("GET", this.pathOf(object));
  }

  async delete(object: Obj): Promise<KubeResponse> {
    return this.request("DELETE", this.pathOf(object), { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" });
  }

  async list(apiVersion: string, kind: string, namespace: string, labelSelector?: string): Promise<Obj[]> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
    const response = await this.request("GET", `${this.path(apiVersion, kind, namespace)}${query}`);
    if (response.status !== 200) throw new Error(`list ${kind} in ${namespace}: ${response.status} ${response.body.message ?? ""}`);
    return response.body.items as Obj[];
  }

  /** Waits until a CustomResourceDefinition is Established (its API is served). */
  async waitEstablished(crd: Obj, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await this.get(crd);
      const conditions: Obj[] = body.status?.conditions ?? [];
      if (conditions.some((condition) => condition.type === "Established" && condition.status === "True")) return;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not Established in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Waits until `check` holds, polling. */
  async waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** `kind namespace/name` of an object, for messages and keys. */
export const keyOf = (object: Obj): string => `${object.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name}`;

/** Deletes a namespace and waits until the namespace controller has emptied it and it is gone. */
export async function deleteNamespace(kube: Kube, name: string, timeoutMs = 120_000): Promise<void> {
  const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
  const response = await kube.delete(namespace);
  if (response.status === 404) return;
  await kube.waitFor(`namespace ${name} deleted`, async () => (await kube.get(namespace)).status === 404, timeoutMs);
}

/**
 * The workloads of a namespace that are not rolled out: a Deployment without every replica
 * available, a StatefulSet without every replica ready (as `kubectl rollout status` would wait).
 */
export async function unreadyWorkloads(kube: Kube, namespace: string): Promise<string[]> {
  const deployments = await kube.list("apps/v1", "Deployment", namespace);
  const statefulSets = await kube.list("apps/v1", "StatefulSet", namespace);
  return [
    ...deployments.filter((d) => (d.status?.availableReplicas ?? 0) < d.spec.replicas).map((d) => `Deployment ${d.metadata.name}`),
    ...statefulSets.filter((s) => (s.status?.readyReplicas ?? 0) < s.spec.replicas).map((s) => `StatefulSet ${s.metadata.name}`),
  ];
}
