import type * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import type { TargetDeployment, TargetInputs } from "../contract";

/** Docker-only inputs a program may pass. */
export interface DockerTargetOptions {
  network?: pulumi.Input<string>;
  provider?: docker.Provider;
  preflight: boolean;
}

/** Deploys the plan as containers on one Docker engine. */
export function deployDocker(_inputs: TargetInputs, _options: DockerTargetOptions): TargetDeployment {
  throw new Error("the Docker target is being built (issue 3)");
}
