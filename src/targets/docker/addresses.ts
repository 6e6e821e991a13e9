import { ipFamily } from "../../config/hosts";
import { HOST_GATEWAY } from "../../plan/layout";

export { HOST_GATEWAY };

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
  const explicit = ipam.find((entry) => entry.gateway !== undefined && ipFamily(entry.gateway) === 4)?.gateway;
  if (explicit) return explicit;
  const subnet = ipam.map((entry) => entry.subnet).find((value) => value !== undefined && ipFamily(value.split("/")[0] ?? "") === 4);
  if (!subnet) return undefined;
  const [base, bits] = subnet.split("/");
  const octets = (base ?? "").split(".").map(Number);
  const prefix = Number(bits);
  const value = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const network = prefix === 0 ? 0 : Math.floor(value / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
  const first = network + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join(".");
}
