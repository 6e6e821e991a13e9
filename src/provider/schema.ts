/**
 * The Pulumi package schema of `fluvio-spu`, generated from the one config schema: every field,
 * type and description of `SpuCluster`'s inputs comes from `clusterJsonSchema()` (zod), so the
 * package, `fluvio-ports schema` and the stack files never disagree. Pure: no resource, no I/O.
 *
 * What other languages cannot take as TypeScript does is mapped once, here:
 * - `spus` is a count or a list in TypeScript; a generated Python SDK refuses a list typed
 *   `oneOf: [integer, array]`, so the package has `spus` (the count) and `spuList` (the list).
 * - A port range is `{ from, to }`, `'9000-9100'` or a port in TypeScript; the package types it
 *   as its text form (`'9000-9100'`, `'9090'`), which reads the same in every language.
 * - No `default` is written into the package: the Python SDK fills schema defaults in and YAML
 *   does not, so a default would make the languages differ. The component applies every default
 *   (each description says which), whatever the language.
 */
import { clusterJsonSchema } from "../config/schema";
import { FORMER_SPU_CLUSTER_TYPES, SPU_CLUSTER_TYPE } from "../component";

export const PACKAGE_NAME = "fluvio-spu";

type Json = Record<string, unknown>;

/** A property or type reference as the Pulumi package schema writes it. */
export interface TypeSpec {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
  $ref?: string;
  items?: TypeSpec;
  additionalProperties?: TypeSpec;
  oneOf?: TypeSpec[];
  description?: string;
  secret?: boolean;
}

/** An object type of the package (`types` in the schema). */
export interface ObjectTypeSpec {
  type: "object";
  description?: string;
  properties: Record<string, TypeSpec>;
  required?: string[];
}

/** The parts of a Pulumi package schema this package uses. */
export interface PackageSchema {
  name: string;
  displayName: string;
  version: string;
  description: string;
  keywords: string[];
  license: string;
  repository?: string;
  language: Json;
  types: Record<string, ObjectTypeSpec>;
  resources: Record<
    string,
    {
      isComponent: true;
      description: string;
      aliases: { type: string }[];
      inputProperties: Record<string, TypeSpec>;
      requiredInputs: string[];
      properties: Record<string, TypeSpec>;
      required: string[];
    }
  >;
}

/** The package's names for the config's object types, by their path in the config (`[]` an entry of a list). */
const TYPE_NAMES: Record<string, string> = {
  ports: "PortRanges",
  sc: "ScPorts",
  "spus[]": "Spu",
  localEndpoint: "LocalEndpoint",
  tls: "Tls",
  metrics: "Metrics",
  images: "Images",
  docker: "Docker",
  kubernetes: "Kubernetes",
  monitoring: "Monitoring",
  "metrics.scrapers": "MetricsScrapers",
};

const token = (name: string): string => `${PACKAGE_NAME}:index:${name}`;
const ref = (name: string): TypeSpec => ({ $ref: `#/types/${token(name)}` });

/** A JSON Schema node's description, when it has one. */
function describe(node: Json, fallback?: string): { description?: string } {
  const text = typeof node.description === "string" ? node.description : fallback;
  return text === undefined ? {} : { description: text };
}

/** Whether union branches are a port range's forms: `{ from, to }`, text or a port. */
function isRangeUnion(branches: Json[]): boolean {
  return branches.some((branch) => branch.type === "object" && (branch.properties as Json | undefined)?.from !== undefined && (branch.properties as Json | undefined)?.to !== undefined);
}

/** Whether a node is a port range (or a list of them). */
function isRange(node: Json): boolean {
  const branches = (node.anyOf ?? (node.items as Json | undefined)?.anyOf) as Json[] | undefined;
  return branches !== undefined && isRangeUnion(branches);
}

/** Converts JSON Schema nodes into package type specs, collecting object types as it goes. */
class Converter {
  readonly types: Record<string, ObjectTypeSpec> = {};

  /** The type spec of `node` found at `path` (its JSON Schema description kept). */
  property(node: Json, path: string): TypeSpec {
    const spec = { ...this.typeOf(node, path), ...describe(node) };
    if (!isRange(node) || spec.description === undefined) return spec;
    return { ...spec, description: `${spec.description} In this package a range is text: '9000-9100', or '9090' for one port.` };
  }

  private typeOf(node: Json, path: string): TypeSpec {
    const anyOf = node.anyOf as Json[] | undefined;
    if (anyOf !== undefined) return this.union(anyOf, path);
    switch (node.type) {
      case "string":
      case "integer":
      case "boolean":
      case "number":
        return { type: node.type };
      case "array":
        return { type: "array", items: this.typeOf(node.items as Json, `${path}[]`) };
      case "object":
        // A map (labels): string keys, values of one type.
        if (node.properties === undefined && typeof node.additionalProperties === "object") {
          return { type: "object", additionalProperties: this.typeOf(node.additionalProperties as Json, `${path}{}`) };
        }
        return this.object(node, path);
      default:
        throw new Error(`package schema: no Pulumi type for ${path} (${JSON.stringify(node)})`);
    }
  }

