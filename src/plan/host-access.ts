/**
 * Pure: how containers reach the host on this container platform (issue 12, part 2). The edge
 * (`SpuCluster`, `fluvio-ports`) asks the engine once (`GET /info`, `GET /version`) and passes
 * what it answered as `HostFacts`; this file turns them into the plan's `hostAccess`: the name
 * local endpoints use when `localEndpoint.host` is `auto`, the extra `/etc/hosts` entries every
 * container needs for that name to resolve, and the host addresses public ports are published
 * on (reachable by host clients and by containers through that name, and by nothing else).
 * Same facts, same answer, on any machine.
 */
import type { ClusterSpec } from "../config/schema";

/** The subset of the engine's `GET /info` and `GET /version` answers the choice reads (the engines' documented field names). */
export interface HostFacts {
  info: {
    OperatingSystem?: string;
    OSType?: string;
    /** The engine host's name: `colima` (or `colima-<profile>`) in Colima's VM, `docker-desktop`, `orbstack`, ... */
    Name?: string;
    /** `name=rootless` on rootless Docker and rootless Podman. */
    SecurityOptions?: string[];
    KernelVersion?: string;
  };
  version: {
    /** `Docker Desktop 4.x.y (build)` on Docker Desktop. */
    Platform?: { Name?: string };
    /** `Engine` on Docker Engine, `Podman Engine` on Podman's Docker-compatible API. */
    Components?: { Name: string; Version?: string }[];
  };
}

/** What the edge learnt: the facts, or why there are none. Absent from the plan context: nobody asked (library use). */
export type HostFactsAnswer = { ok: true; facts: HostFacts } | { ok: false; reason: string };

/** The container platforms told apart. */
export type ContainerPlatform = "docker-engine" | "rootless-docker" | "docker-desktop" | "orbstack" | "colima" | "podman" | "rootless-podman";

/** Docker's name for the host's bridge gateway, in extra hosts and in `docker.publishAddresses`. */
const HOST_GATEWAY = "host-gateway";

/** One platform's answer. */
export interface PlatformAccess {
  /** The name containers reach the host by. */
  localHost: string;
  /** Extra hosts every container needs for `localHost` to resolve (none where the platform defines it). */
  extraHosts: { host: string; ip: string }[];
  /** Where public ports are published: what host clients and containers reach, and nothing on the LAN. */
  publishAddresses: string[];
  /** Why, in one line (the README's table says the same). */
  basis: string;
  /** A caveat the plan warns about (a choice not checked on that platform). */
  caveat?: string;
}

const DOCKER_ENGINE: PlatformAccess = {
  localHost: "host.docker.internal",
  extraHosts: [{ host: "host.docker.internal", ip: HOST_GATEWAY }],
  publishAddresses: ["127.0.0.1", HOST_GATEWAY],
  basis: "Linux defines host.docker.internal only with the extra host host-gateway (the default bridge's gateway); ports on 127.0.0.1 serve host clients, on the gateway containers",
};

/** The table, per platform (README: "Local endpoints on every container platform"). */
export const PLATFORM_ACCESS: Readonly<Record<ContainerPlatform, PlatformAccess>> = {
  "docker-engine": DOCKER_ENGINE,
  colima: {
    ...DOCKER_ENGINE,
    basis: "Docker Engine inside Colima's Lima VM: host-gateway is the VM's bridge gateway, and Lima forwards the VM's loopback ports to the host's",
  },
  "rootless-docker": {
    ...DOCKER_ENGINE,
    basis: "Docker Engine in RootlessKit's namespace: the same names, with host-gateway the bridge gateway inside that namespace",
    caveat:
      "rootless Docker: host-gateway is the bridge gateway inside RootlessKit's network namespace, not the host (moby/moby#47684), and publishing on it is not checked on a rootless engine: if containers cannot reach the SPUs' local endpoints, set docker.publishAddresses (for example [\"0.0.0.0\"], which the LAN reaches too) or run the clients on the cluster network",
  },
  "docker-desktop": {
    localHost: "host.docker.internal",
    extraHosts: [],
    publishAddresses: ["127.0.0.1"],
    basis: "Docker Desktop defines host.docker.internal itself and forwards it to the host's loopback, where it also publishes ports",
  },
  orbstack: {
    localHost: "host.docker.internal",
    extraHosts: [],
    publishAddresses: ["127.0.0.1"],
    basis: "OrbStack defines host.docker.internal (and host.orb.internal) itself and forwards it to the host's loopback, where it also publishes ports",
  },
  podman: {
    localHost: "host.containers.internal",
    extraHosts: [],
    publishAddresses: ["127.0.0.1", HOST_GATEWAY],
    basis: "Podman writes host.containers.internal (the network's gateway) into every container's /etc/hosts; ports on 127.0.0.1 serve host clients, on the gateway containers",
  },
  "rootless-podman": {
    localHost: "host.containers.internal",
    extraHosts: [],
    publishAddresses: ["127.0.0.1"],
    basis: "rootless Podman writes host.containers.internal into every container's /etc/hosts, pointing at the host through its user-mode network (pasta or slirp4netns)",
    caveat:
      "rootless Podman: host.containers.internal reaches the host through pasta or slirp4netns, and whether a port published on 127.0.0.1 answers there depends on their loopback mapping (not checked on a rootless Podman): if containers cannot reach the SPUs' local endpoints, set docker.publishAddresses to the address host.containers.internal resolves to",
  },
};

