import type { Encryption, ImageSpec, ServiceType, Strategy, Target } from "../config/schema";
import type { PortAssignment } from "../ports/allocator";
import type { PortRange, PortRole } from "../ports/range";
import type { MonitoringPlan } from "./monitoring";
import type { HostAccessPlan } from "./host-access";

/**
 * One planned port: who has it, for what, where it came from, and the config field a user
 * edits to pin it elsewhere.
 */
export interface PlannedPort extends PortAssignment {
  /**
   * The field that pins this port, with the user's own index (`spus[1].publicPort` is the second
   * entry of their list, whatever its id); `ports.nodePort` for the SC's NodePort, which has no
   * pin. Not enumerable, so a plan's JSON stays the same in any order of the SPU list.
   */
  readonly configPath: string;
}

/** Which secret a TLS file holds: the server pieces, the CA, or the admin client pieces. */
export type TlsSecret = "serverCert" | "serverKey" | "caCert" | "clientCert" | "clientKey";

/** One TLS file a container needs: where it is mounted, which secret it holds, and its mode. */
export interface TlsFile {
  path: string;
  secret: TlsSecret;
  mode: "0444" | "0400";
}

/**
 * TLS as the targets apply it: whether it is on, whether client certificates are demanded,
 * the files the SC and SPUs mount (`server`), and the files each registration job presents to
 * the SC through its verified TLS profile whenever TLS is on (`registration`, Docker).
 */
export interface TlsPlan {
  enabled: boolean;
  clientAuth: boolean;
  server: TlsFile[];
  registration: TlsFile[];
}

/** Docker decisions: the network, what is published on which host address, and what outlives a destroy. */
export interface DockerPlan {
  /** The cluster network's name, and whether the cluster creates it (false: it joins `docker.network`). */
  network: { name: string; create: boolean };
  /** Host addresses every published port is bound on (`host-gateway` is the bridge gateway). */
  publishAddresses: string[];
  /** Whether private ports are published on the host too. */
  publishPrivate: boolean;
  /** Whether metrics ports are published, on loopback only. */
  publishMetrics: boolean;
  /** Keep data volumes on destroy (the default: data outlives the cluster). */
  retainData: boolean;
}

/** Kubernetes decisions: the namespace and who owns it, Services, storage, CRDs and monitoring. */
export interface KubernetesPlan {
  namespace: string;
  /** Whether the cluster creates the namespace (false for namespaces Kubernetes or another team owns). */
  createNamespace: boolean;
  serviceType: ServiceType;
  storage: { size: string; className?: string };
  installCrds: boolean;
  serviceMonitor: boolean;
  /** Who the SPUs' NetworkPolicies admit to the metrics port (`metrics.scrapers`). */
  metricsScrapers: "anywhere" | { podLabels: Record<string, string>; namespaceLabels: Record<string, string> };
}

/**
 * An endpoint as Fluvio's SPU spec stores it: host, port and encryption. For SPU public and
 * local endpoints the encryption is what the registration stores: always PLAINTEXT on Docker
 * (`fluvio cluster spu register` has no encryption flag), the cluster's own on Kubernetes.
 */
export interface Endpoint {
  host: string;
  port: number;
  encryption: Encryption;
}

/** Where the SC listens, and how it is started. */
export interface ScPlan {
  name: string;
  /** Network alias (Docker) or Service name (Kubernetes) other nodes reach the SC by. */
  host: string;
  /** The in-cluster Service that carries the private port (Kubernetes), else null. */
  internalHost: string | null;
  /** `host:port` clients connect to. */
  public: string;
  /** `host:port` SPUs connect to. */
  private: string;
  /** `host:port` clients inside containers use (the local endpoint policy applied to the SC), or null. */
  local: string | null;
  ports: { public: number; private: number; nodePort?: number };
  endpoints: { public: Endpoint; private: Endpoint };
  /** The container's argv: `/fluvio-run sc ...`. */
  command: string[];
  /** The environment the SC's container needs beside its command (`RUST_LOG`). */
  env: Record<string, string>;
}

