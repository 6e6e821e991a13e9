import type { Encryption, ServiceType, Strategy, Target } from "../config/schema";
import type { PortAssignment } from "../ports/allocator";
import type { PortRange, PortRole } from "../ports/range";
import type { MonitoringPlan } from "./monitoring";
import type { HostAccessPlan } from "./host-access";

/** An endpoint as Fluvio's SPU spec stores it: host, port and encryption. */
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
}

/** One SPU: its identity, its ports, its three endpoints and how it is started and registered. */
export interface SpuPlan {
  id: number;
  name: string;
  type: "Custom";
  rack: string | null;
  /** Network alias (Docker) or Service name (Kubernetes) of this SPU. */
  host: string;
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
  encryption: Encryption;
  /** The ranges of the roles this cluster plans. */
  ranges: Partial<Record<PortRole, PortRange>>;
  sc: ScPlan;
  spus: SpuPlan[];
  /** Every assigned port, SC first, then SPUs by id. */
  ports: PortAssignment[];
  /**
   * The planned ports bound on the host (sorted): what preflight checks. Docker: public ports,
   * metrics ports when published, private ports when `docker.publishPrivate`; Kubernetes: NodePorts.
   */
  hostPorts: number[];
  /** How containers reach the host on this container platform: the local endpoints' host, extra hosts, publish addresses (issue 12). */
  hostAccess: HostAccessPlan;
  /** Probes, alert rules and the Docker Prometheus (issue 12): everything monitoring adds, in one place. */
  monitoring: MonitoringPlan;
  /** Things that deserve a look but are not errors (ephemeral range overlap, moved records, well-known ports). */
  warnings: string[];
}
