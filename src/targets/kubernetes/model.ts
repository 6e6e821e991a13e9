/**
 * Minimal shapes of the Kubernetes objects this target emits: plain data with the field names
 * of the Kubernetes API, no Pulumi types, so the same objects can be handed to
 * `@pulumi/kubernetes` or rendered as YAML for `kubectl apply -f`. Only the fields the target
 * sets are declared; the schema tests validate every object against the real OpenAPI schemas.
 */

/** Labels and annotations: string to string. */
export type StringMap = Record<string, string>;

/** `metadata` of every object. Namespaced kinds carry `namespace`; cluster-scoped ones do not. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: StringMap;
  annotations?: StringMap;
}

/** What every emitted object has in common. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/** A selector by exact labels (the only form this target uses, so selectors are easy to check). */
export interface LabelSelector {
  matchLabels: StringMap;
}

/** A selector of every object (`{}`): how the API server stores a selector with no labels. */
export type EmptySelector = Record<string, never>;

// ----- core/v1 --------------------------------------------------------------------------------

/** The cluster's namespace, when the target creates it. */
export interface Namespace extends KubernetesObject {
  apiVersion: "v1";
  kind: "Namespace";
}

/** The SC's identity for the Kubernetes API; the token is mounted only into the SC pod. */
export interface ServiceAccount extends KubernetesObject {
  apiVersion: "v1";
  kind: "ServiceAccount";
  automountServiceAccountToken: boolean;
}

/**
 * A Secret without its data: the values are secrets and never part of plain objects. The
 * deploying edge adds `stringData` from Pulumi secrets under the keys of `SecretShell.keys`.
 */
export interface Secret extends KubernetesObject {
  apiVersion: "v1";
  kind: "Secret";
  type: "Opaque";
  stringData?: StringMap;
}

/** One Service port: `port` and `targetPort` are the same planned number, `nodePort` the planned NodePort. */
export interface ServicePort {
  name: string;
  protocol: "TCP";
  port: number;
  targetPort: number;
  nodePort?: number;
}

/** A Service selecting the pod of one node (SC or SPU). */
export interface Service extends KubernetesObject {
  apiVersion: "v1";
  kind: "Service";
  spec: {
    type: "ClusterIP" | "NodePort" | "LoadBalancer";
    selector: StringMap;
    ports: ServicePort[];
  };
}

/** One planned port a container listens on. */
export interface ContainerPort {
  name: string;
  containerPort: number;
  protocol: "TCP";
}

/** A plain environment variable (never a secret: secrets come through mounted files). */
export interface EnvVar {
  name: string;
  value: string;
}

/** Where a container sees a pod volume. */
export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

