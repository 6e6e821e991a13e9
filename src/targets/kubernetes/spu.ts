import { ipFamily } from "../../config/hosts";
import { CONTAINER_PATHS, EXPORTER_HEALTH_PATH } from "../../plan/layout";
import type { ClusterPlan, SpuPlan } from "../../plan/types";
import { SPU_API_VERSION } from "./crds";
import { componentLabels, EXPOSURE_LABEL, spuNode, spuSelector } from "./labels";
import type { Container, NetworkPolicy, Service, ServicePort, Spu, SpuIngress, StatefulSet, StringMap } from "./model";
import {
  containerSecurityContext,
  FLUVIO_POD_INIT,
  listeningProbeCheck,
  livenessProbe,
  metricsVolume,
  podSecurityContext,
  readinessProbe,
  tmpVolume,
  VOLUMES,
  type MountedVolume,
} from "./pods";
import { privatePortPolicy } from "./policy";

/** What one SPU's objects need beside the plan: its internal Service name, images, storage and TLS. */
export interface SpuObjectInputs {
  plan: ClusterPlan;
  spu: SpuPlan;
  /** The SPU's in-cluster Service (private and metrics ports); its DNS name is the private endpoint's host. */
  internalServiceName: string;
  images: { fluvio: string; exporter: string };
  storage: { size: string; className?: string };
  /** The TLS Secret volume, or null without TLS. */
  tls: MountedVolume | null;
}

/** The path Prometheus scrapes on the exporter. */
export const METRICS_PATH = "/metrics";

/** The SPU's labels, on its StatefulSet, pod, Services and policy. */
function spuLabels(plan: ClusterPlan, spu: SpuPlan): StringMap {
  return componentLabels(plan, "spu", spuNode(spu));
}

/** The SPU container: the plan's `fluvio-run spu` argv, its public and private ports, its data volume. */
export function spuContainer(inputs: SpuObjectInputs): Container {
  const { spu, tls } = inputs;
  const env = Object.entries(spu.env).map(([name, value]) => ({ name, value }));
  const publicCheck = listeningProbeCheck(spu.ports.public);
  return {
    name: "spu",
    image: inputs.images.fluvio,
    command: spu.command,
    ports: [
      { name: "public", containerPort: spu.ports.public, protocol: "TCP" },
      { name: "private", containerPort: spu.ports.private, protocol: "TCP" },
    ],
    ...(env.length > 0 ? { env } : {}),
    volumeMounts: [
      { name: VOLUMES.data, mountPath: CONTAINER_PATHS.spuData },
      tmpVolume().mount,
      ...(spu.exporterCommand ? [metricsVolume().mount] : []),
      ...(tls ? [tls.mount] : []),
    ],
    readinessProbe: readinessProbe(publicCheck),
    livenessProbe: livenessProbe(publicCheck),
    securityContext: containerSecurityContext(),
  };
}

/** The exporter beside the SPU: reads the socket in the shared directory, serves the planned metrics port. */
export function exporterContainer(inputs: SpuObjectInputs): Container | null {
  const { spu } = inputs;
  if (!spu.exporterCommand || spu.ports.metrics === undefined) return null;
  const healthCheck = { httpGet: { path: EXPORTER_HEALTH_PATH, port: spu.ports.metrics } };
  return {
    name: "exporter",
    image: inputs.images.exporter,
    command: spu.exporterCommand,
    ports: [{ name: "metrics", containerPort: spu.ports.metrics, protocol: "TCP" }],
    volumeMounts: [metricsVolume().mount],
    readinessProbe: readinessProbe(healthCheck),
    livenessProbe: livenessProbe(healthCheck),
    securityContext: containerSecurityContext(),
  };
}

/** `prometheus.io/*` annotations for the SPU pod when it has an exporter. */
function scrapeAnnotations(spu: SpuPlan): StringMap | undefined {
  if (spu.ports.metrics === undefined) return undefined;
  return { "prometheus.io/scrape": "true", "prometheus.io/port": String(spu.ports.metrics), "prometheus.io/path": METRICS_PATH };
}

/**
 * One StatefulSet per SPU, one replica: the SPU id is in the object's name, so scaling the
 * cluster adds or removes whole StatefulSets and never renumbers a pod, and each SPU keeps its
 * own PersistentVolumeClaim (`data-<name>-0`), retained when the StatefulSet goes.
 */