/** One SPU: its identity, its ports, its three endpoints and how it is started and registered. */
export interface SpuPlan {
  id: number;
  /** The node's key in the registry, port rows and labels: `spu-<id>`. */
  key: string;
  name: string;
  type: "Custom";
  rack: string | null;
  /** Network alias (Docker) or Service name (Kubernetes) of this SPU. */
  host: string;
  /** The in-cluster Service that carries the private and metrics ports (Kubernetes), else null. */
  internalHost: string | null;
  /** `host:port` of the public endpoint: what clients on the host use. */
  public: string;
  /** `host:port` of the private endpoint: what the SC uses. */
  private: string;
  /** `host:port` of the local endpoint (`publicEndpointLocal`), or null when disabled. */
  local: string | null;
  /** `host:port` of the metrics exporter, or null when metrics are off. */
  metrics: string | null;
  ports: { public: number; private: number; metrics?: number; nodePort?: number };
  endpoints: { public: Endpoint; private: Endpoint; local: Endpoint | null };
  /** The container's argv: `/fluvio-run spu ...`. */
  command: string[];
  /** The exporter's name and network alias (Docker), or null when metrics are off. */
  exporterHost: string | null;
  /** The environment the SPU's container needs beside its command (`RUST_LOG`, the metrics socket path). */
  env: Record<string, string>;
  /** The `fluvio` argv that registers this SPU with the SC (`cluster spu register ...`). */
  register: string[];
  /** The exporter's argv, or null when metrics are off. */
  exporterCommand: string[] | null;
}

/**
 * The whole port and endpoint plan of one cluster in one stack: the single source of truth
 * every target reads and the object `fluvio-ports plan --format json` prints. Pure data,
 * byte-identical for the same config and stack on any machine.
 */
export interface ClusterPlan {
  stack: string;
  project: string;
  cluster: string;
  target: Target;
  /** The host (or host group) in the port registry this stack deploys to. */
  host: string;
  strategy: Strategy;
  /** `<cluster>-<stack>`: the start of every resource name, unique per stack on a shared host. */
  namePrefix: string;
  /** Kubernetes namespace (Kubernetes target) or null. */
  namespace: string | null;
  /** Service type of public Services (Kubernetes target) or null. */
  serviceType: ServiceType | null;
  /** What the SC's and SPUs' public ports serve (SSL with `tls.enabled`): what client profiles follow. */
  encryption: Encryption;
  /** The ranges of the roles this cluster plans. */
  ranges: Partial<Record<PortRole, PortRange>>;
  sc: ScPlan;
  spus: SpuPlan[];
  /** Every assigned port, SC first, then SPUs by id, each with the config field that pins it. */
  ports: PlannedPort[];
  /**
   * The planned ports bound on the host (sorted): what preflight checks. Docker: public ports,
   * metrics ports when published, private ports when `docker.publishPrivate`; Kubernetes: NodePorts.
   */
  hostPorts: number[];
  /** The images every container or pod runs. */
  images: ImageSpec;
  tls: TlsPlan;
  /** The exporter beside each SPU, and whether its port is published on the host (Docker). */
  metrics: { enabled: boolean; publish: boolean };
  /** Docker decisions (target docker), else null. */
  docker: DockerPlan | null;
  /** Kubernetes decisions (target kubernetes), else null. */
  kubernetes: KubernetesPlan | null;
  /** How containers reach the host on this container platform: the local endpoints' host, extra hosts, publish addresses (issue 12). */
  hostAccess: HostAccessPlan;
  /** Probes, alert rules and the Docker Prometheus (issue 12): everything monitoring adds, in one place. */
  monitoring: MonitoringPlan;
  /** Things that deserve a look but are not errors (ephemeral range overlap, moved records, well-known ports). */
  warnings: string[];
}
