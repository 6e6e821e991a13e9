/**
 * SpuCluster composed into a larger program: a Fluvio cluster for an app, and the app itself
 * in a container on its *own* network. The app never learns a port from this file: it gets the
 * cluster's `containerClientProfile` as its Fluvio config, whose SC endpoint and SPU local
 * endpoints (`host.docker.internal:<port>`, `use_spu_local_address = true`) come from the plan.
 *
 * In your own project: `import { SpuCluster } from "fluvio-spu";` (here the repository's
 * sources stand in for the package).
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { SpuCluster } from "../../src";

const config = new pulumi.Config();
/** An image with /bin/sh and the `fluvio` CLI (see images/fluvio-cli); the cluster's registration jobs use it too. */
const cliImage = config.get("cliImage") ?? "fluvio-spu/fluvio-cli:0.18.1";
const topic = config.get("topic") ?? "orders";

// The cluster. Its own range, so that it can run beside the root project's dev stack on one host;
// preflight fails `pulumi up` before anything starts if a port is taken anyway.
const cluster = new SpuCluster("orders-bus", {
  target: "docker",
  spus: 2,
  ports: { public: "9400-9449", private: "9450-9499", metrics: "9500-9549" },
  images: { cli: cliImage },
});

// The app's network: not the cluster's. The app reaches the cluster the way any container on
// this host would, through host.docker.internal (the bridge gateway, where public ports are published).
const appNetwork = new docker.Network("orders-app", { name: `orders-app-${pulumi.getStack()}` });

const app = new docker.Container(
  "orders-consumer",
  {
    name: `orders-consumer-${pulumi.getStack()}`,
    image: cliImage,
    networkMode: appNetwork.name,
    networksAdvanced: [{ name: appNetwork.name }],
    // What SpuCluster gives its own containers: host.docker.internal resolves on Linux as on Docker Desktop.
    hosts: [{ host: "host.docker.internal", ip: "host-gateway" }],
    // The client profile is the whole contract between the app and the cluster.
    uploads: [{ file: "/root/.fluvio/config", content: cluster.containerClientProfile }],
    command: [
      "/bin/sh",
      "-c",
      `until fluvio topic list >/dev/null 2>&1; do sleep 2; done; fluvio topic create ${topic} 2>/dev/null || true; exec fluvio consume ${topic} -B`,
    ],
    restart: "unless-stopped",
  },
  // Depending on the component waits for all of its children: every SPU is registered first.
  { dependsOn: [cluster], deleteBeforeReplace: true },
);

export const appContainer = app.name;
export const spus = cluster.spus;
export const containerClientProfile = cluster.containerClientProfile;
