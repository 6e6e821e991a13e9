/**
 * The targets' provider SDKs, loaded when a target deploys, not when the package is imported:
 * `@pulumi/docker` and `@pulumi/kubernetes` are optional peer dependencies (package.json
 * `peerDependenciesMeta`), so a Docker-only program need not install or load the Kubernetes SDK,
 * and a Kubernetes-only one not the Docker SDK. Type-only imports cost nothing at run time.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as Docker from "@pulumi/docker";
import type * as Kubernetes from "@pulumi/kubernetes";

/** The optional peer dependencies and the ranges package.json accepts (a test keeps them equal). */
export const OPTIONAL_PEERS = {
  docker: { name: "@pulumi/docker", range: "^4.5.0 || ^5.0.0" },
  kubernetes: { name: "@pulumi/kubernetes", range: "^4.5.0" },
} as const;

/** `@pulumi/docker`, for `target: docker`. */
export function dockerSdk(): typeof Docker {
  return loadPeer("docker", () => require("@pulumi/docker") as typeof Docker);
}

/** `@pulumi/kubernetes`, for `target: kubernetes`. */
export function kubernetesSdk(): typeof Kubernetes {
  return loadPeer("kubernetes", () => require("@pulumi/kubernetes") as typeof Kubernetes);
}

/** Loads a peer (Node caches it after the first time); a missing one is a one-line error that says what to install. */
function loadPeer<T>(target: keyof typeof OPTIONAL_PEERS, load: () => T): T {
  const peer = OPTIONAL_PEERS[target];
  try {
    return load();
  } catch (error) {
    if (isMissing(error, peer.name)) {
      throw new pulumi.RunError(`target: ${target} needs ${peer.name}, an optional peer dependency of fluvio-spu that is not installed: npm install ${peer.name}@"${peer.range}"`);
    }
    throw error;
  }
}

function isMissing(error: unknown, name: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && error.message.includes(`'${name}'`);
}
