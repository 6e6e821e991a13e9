import type * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../config/schema";
import type { ClusterPlan } from "../plan/types";

/** Images as a program may pass them: plain names or outputs of image builds. */
export interface ImageInputs {
  fluvio: pulumi.Input<string>;
  cli: pulumi.Input<string>;
  exporter: pulumi.Input<string>;
}

/** TLS material, always held as Pulumi secrets. */
export interface TlsMaterial {
  serverCert: pulumi.Output<string>;
  serverKey: pulumi.Output<string>;
  caCert?: pulumi.Output<string>;
}

/** What the component hands every target: the plan (the only source of ports) and the inputs only a program has. */
export interface TargetInputs {
  /** The resource name the user gave the component; children's names start with it. */
  name: string;
  plan: ClusterPlan;
  spec: ClusterSpec;
  images: ImageInputs;
  tls?: TlsMaterial;
  parent: pulumi.Resource;
}

/** What a target gives back: something that resolves once the cluster is up and every SPU registered. */
export interface TargetDeployment {
  ready: pulumi.Output<unknown>;
}
