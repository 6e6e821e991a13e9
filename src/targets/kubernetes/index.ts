import type * as k8s from "@pulumi/kubernetes";
import type { TargetDeployment, TargetInputs } from "../contract";

/** Kubernetes-only inputs a program may pass. */
export interface KubernetesTargetOptions {
  provider?: k8s.Provider;
}

/** Deploys the plan as Kubernetes objects. */
export function deployKubernetes(_inputs: TargetInputs, _options: KubernetesTargetOptions): TargetDeployment {
  throw new Error("the Kubernetes target is being built (issue 4)");
}
