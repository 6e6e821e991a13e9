import type { ClusterPlan } from "../../plan/types";
import { componentLabels } from "./labels";
import type { CustomResourceDefinition, CustomResourceDefinitionVersion, JsonSchema } from "./model";

/** Fluvio's API group and the version of the `Spu` resources this target writes. */
export const FLUVIO_GROUP = "fluvio.infinyon.com";
export const SPU_API_VERSION = `${FLUVIO_GROUP}/v1` as const;

const encryption: JsonSchema = { type: "string", enum: ["PLAINTEXT", "SSL"] };
const port: JsonSchema = { type: "integer", minimum: 1, maximum: 65535 };
const hostEndpoint = (description: string): JsonSchema => ({
  type: "object",
  description,
  required: ["host"],
  properties: { host: { type: "string" }, port, encryption },
});
const openObject: JsonSchema = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

/**
 * The `Spu` spec, written from the SPU spec field list in FLUVIO.md: `spuId` (required),
 * `spuType`, `rack`, `publicEndpoint` (required; port and ingress addresses),
 * `privateEndpoint` (required; `host` required) and `publicEndpointLocal` (optional; `host`
 * required when present). The status belongs to the SC and is kept as it writes it.
 */
export const SPU_SCHEMA: JsonSchema = {
  type: "object",
  required: ["spec"],
  properties: {
    spec: {
      type: "object",
      required: ["spuId", "publicEndpoint", "privateEndpoint"],
      properties: {
        spuId: { type: "integer" },
        spuType: { type: "string", enum: ["Custom", "Managed"] },
        rack: { type: "string" },
        publicEndpoint: {
          type: "object",
          description: "Where clients reach the SPU: the port and the addresses in front of it.",
          required: ["port"],
          properties: {
            port,
            ingress: {
              type: "array",
              items: {
                type: "object",
                properties: { hostname: { type: "string", nullable: true }, ip: { type: "string", nullable: true } },
              },
            },
            encryption,
          },
        },
        privateEndpoint: hostEndpoint("Where the SC and the other SPUs reach the SPU."),
        publicEndpointLocal: hostEndpoint("Where clients with use_spu_local_address reach the SPU."),
      },
    },
    status: openObject,
  },
};

/** One Fluvio kind the SC reads at start: how it is named and which API versions it is served at. */
interface FluvioKind {
  kind: string;
  plural: string;
  /** Served versions; the last one is the storage version. */
  versions: string[];
  schema: JsonSchema;
  printerColumns?: CustomResourceDefinitionVersion["additionalPrinterColumns"];
}

/** A kind the SC keeps itself (topics, partitions, ...): spec and status as the SC writes them. */
const SC_OWNED_SCHEMA: JsonSchema = { type: "object", required: ["spec"], properties: { spec: openObject, status: openObject } };

/**
 * Exactly the kinds `fluvio-run sc --k8` lists and watches at start (FLUVIO.md, from Fluvio's
 * `fluvio-sc/src/init.rs`): spus, spugroups, topics (v2), partitions, smartmodules,
 * tableformats and mirrors. Without a kind's CRD (or the SC's grant on it) the SC logs an error
 * every 10 s and that feature is dead; a kind it does not watch would be a grant it never uses.
 * `Spu` has our full schema (we write those objects); the others are the SC's own, with open
 * schemas (spec and status kept as the SC writes them).
 */
export const FLUVIO_KINDS: readonly FluvioKind[] = [
  {
    kind: "Spu",
    plural: "spus",
    versions: ["v1"],
    schema: SPU_SCHEMA,
    printerColumns: [
      { name: "ID", type: "integer", jsonPath: ".spec.spuId" },
      { name: "Type", type: "string", jsonPath: ".spec.spuType" },
      { name: "Rack", type: "string", jsonPath: ".spec.rack" },
      { name: "Public", type: "integer", jsonPath: ".spec.publicEndpoint.port" },
      { name: "Private Host", type: "string", jsonPath: ".spec.privateEndpoint.host" },
      { name: "Private Port", type: "integer", jsonPath: ".spec.privateEndpoint.port" },
      { name: "Status", type: "string", jsonPath: ".status.resolution" },
    ],
  },
  { kind: "Topic", plural: "topics", versions: ["v1", "v2"], schema: SC_OWNED_SCHEMA },
  { kind: "Partition", plural: "partitions", versions: ["v1"], schema: SC_OWNED_SCHEMA },
  { kind: "SpuGroup", plural: "spugroups", versions: ["v1"], schema: SC_OWNED_SCHEMA },
  { kind: "SmartModule", plural: "smartmodules", versions: ["v1", "v2"], schema: SC_OWNED_SCHEMA },
  { kind: "TableFormat", plural: "tableformats", versions: ["v1"], schema: SC_OWNED_SCHEMA },
  // `mirrors.fluvio.infinyon.com/v1`: remote and home clusters for mirroring; the SC watches it
  // whether or not mirroring is used.
  { kind: "Mirror", plural: "mirrors", versions: ["v1"], schema: SC_OWNED_SCHEMA },
];

/** The plural resource names of the Fluvio kinds: what the SC's Role grants. */
export function fluvioResources(): string[] {
  return FLUVIO_KINDS.map((kind) => kind.plural);
}

/**
 * The CustomResourceDefinitions of the Fluvio kinds. Cluster-scoped: one set per Kubernetes
 * cluster, so a second Fluvio cluster on the same Kubernetes cluster sets `installCrds: false`.
 */
export function fluvioCrds(plan: ClusterPlan): CustomResourceDefinition[] {
  return FLUVIO_KINDS.map((kind) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${kind.plural}.${FLUVIO_GROUP}`, labels: componentLabels(plan, "cluster") },
    spec: {
      group: FLUVIO_GROUP,
      scope: "Namespaced",
      names: { kind: kind.kind, plural: kind.plural, singular: kind.kind.toLowerCase(), listKind: `${kind.kind}List` },
      versions: kind.versions.map((name, index) => ({
        name,
        served: true,
        storage: index === kind.versions.length - 1,
        schema: { openAPIV3Schema: kind.schema },
        subresources: { status: {} },
        ...(kind.printerColumns ? { additionalPrinterColumns: kind.printerColumns } : {}),
      })),
    },
  }));
}
