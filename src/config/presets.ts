import type { PortRange, PortRole } from "../ports/range";

/** The environments with built-in range presets. */
export const ENVIRONMENTS = ["dev", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * Range presets per environment: dev lives in the 9000 series, prod in the 10000 series,
 * so one host can run both without a single shared port. The NodePort range defaults to
 * Kubernetes' static band (the lowest ports of 30000-32767, which the API server keeps for
 * ports users pin), so planned NodePorts never race the API server's own random picks.
 */
export const RANGE_PRESETS: Record<Environment, Record<PortRole, PortRange>> = {
  dev: {
    public: { from: 9000, to: 9100 },
    private: { from: 9101, to: 9200 },
    metrics: { from: 9201, to: 9300 },
    nodePort: { from: 30000, to: 30085 },
  },
  prod: {
    public: { from: 10000, to: 10100 },
    private: { from: 10101, to: 10200 },
    metrics: { from: 10201, to: 10300 },
    nodePort: { from: 30000, to: 30085 },
  },
};

/** Fluvio's own numbering: the local installer starts SPU ids at 5001. */
export const DEFAULT_FIRST_SPU_ID = 5001;

/** The Fluvio release the default images carry (FLUVIO.md: 0.18.1 is the latest release). */
export const FLUVIO_VERSION = "0.18.1";

/** Where `localEndpoint` points by default: the host, as seen from inside a container. */
export const DEFAULT_LOCAL_HOST = "host.docker.internal";

/** The Kubernetes API server's default NodePort range (`--service-node-port-range`). */
export const KUBERNETES_NODE_PORT_RANGE: PortRange = { from: 30000, to: 32767 };