/** A readiness or liveness check: a command in the container, a TCP connect or an HTTP GET on a planned port. */
export interface Probe {
  exec?: { command: string[] };
  tcpSocket?: { port: number };
  httpGet?: { path: string; port: number };
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

/** Container hardening, the same for every container. */
export interface SecurityContext {
  runAsNonRoot: boolean;
  allowPrivilegeEscalation: boolean;
  readOnlyRootFilesystem: boolean;
  capabilities: { drop: string[] };
  seccompProfile: { type: "RuntimeDefault" };
}

/** Pod hardening: a fixed non-root user, and the group that owns the volumes. */
export interface PodSecurityContext {
  runAsNonRoot: boolean;
  runAsUser: number;
  runAsGroup: number;
  fsGroup: number;
  fsGroupChangePolicy: "OnRootMismatch";
  seccompProfile: { type: "RuntimeDefault" };
}

/** One container: the plan's argv, its planned ports, its mounts, probes and hardening. */
export interface Container {
  name: string;
  image: string;
  command: string[];
  ports: ContainerPort[];
  env?: EnvVar[];
  volumeMounts: VolumeMount[];
  readinessProbe: Probe;
  livenessProbe: Probe;
  securityContext: SecurityContext;
}

/** A pod volume: scratch space (emptyDir) or the TLS Secret's files. */
export type Volume =
  | { name: string; emptyDir: { medium?: string; sizeLimit?: string } }
  | { name: string; secret: { secretName: string; defaultMode: number; items: { key: string; path: string }[] } };

/** The pod of the SC Deployment or an SPU StatefulSet. */
export interface PodTemplate {
  metadata: { labels: StringMap; annotations?: StringMap };
  spec: {
    serviceAccountName?: string;
    automountServiceAccountToken: boolean;
    /** The pause container is PID 1 (see `FLUVIO_POD_INIT`), so `fluvio-run` gets SIGTERM's default action. */
    shareProcessNamespace?: boolean;
    securityContext: PodSecurityContext;
    containers: Container[];
    volumes: Volume[];
    terminationGracePeriodSeconds: number;
  };
}

/** An SPU's data volume claim (storage class and size from the config). */
export interface PersistentVolumeClaimTemplate {
  metadata: { name: string; labels: StringMap };
  spec: {
    accessModes: ["ReadWriteOnce"];
    storageClassName?: string;
    resources: { requests: { storage: string } };
  };
}

// ----- apps/v1 --------------------------------------------------------------------------------

/** The SC's workload. */
export interface Deployment extends KubernetesObject {
  apiVersion: "apps/v1";
  kind: "Deployment";
  spec: {
    replicas: number;
    strategy: { type: "Recreate" };
    selector: LabelSelector;
    template: PodTemplate;
  };
}

/** One SPU's workload: one replica, its own claim. */
export interface StatefulSet extends KubernetesObject {
  apiVersion: "apps/v1";
  kind: "StatefulSet";
  spec: {
    replicas: 1;
    serviceName: string;
    selector: LabelSelector;
    template: PodTemplate;
    volumeClaimTemplates: PersistentVolumeClaimTemplate[];
    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain"; whenScaled: "Retain" };
  };
}

// ----- rbac.authorization.k8s.io/v1 -------------------------------------------------------------

/** One RBAC rule: API groups, resources and verbs, never wildcards. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** What the SC may do in its namespace. */
export interface Role extends KubernetesObject {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "Role";
  rules: PolicyRule[];
}

/** Grants the SC's Role to its ServiceAccount. */
export interface RoleBinding extends KubernetesObject {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "RoleBinding";
  roleRef: { apiGroup: "rbac.authorization.k8s.io"; kind: "Role"; name: string };
  subjects: { kind: "ServiceAccount"; name: string; namespace: string }[];
}

// ----- networking.k8s.io/v1 -------------------------------------------------------------------

/** A TCP port a NetworkPolicy rule admits. */
export interface NetworkPolicyPort {
  protocol: "TCP";
  port: number;
}

/** Which peers may reach which ports of one pod. */
export interface NetworkPolicy extends KubernetesObject {
  apiVersion: "networking.k8s.io/v1";
  kind: "NetworkPolicy";
  spec: {
    podSelector: LabelSelector;
    policyTypes: ["Ingress"];
    ingress: { from?: { podSelector: LabelSelector | EmptySelector; namespaceSelector?: LabelSelector | EmptySelector }[]; ports: NetworkPolicyPort[] }[];
  };
}

// ----- apiextensions.k8s.io/v1 ----------------------------------------------------------------

/** The subset of OpenAPI v3 a structural CRD schema uses here. */
export interface JsonSchema {
  type?: "object" | "array" | "string" | "integer" | "boolean";
  description?: string;
  required?: string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

/** One served version of a CRD, with its structural schema. */
export interface CustomResourceDefinitionVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  schema: { openAPIV3Schema: JsonSchema };
  subresources: { status: Record<string, never> };
  additionalPrinterColumns?: { name: string; type: "string" | "integer"; jsonPath: string; description?: string }[];
}

/** A Fluvio kind's definition (cluster-scoped). */
export interface CustomResourceDefinition extends KubernetesObject {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  spec: {
    group: string;
    scope: "Namespaced";
    names: { kind: string; plural: string; singular: string; listKind: string };
    versions: CustomResourceDefinitionVersion[];
  };
}

// ----- custom resources -----------------------------------------------------------------------

/** An endpoint as Fluvio's `Spu` spec stores it. */
export interface SpuEndpoint {
  host: string;
  port: number;
  encryption: "PLAINTEXT" | "SSL";
}

/** One ingress address of an SPU's public endpoint: a DNS name or an IP address. */
export type SpuIngress = { hostname: string } | { ip: string };

/** Fluvio's `Spu` custom resource (`fluvio.infinyon.com/v1`): what registers a custom SPU with the SC. */
export interface Spu extends KubernetesObject {
  apiVersion: "fluvio.infinyon.com/v1";
  kind: "Spu";
  spec: {
    spuId: number;
    spuType: "Custom";
    rack?: string;
    publicEndpoint: { port: number; ingress: SpuIngress[]; encryption: "PLAINTEXT" | "SSL" };
    privateEndpoint: SpuEndpoint;
    publicEndpointLocal?: SpuEndpoint;
  };
}

/** The Prometheus Operator's `ServiceMonitor` (`monitoring.coreos.com/v1`). */
export interface ServiceMonitor extends KubernetesObject {
  apiVersion: "monitoring.coreos.com/v1";
  kind: "ServiceMonitor";
  spec: {
    /** The Service label whose value becomes the `job` label (the plan's `monitoring.job`). */
    jobLabel?: string;
    selector: LabelSelector;
    namespaceSelector: { matchNames: string[] };
    endpoints: {
      port: string;
      path: string;
      interval: string;
      /** Keep the exporter's own `spu` label on its series (the relabelled target label would rename it `exported_spu`). */
      honorLabels?: boolean;
      /** Adds `spu` to the target, so `up` (scrapes failing) names the SPU too. */
      relabelings?: { sourceLabels: string[]; regex: string; targetLabel: string; replacement: string; action: "replace" }[];
    }[];
  };
}

/** The Prometheus Operator's `PrometheusRule` (`monitoring.coreos.com/v1`): the plan's alert rule groups. */
export interface PrometheusRule extends KubernetesObject {
  apiVersion: "monitoring.coreos.com/v1";
  kind: "PrometheusRule";
  spec: { groups: { name: string; rules: { alert: string; expr: string; for: string; labels: StringMap; annotations: StringMap }[] }[] };
}

/** Every object the Kubernetes target emits, in one union. */
export type ClusterObject =
  | Namespace
  | CustomResourceDefinition
  | ServiceAccount
  | Role
  | RoleBinding
  | Secret
  | Service
  | NetworkPolicy
  | Deployment
  | StatefulSet
  | Spu
  | ServiceMonitor
  | PrometheusRule;
