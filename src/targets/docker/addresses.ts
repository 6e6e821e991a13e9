import { isIP } from "node:net";
import type { ConfigIssue } from "../../config/errors";

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

const WILDCARDS = new Set(["0.0.0.0", "::"]);

/**
 * What is wrong with `docker.publishAddresses`, if anything: each entry must be an IP address
 * or `host-gateway`; one address family only (publishing one port on IPv4 and IPv6 makes
 * @pulumi/docker plan a replacement on every run); a wildcard (`0.0.0.0`, `::`) already covers
 * every address and must stand alone (Docker refuses to bind a port twice).
 */
export function publishAddressIssues(addresses: readonly string[]): ConfigIssue[] {
  const path = "docker.publishAddresses";
  const issues: ConfigIssue[] = [];
  const families = new Set<number>();
  addresses.forEach((address, index) => {
    if (address === HOST_GATEWAY) {
      families.add(4);
      return;
    }
    const family = isIP(address);
    if (family === 0) {
      issues.push({ path: `${path}[${index}]`, message: `'${address}' is not an IP address: give an address such as 127.0.0.1, or ${HOST_GATEWAY} for the Docker bridge gateway` });
      return;
    }
    families.add(family);
  });
  if (families.size > 1) {
    issues.push({
      path,
      message: `mixes IPv4 and IPv6 (${addresses.join(", ")}): @pulumi/docker then plans a replacement of every container on every run; publish on one address family`,
    });
  }
  const wildcard = addresses.find((address) => WILDCARDS.has(address));
  if (wildcard !== undefined && addresses.length > 1) {
    issues.push({ path, message: `${wildcard} already publishes on every address; list it alone, or drop it and list the addresses you mean` });
  }
  if (new Set(addresses).size !== addresses.length) {
    issues.push({ path, message: `lists an address twice (${addresses.join(", ")}): Docker cannot bind one port twice on one address; drop the duplicate` });
  }
  return issues;
}

/** One IPAM entry of a Docker network, as `docker network inspect` (and `docker.getNetwork`) gives it. */
export interface IpamEntry {
  subnet?: string;
  gateway?: string;
}

/**
 * The IPv4 gateway of the default bridge network: its IPAM gateway, or, where the engine
 * leaves the gateway out of IPAM (engines whose docker0 existed before them do), the first
 * address of its IPv4 subnet, which is where Docker puts the bridge's own address.
 * Undefined when the bridge has no IPv4 subnet.
 */
export function bridgeGatewayAddress(ipam: readonly IpamEntry[]): string | undefined {
  const explicit = ipam.find((entry) => entry.gateway !== undefined && isIP(entry.gateway) === 4)?.gateway;
  if (explicit) return explicit;
  const subnet = ipam.map((entry) => entry.subnet).find((value) => value !== undefined && isIP(value.split("/")[0] ?? "") === 4);
  if (!subnet) return undefined;
  const [base, bits] = subnet.split("/");
  const octets = (base ?? "").split(".").map(Number);
  const prefix = Number(bits);
  const value = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const network = prefix === 0 ? 0 : Math.floor(value / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
  const first = network + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join(".");
}