function spuStatefulSet(inputs: SpuObjectInputs): StatefulSet {
  const { plan, spu, tls } = inputs;
  const selector = spuSelector(plan, spu);
  const exporter = exporterContainer(inputs);
  const annotations = scrapeAnnotations(spu);
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: spu.host, namespace: plan.namespace as string, labels: spuLabels(plan, spu) },
    spec: {
      replicas: 1,
      serviceName: inputs.internalServiceName,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...spuLabels(plan, spu), ...selector }, ...(annotations ? { annotations } : {}) },
        spec: {
          automountServiceAccountToken: false,
          ...FLUVIO_POD_INIT,
          securityContext: podSecurityContext(),
          containers: [spuContainer(inputs), ...(exporter ? [exporter] : [])],
          volumes: [tmpVolume().volume, ...(exporter ? [metricsVolume().volume] : []), ...(tls ? [tls.volume] : [])],
          terminationGracePeriodSeconds: 60,
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: VOLUMES.data, labels: spuLabels(plan, spu) },
          spec: {
            accessModes: ["ReadWriteOnce"],
            ...(inputs.storage.className !== undefined ? { storageClassName: inputs.storage.className } : {}),
            resources: { requests: { storage: inputs.storage.size } },
          },
        },
      ],
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
    },
  };
}

/**
 * The SPU's two Services. Public: of the configured type, `port` = `targetPort` = the planned
 * public port (and `nodePort` the planned NodePort), so a client never translates ports.
 * Internal: ClusterIP, the private port (SC and SPUs) and the metrics port (Prometheus).
 */
function spuServices(inputs: SpuObjectInputs): [Service, Service] {
  const { plan, spu } = inputs;
  const namespace = plan.namespace as string;
  const nodePort = plan.serviceType === "NodePort" && spu.ports.nodePort !== undefined ? { nodePort: spu.ports.nodePort } : {};
  const internalPorts: ServicePort[] = [
    { name: "private", protocol: "TCP", port: spu.ports.private, targetPort: spu.ports.private },
    ...(spu.ports.metrics !== undefined ? [{ name: "metrics", protocol: "TCP" as const, port: spu.ports.metrics, targetPort: spu.ports.metrics }] : []),
  ];
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: spu.host, namespace, labels: { ...spuLabels(plan, spu), [EXPOSURE_LABEL]: "public" } },
      spec: {
        type: plan.serviceType ?? "ClusterIP",
        selector: spuSelector(plan, spu),
        ports: [{ name: "public", protocol: "TCP", port: spu.ports.public, targetPort: spu.ports.public, ...nodePort }],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: inputs.internalServiceName, namespace, labels: { ...spuLabels(plan, spu), [EXPOSURE_LABEL]: "internal" } },
      spec: { type: "ClusterIP", selector: spuSelector(plan, spu), ports: internalPorts },
    },
  ];
}

/** An ingress address as the `Spu` spec wants it: `ip` for an IP address, `hostname` otherwise. */
function spuIngress(host: string): SpuIngress {
  return ipFamily(host) !== 0 ? { ip: host } : { hostname: host };
}

/**
 * The SPU's registration: a `Spu` custom resource named like the SPU, with the plan's three
 * endpoints (public with its ingress address, private, and local when the plan has one).
 */
function spuResource(plan: ClusterPlan, spu: SpuPlan): Spu {
  const { public: publicEndpoint, private: privateEndpoint, local } = spu.endpoints;
  return {
    apiVersion: SPU_API_VERSION,
    kind: "Spu",
    metadata: { name: spu.name, namespace: plan.namespace as string, labels: spuLabels(plan, spu) },
    spec: {
      spuId: spu.id,
      spuType: spu.type,
      ...(spu.rack !== null ? { rack: spu.rack } : {}),
      publicEndpoint: { port: publicEndpoint.port, ingress: [spuIngress(publicEndpoint.host)], encryption: publicEndpoint.encryption },
      privateEndpoint: { host: privateEndpoint.host, port: privateEndpoint.port, encryption: privateEndpoint.encryption },
      ...(local ? { publicEndpointLocal: { host: local.host, port: local.port, encryption: local.encryption } } : {}),
    },
  };
}

/** The SPU's NetworkPolicy: the public port from anywhere, the metrics port from the scrapers (Prometheus), the private port from the cluster's pods. */
function spuNetworkPolicy(plan: ClusterPlan, spu: SpuPlan): NetworkPolicy {
  return privatePortPolicy(plan, {
    name: spu.host,
    labels: spuLabels(plan, spu),
    podSelector: spuSelector(plan, spu),
    openPorts: [spu.ports.public],
    privatePorts: [spu.ports.private],
    metricsPorts: spu.ports.metrics !== undefined ? [spu.ports.metrics] : [],
  });
}

/** Every object of one SPU, in a fixed order. */
export function spuObjects(inputs: SpuObjectInputs): [StatefulSet, Service, Service, NetworkPolicy, Spu] {
  return [spuStatefulSet(inputs), ...spuServices(inputs), spuNetworkPolicy(inputs.plan, inputs.spu), spuResource(inputs.plan, inputs.spu)];
}
