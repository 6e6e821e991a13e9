/**
 * Validation of emitted Kubernetes objects: built-in kinds against the Kubernetes OpenAPI
 * schemas (kubernetes-models' classes validate on `validate()`), and `Spu` resources against
 * the CRD schema the component installs (compiled with ajv).
 */
import Ajv from "ajv";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import type { CustomResourceDefinition as Crd } from "../../src/targets/kubernetes/model";

/** The kubernetes-models class of each built-in kind the targets emit. */
const BUILT_IN: Record<string, new (data: never) => { validate(): void }> = {
  Namespace,
  ServiceAccount,
  Secret,
  Service,
  Deployment,
  StatefulSet,
  Role,
  RoleBinding,
  NetworkPolicy,
  CustomResourceDefinition,
};

/** Whether a kind has an OpenAPI model here. */
export function isBuiltInKind(kind: string): boolean {
  return kind in BUILT_IN;
}

/** Throws the schema's complaint when a built-in object is invalid (or its kind has no model). */
export function validateBuiltIn(object: { kind: string }): void {
  const Model = BUILT_IN[object.kind];
  if (!Model) throw new Error(`no OpenAPI model for ${object.kind}`);
  new Model(structuredClone(object) as never).validate();
}

/** A validator for `Spu` resources compiled from the CRD's stored version, and that schema. */
export function spuValidator(crd: Crd) {
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addKeyword({ keyword: "x-kubernetes-preserve-unknown-fields" });
  const version = crd.spec.versions.find((candidate) => candidate.storage)!;
  return { validate: ajv.compile(version.schema.openAPIV3Schema), schema: version.schema.openAPIV3Schema, version: version.name };
}
