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

/** `localEndpoint.host: auto` (the default): the name the container platform resolves to the host (`plan.hostAccess`). */
export const AUTO_LOCAL_HOST = "auto";

/** Where `localEndpoint` points by default: the host, as seen from inside a container. */
export const DEFAULT_LOCAL_HOST = "host.docker.internal";

/** The Kubernetes API server's default NodePort range (`--service-node-port-range`). */
export const KUBERNETES_NODE_PORT_RANGE: PortRange = { from: 30000, to: 32767 };

/**
 * Docker's own name for the host as containers see it (`--add-host x:host-gateway`). In
 * `docker.publishAddresses` it stands for the same address: the default bridge's gateway.
 *
 * Why public ports are published on 127.0.0.1 and the bridge gateway, and nowhere else
 * (checked on a real engine by test/live/docker.test.ts):
 * - host clients connect to `localhost:<port>` (the public endpoint): 127.0.0.1 serves them;
 * - clients inside containers connect to `host.docker.internal:<port>` (the local endpoint),
 *   which Docker resolves, through `host-gateway`, to the default bridge's gateway address
 *   (docker0, 172.17.0.1 by default) from any network, the cluster's or the app's own.
 *   A port published on 127.0.0.1 alone refuses them (ECONNREFUSED 172.17.0.1:<port>);
 *   published on the gateway address too, they reach the SPU;
 * - neither address is on a LAN interface, so other machines do not reach the cluster,
 *   which `0.0.0.0` (every interface) would allow.
 * Docker Desktop resolves `host.docker.internal` to its own host address: there 127.0.0.1
 * alone is enough (`publishAddresses: ["127.0.0.1"]`). An engine started with
 * `--host-gateway-ip` points `host-gateway` elsewhere: list that address explicitly.
 */
export const HOST_GATEWAY = "host-gateway";
