import type * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan } from "../plan/types";

/** Images as a program may pass them: plain names or outputs of image builds. */
export interface ImageInputs {
  fluvio: pulumi.Input<string>;
  cli: pulumi.Input<string>;
  exporter: pulumi.Input<string>;
}

/**
 * TLS material (PEM), always held as Pulumi secrets. The server pieces go to the SC and SPUs;
 * the client pieces are an admin client certificate signed by the CA, which the Docker
 * target's registration jobs present to the SC through their verified TLS profile whenever
 * TLS is on (the SC demands it with `tls.clientAuth`).
 */
export interface TlsMaterial {
  serverCert: pulumi.Output<string>;
  serverKey: pulumi.Output<string>;
  /** The CA that signs client certificates (`tls.clientAuth`) and the server's; the Docker registration jobs need it whenever TLS is on. */
  caCert?: pulumi.Output<string>;
  /** An admin client certificate signed by `caCert`: the Docker registration jobs' identity whenever TLS is on. */
  clientCert?: pulumi.Output<string>;
  /** The key of `clientCert`. */
  clientKey?: pulumi.Output<string>;
}

/** What the component hands every target: the plan (the only source of ports) and the inputs only a program has. */
export interface TargetInputs {
  /** The resource name the user gave the component; children's names start with it. */
  name: string;
  plan: ClusterPlan;
  images: ImageInputs;
  tls?: TlsMaterial;
  parent: pulumi.Resource;
}

/** What a target gives back: something that resolves once the cluster is up and every SPU registered. */
export interface TargetDeployment {
  ready: pulumi.Output<unknown>;
}