  /**
   * A union: a port range (object, text or port) is its text form, which every form reads as;
   * `false | { ... }` (the local endpoint) is a boolean or the object, and `"word" | { ... }`
   * (the metrics scrapers) text or the object.
   */
  private union(branches: Json[], path: string): TypeSpec {
    if (isRangeUnion(branches)) return { type: "string" };
    const object = branches.find((branch) => branch.type === "object");
    const other = branches.find((branch) => branch !== object);
    if (object !== undefined && branches.length === 2 && (other?.type === "boolean" || other?.type === "string")) {
      return { oneOf: [{ type: other.type }, this.object(object, path)] };
    }
    throw new Error(`package schema: no Pulumi type for the union at ${path}`);
  }

  private object(node: Json, path: string): TypeSpec {
    const name = TYPE_NAMES[path];
    if (name === undefined) throw new Error(`package schema: the object at ${path} needs a type name (TYPE_NAMES)`);
    const properties = Object.fromEntries(
      Object.entries((node.properties ?? {}) as Record<string, Json>).map(([key, child]) => [key, this.property(child, key === "localEndpoint" ? key : `${path}.${key}`)]),
    );
    const required = (node.required as string[] | undefined) ?? [];
    const spec: ObjectTypeSpec = { type: "object", ...describe(node), properties, ...(required.length > 0 ? { required } : {}) };
    const existing = this.types[token(name)];
    if (existing !== undefined && JSON.stringify(existing.properties) !== JSON.stringify(spec.properties)) {
      throw new Error(`package schema: two different objects would be named ${name}`);
    }
    this.types[token(name)] = existing ?? spec;
    return ref(name);
  }
}

/** The inputs only a program passes (not config): written here once, with their descriptions. */
const PROGRAM_INPUTS: Record<string, TypeSpec> = {
  network: { type: "string", description: "Docker: join this network (for example another resource's output) instead of creating one." },
  tlsCertificates: {
    ...ref("TlsCertificates"),
    description:
      "TLS server certificate, key and CA (PEM), and, with TLS on Docker, an admin client certificate and key signed by the CA that the SPU registration jobs present to the SC. Taken as secrets whatever the caller passes.",
  },
  preflight: { type: "boolean", description: "Docker: check before creating anything that every planned host port is free (or held by this cluster), and fail with fluvio-ports check's message otherwise. Default true." },
  registryFile: {
    type: "string",
    description:
      "The port registry (claims and records) to plan against: a YAML file, relative to the program's directory (the project keeps it at stacks/ports.registry.yaml). Default: none, an empty registry.",
  },
};

const TLS_CERTIFICATES: ObjectTypeSpec = {
  type: "object",
  description: "TLS material (PEM), each a secret.",
  properties: {
    serverCert: { type: "string", secret: true, description: "The server certificate (PEM)." },
    serverKey: { type: "string", secret: true, description: "The server key (PEM, PKCS#8, what Fluvio 0.18.1 loads)." },
    caCert: { type: "string", secret: true, description: "The CA certificate (PEM) client certificates are verified against." },
    clientCert: { type: "string", secret: true, description: "Docker with TLS: the admin client certificate (PEM) the registration jobs present." },
    clientKey: { type: "string", secret: true, description: "Docker with TLS: the admin client key (PEM, PKCS#8)." },
  },
  required: ["serverCert", "serverKey"],
};

/** The component's outputs and their types, as TypeScript's `SpuCluster` has them (and `plan` as plain JSON). */
const OUTPUT_TYPES: Record<string, ObjectTypeSpec> = {
  SpuRow: {
    type: "object",
    description: "One SPU as fluvio-ports plan shows it; endpoints are host:port.",
    properties: {
      id: { type: "integer", description: "The SPU id." },
      name: { type: "string", description: "The registration name." },
      type: { type: "string", description: "Fluvio's SPU type (Custom)." },
      rack: { type: "string", description: "The rack, when set." },
      public: { type: "string", description: "The public endpoint clients connect to." },
      private: { type: "string", description: "The private endpoint the SC and SPUs use." },
      local: { type: "string", description: "The local endpoint clients inside containers use, when there is one." },
      metrics: { type: "string", description: "The metrics exporter's endpoint, when metrics are on." },
    },
    required: ["id", "name", "type", "public", "private"],
  },
  ScRow: {
    type: "object",
    description: "The SC's endpoints.",
    properties: { public: { type: "string", description: "The SC's public endpoint (host:port)." }, private: { type: "string", description: "The SC's private endpoint (host:port)." } },
    required: ["public", "private"],
  },
  PortAssignment: {
    type: "object",
    description: "One planned port.",
    properties: {
      owner: { type: "string", description: "Who has it: sc, spu-<id>, prometheus." },
      role: { type: "string", description: "public, private, metrics or nodePort." },
      port: { type: "integer", description: "The port." },
      source: { type: "string", description: "pinned, recorded or derived." },
    },
    required: ["owner", "role", "port", "source"],
  },
  TlsFile: {
    type: "object",
    description: "One TLS file a container mounts.",
    properties: {
      path: { type: "string", description: "Where it is mounted." },
      secret: { type: "string", description: "Which secret it holds: serverCert, serverKey, caCert, clientCert or clientKey." },
      mode: { type: "string", description: "Its file mode (0444 or 0400)." },
    },
    required: ["path", "secret", "mode"],
  },
  TlsPlan: {
    type: "object",
    description: "TLS as the cluster applies it.",
    properties: {
      enabled: { type: "boolean", description: "Whether the public endpoints serve TLS." },
      clientAuth: { type: "boolean", description: "Whether clients must present a certificate." },
      server: { type: "array", items: ref("TlsFile"), description: "The files the SC and SPUs mount." },
      registration: { type: "array", items: ref("TlsFile"), description: "The files each registration job presents to the SC (Docker)." },
    },
    required: ["enabled", "clientAuth", "server", "registration"],
  },
};

