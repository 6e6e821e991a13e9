/**
 * One program for every environment: the stack's `fluvio-spu:cluster` config decides where the
 * cluster runs (`target: docker` in Pulumi.dev.yaml, `target: kubernetes` in Pulumi.prod.yaml),
 * which ports it takes (`environment: dev | prod` presets) and how many SPUs it has. Nothing
 * below mentions a target or a port: switching environments is `pulumi stack select`.
 *
 * In your own project: `import { SpuCluster, loadRegistry } from "fluvio-spu";` (here the
 * repository's sources stand in for the package).
 */
import * as pulumi from "@pulumi/pulumi";
import { SpuCluster, loadRegistry, type ClusterConfig } from "../../src";

const config = new pulumi.Config("fluvio-spu");
const cluster = config.requireObject<ClusterConfig>("cluster");

const fluvio = new SpuCluster(cluster.name ?? "fluvio", {
  ...cluster,
  // This project's port registry (ports.registry.yaml next to this file, if any): claims of
  // other services on the same hosts, and the ports recorded by `fluvio-ports plan --record`.
  registry: loadRegistry(__dirname),
  // `pulumi config set fluvio-spu:preflight false` skips the host port check (dev only).
  preflight: config.getBoolean("preflight") ?? true,
});

/** Where the cluster runs, straight from the plan: `docker` or `kubernetes`. */
export const target = fluvio.plan.target;
/** The SC's endpoints and one row per SPU: the same shape in both environments. */
export const sc = fluvio.sc;
export const spus = fluvio.spus;
/** A Fluvio client config for clients on the host (`~/.fluvio/config`). */
export const clientProfile = fluvio.clientProfile;
