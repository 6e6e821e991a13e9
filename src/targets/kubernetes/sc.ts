import type { ClusterPlan } from "../../plan/types";
import { fluvioResources, FLUVIO_GROUP } from "./crds";
import { componentLabels, scSelector } from "./labels";
import type { Container, Deployment, NetworkPolicy, PolicyRule, Role, RoleBinding, Service, ServiceAccount } from "./model";
import { FLUVIO_POD_INIT, containerSecurityContext, listeningProbeCheck, livenessProbe, podSecurityContext, readinessProbe, tmpVolume, type MountedVolume } from "./pods";
import { privatePortPolicy } from "./policy";

/** What SC objects need beside the plan: names derived once, the image and the TLS volume. */
export interface ScObjectInputs {
  plan: ClusterPlan;
  /** The SC's in-cluster Service (private port). */
  internalServiceName: string;
  image: string;
  /** The TLS Secret volume, or null without TLS. */
  tls: MountedVolume | null;
}

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete"];

/**
 * What the SC may do in its namespace, and nothing more:
 * - the Fluvio kinds: it reads and writes them all (it is their controller), and their status;
 * - StatefulSets and Services: read, since it watches them at start (FLUVIO.md); it would
 *   write them only for managed SPU groups, which this component does not use;
 * - ConfigMaps: read, since it watches its `spu-k8` config at start.
 */
function scRoleRules(): PolicyRule[] {
  const fluvio = fluvioResources();
  return [
    { apiGroups: [FLUVIO_GROUP], resources: fluvio, verbs: [...READ, ...WRITE] },
    { apiGroups: [FLUVIO_GROUP], resources: fluvio.map((plural) => `${plural}/status`), verbs: ["get", "update", "patch"] },
    { apiGroups: ["apps"], resources: ["statefulsets"], verbs: READ },
    { apiGroups: [""], resources: ["services", "configmaps"], verbs: READ },
  ];
}

/** The SC's ServiceAccount, Role and RoleBinding, all named like the SC. */
export function scRbac(plan: ClusterPlan): [ServiceAccount, Role, RoleBinding] {
  const namespace = plan.namespace as string;
  const metadata = { name: plan.sc.name, namespace, labels: componentLabels(plan, "sc", "sc") };
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata, automountServiceAccountToken: false },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata, rules: scRoleRules() },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: plan.sc.name },
      subjects: [{ kind: "ServiceAccount", name: plan.sc.name, namespace }],
    },
  ];
}

/** The SC container: the plan's `fluvio-run sc --k8` argv and its two planned ports. */
export function scContainer(inputs: ScObjectInputs): Container {
  const { plan, tls } = inputs;
  const tmp = tmpVolume();
  const publicCheck = listeningProbeCheck(plan.sc.ports.public);
  const env = Object.entries(plan.sc.env).map(([name, value]) => ({ name, value }));
  return {
    name: "sc",
    image: inputs.image,
    command: plan.sc.command,
    ...(env.length > 0 ? { env } : {}),
    ports: [
      { name: "public", containerPort: plan.sc.ports.public, protocol: "TCP" },
      { name: "private", containerPort: plan.sc.ports.private, protocol: "TCP" },
    ],
    volumeMounts: [tmp.mount, ...(tls ? [tls.mount] : [])],
    readinessProbe: readinessProbe(publicCheck),
    livenessProbe: livenessProbe(publicCheck),
    securityContext: containerSecurityContext(),
  };
}

/**
 * The SC Deployment: one replica, replaced with `Recreate` (two SCs must never run at once).
 * It keeps no state on disk: on Kubernetes its metadata lives in the Fluvio custom resources.
 */
export function scDeployment(inputs: ScObjectInputs): Deployment {
  const { plan, tls } = inputs;
  const selector = scSelector(plan);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: plan.sc.name, namespace: plan.namespace as string, labels: componentLabels(plan, "sc", "sc") },
    spec: {
      replicas: 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...componentLabels(plan, "sc", "sc"), ...selector } },
        spec: {
          serviceAccountName: plan.sc.name,
          automountServiceAccountToken: true,
          ...FLUVIO_POD_INIT,
          securityContext: podSecurityContext(),
          containers: [scContainer(inputs)],
          volumes: [tmpVolume().volume, ...(tls ? [tls.volume] : [])],
          terminationGracePeriodSeconds: 30,
        },
      },
    },
  };
}

/**
 * The SC's Services: the public one (of the configured type; `port` = `targetPort` = the planned
 * public port, `nodePort` the planned one) and the internal ClusterIP one (private port).
 */
export function scServices(inputs: ScObjectInputs): [Service, Service] {
  const { plan } = inputs;
  const namespace = plan.namespace as string;
  const labels = componentLabels(plan, "sc", "sc");
  const nodePort = plan.serviceType === "NodePort" && plan.sc.ports.nodePort !== undefined ? { nodePort: plan.sc.ports.nodePort } : {};
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: plan.sc.name, namespace, labels },
      spec: {
        type: plan.serviceType ?? "ClusterIP",
        selector: scSelector(plan),
        ports: [{ name: "public", protocol: "TCP", port: plan.sc.ports.public, targetPort: plan.sc.ports.public, ...nodePort }],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: inputs.internalServiceName, namespace, labels },
      spec: {
        type: "ClusterIP",
        selector: scSelector(plan),
        ports: [{ name: "private", protocol: "TCP", port: plan.sc.ports.private, targetPort: plan.sc.ports.private }],
      },
    },
  ];
}

/** The SC's NetworkPolicy: the public port from anywhere, the private port from the cluster's own pods. */
export function scNetworkPolicy(plan: ClusterPlan): NetworkPolicy {
  return privatePortPolicy(plan, {
    name: plan.sc.name,
    labels: componentLabels(plan, "sc", "sc"),
    podSelector: scSelector(plan),
    openPorts: [plan.sc.ports.public],
    privatePorts: [plan.sc.ports.private],
  });
}