const OUTPUTS: Record<string, TypeSpec> = {
  plan: {
    $ref: "pulumi.json#/Any",
    description:
      "The plan this cluster was deployed from, as fluvio-ports plan -o json prints it, without null fields (Python and YAML drop nulls): the same bytes whatever language declared the cluster.",
  },
  spus: { type: "array", items: ref("SpuRow"), description: "One row per SPU: id, name, type, rack, public, private, local, metrics." },
  sc: { ...ref("ScRow"), description: "The SC's public and private endpoints." },
  ports: { type: "array", items: ref("PortAssignment"), description: "Every planned port: owner, role, port, source." },
  clientProfile: {
    type: "string",
    description: "Fluvio client config (TOML) for clients on the host; with TLS it names the files in tls.clientDir (paths only: it holds no secret).",
  },
  containerClientProfile: {
    type: "string",
    description: "Fluvio client config (TOML) for clients inside containers (local endpoints, use_spu_local_address = true); with TLS it names the files in tls.containerClientDir (paths only: it holds no secret).",
  },
  tls: { ...ref("TlsPlan"), description: "The TLS files the cluster's containers mount, and whether TLS and client certificates are on." },
};

/**
 * The package schema for `version` (the npm package's version): `SpuCluster`'s inputs from the
 * config schema plus the program-only inputs, its typed outputs, and the former type token as
 * an alias.
 */
export function packageSchema(version: string): PackageSchema {
  const cluster = clusterJsonSchema();
  const converter = new Converter();
  const { spus, ...fields } = cluster.properties as Record<string, Json>;
  const inputs: Record<string, TypeSpec> = Object.fromEntries(Object.entries(fields).map(([key, node]) => [key, converter.property(node, key)]));
  // `spus`, a count or a list, as two inputs: a generated Python SDK refuses a list typed oneOf [integer, array].
  const branches = (spus as { anyOf: Json[] }).anyOf;
  const count = branches.find((branch) => branch.type === "integer");
  const list = branches.find((branch) => branch.type === "array");
  if (count === undefined || list === undefined) throw new Error("package schema: spus is no longer a count or a list; map it anew");
  inputs.spus = { ...converter.property(count, "spus"), description: "How many SPUs, with ids from firstSpuId: the count form of spus. Give spus or spuList." };
  inputs.spuList = { ...converter.property(list, "spus"), description: "The SPUs as a list ([{ id: 5001, rack: r1, publicPort: 9011 }, ...]): the list form of spus. Give spus or spuList." };
  return {
    name: PACKAGE_NAME,
    displayName: "Fluvio SPU cluster",
    version,
    description: "A Fluvio cluster (one SC, N SPUs) with a conflict-free port plan per stack, deployed to Docker or Kubernetes.",
    keywords: ["pulumi", "fluvio", "kubernetes", "docker", "kind/component", "category/infrastructure"],
    license: "Apache-2.0",
    language: {
      python: { respectSchemaVersion: true, pyproject: { enabled: true }, requires: { pulumi: ">=3.142.0,<4.0.0" } },
      nodejs: { respectSchemaVersion: true },
    },
    types: { ...converter.types, [token("TlsCertificates")]: TLS_CERTIFICATES, ...Object.fromEntries(Object.entries(OUTPUT_TYPES).map(([name, spec]) => [token(name), spec])) },
    resources: {
      [SPU_CLUSTER_TYPE]: {
        isComponent: true,
        description: "A Fluvio cluster, one SC and N SPUs, deployed from one port plan to Docker or Kubernetes. Every port in every mapping, registration and client profile is read from the plan.",
        aliases: FORMER_SPU_CLUSTER_TYPES.map((type) => ({ type })),
        inputProperties: { ...inputs, ...PROGRAM_INPUTS },
        requiredInputs: [],
        properties: OUTPUTS,
        required: Object.keys(OUTPUTS).filter((key) => key !== "tls"),
      },
    },
  };
}

/** The schema as the committed `schema.json` holds it (two-space JSON, final newline). */
export function packageSchemaText(version: string): string {
  return `${JSON.stringify(packageSchema(version), null, 2)}\n`;
}
