/**
 * Two Fluvio clusters on one Docker host, from the same preset, without a port collision.
 *
 * Both ask for the dev ranges. Alone, each would take the same first ports. The second one is
 * planned with a port registry that holds the first one's record (its ports), exactly as if
 * `fluvio-ports plan --record` had written it: the planner never assigns a port another cluster
 * on the same host owns, so `payments` plans around `orders`. Container, volume and network
 * names differ by cluster name, so nothing else collides either.
 *
 * In your own project: `import { SpuCluster, loadRegistry, recordOf, withRecord } from "fluvio-spu";`
 * (here the repository's sources stand in for the package).
 */
import * as pulumi from "@pulumi/pulumi";
import { SpuCluster, loadRegistry, recordOf, withRecord } from "../../src";

const config = new pulumi.Config("fluvio-spu");
const preflight = config.getBoolean("preflight") ?? true;
/** Claims of other services on this host (ports.registry.yaml next to this file, if any). */
const registry = loadRegistry(__dirname);

const orders = new SpuCluster("orders", { target: "docker", environment: "dev", spus: 2, registry, preflight });

const payments = new SpuCluster("payments", {
  target: "docker",
  environment: "dev",
  spus: 2,
  // The first cluster's ports, recorded: the planner keeps this cluster off them.
  registry: withRecord(registry, recordOf(orders.plan)),
  preflight,
});

/** The host ports each cluster publishes: disjoint. */
export const ordersHostPorts = orders.plan.hostPorts;
export const paymentsHostPorts = payments.plan.hostPorts;
export const ordersSpus = orders.spus;
export const paymentsSpus = payments.spus;
/** Client configs for host clients, one per cluster. */
export const ordersClientProfile = orders.clientProfile;
export const paymentsClientProfile = payments.clientProfile;