/** The platform the facts describe, or undefined when they match none of the table. */
export function detectPlatform(facts: HostFacts): ContainerPlatform | undefined {
  const components = (facts.version.Components ?? []).map((component) => component.Name);
  const rootless = (facts.info.SecurityOptions ?? []).some((option) => option.split(",").includes("name=rootless"));
  if (components.includes("Podman Engine")) return rootless ? "rootless-podman" : "podman";
  const os = facts.info.OperatingSystem ?? "";
  if (os === "Docker Desktop" || (facts.version.Platform?.Name ?? "").startsWith("Docker Desktop")) return "docker-desktop";
  if (os === "OrbStack") return "orbstack";
  const name = facts.info.Name ?? "";
  if (name === "colima" || name.startsWith("colima-")) return "colima";
  if (rootless) return "rootless-docker";
  if (components.includes("Engine") && (facts.info.OSType ?? "linux") === "linux") return "docker-engine";
  return undefined;
}

/** How the plan's decision was made. */
export type HostAccessSource = "engine" | "fallback" | "not-asked";

/**
 * `ClusterPlan.hostAccess`: the decision only, not how it was reached, so that a plan made
 * with this engine's answer and one made without asking are byte-identical where they agree
 * (`planHostAccess` also returns the platform and the source, for the edge to report).
 */
export interface HostAccessPlan {
  /** The host of every local endpoint whose `host` is `auto` (or unset). */
  localHost: string;
  /** Extra hosts every container gets. */
  extraHosts: { host: string; ip: string }[];
  /** Where public ports are published: `docker.publishAddresses` when set, else the platform's. */
  publishAddresses: string[];
}

/** The local endpoint host meaning "ask the platform". */
export { AUTO_LOCAL_HOST as AUTO_HOST } from "../config/presets";

/**
 * The plan's host access, and what to warn about. Without an answer from the engine (or with
 * one this table does not know) it is Docker Engine on Linux's choice, today's default, and a
 * warning says so; without a question (`answer` undefined: a library call) the same, silently.
 */
export function planHostAccess(
  spec: Pick<ClusterSpec, "docker">,
  answer: HostFactsAnswer | undefined,
): { access: HostAccessPlan; platform: ContainerPlatform | null; source: HostAccessSource; warnings: string[] } {
  const platform = answer?.ok ? detectPlatform(answer.facts) : undefined;
  const chosen = PLATFORM_ACCESS[platform ?? "docker-engine"];
  const source: HostAccessSource = answer === undefined ? "not-asked" : platform !== undefined ? "engine" : "fallback";
  const fallback = `local endpoints use host.docker.internal with the extra host host-gateway and public ports are published on 127.0.0.1 and the bridge gateway (Docker Engine on Linux); set localEndpoint.host and docker.publishAddresses if your platform differs`;
  const warnings: string[] = [];
  if (answer !== undefined && !answer.ok) warnings.push(`the container engine was not asked which platform it is (${answer.reason}): ${fallback}`);
  else if (answer?.ok && platform === undefined) {
    warnings.push(`the container engine (OperatingSystem '${answer.facts.info.OperatingSystem ?? "?"}', components ${(answer.facts.version.Components ?? []).map((component) => component.Name).join(", ") || "none"}) is none the table knows: ${fallback}`);
  }
  if (platform !== undefined && chosen.caveat && spec.docker.publishAddresses === undefined) warnings.push(chosen.caveat);
  return {
    access: {
      localHost: chosen.localHost,
      extraHosts: chosen.extraHosts.map((entry) => ({ ...entry })),
      publishAddresses: [...(spec.docker.publishAddresses ?? chosen.publishAddresses)],
    },
    platform: platform ?? null,
    source,
    warnings,
  };
}
