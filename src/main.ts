/**
 * Entry point of the root Pulumi program: declares the stack's cluster and exports its outputs
 * as stack outputs. A config a user can fix is reported as its message alone, without a stack
 * trace (Pulumi prints a `RunError` that way).
 */
import * as pulumi from "@pulumi/pulumi";
import { isConfigError, isHostError } from "./errors";
import { declareCluster, type ClusterOutputs } from "./program";

function declare(): ClusterOutputs {
  try {
    return declareCluster();
  } catch (error) {
    if (isConfigError(error) || (isHostError(error) && error.kind === "file")) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const cluster = declare();

export const spus = cluster.spus;
export const sc = cluster.sc;
export const ports = cluster.ports;
export const clientProfile = cluster.clientProfile;
export const containerClientProfile = cluster.containerClientProfile;
