/**
 * The exported config types, written from the one zod schema (through its JSON Schema, which
 * carries every field's description and default): `src/config/types.generated.ts`. The types a
 * user types (`ClusterConfig`, what a stack file and `SpuCluster` take) and the types parsing
 * returns (`ClusterSpec`) are plain interfaces, each field with its schema description as TSDoc,
 * so an editor shows it on hover and the emitted .d.ts needs no zod.
 */
import { clusterJsonSchema } from "../../src/config/schema";

/** The JSON Schema keywords zod's `toJSONSchema` writes for this schema. */
export interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
}

/** Every property of an object schema (through unions and lists), as `tls.enabled`, `spus[].id`. */
export function schemaFields(schema: JsonSchema, path: Path = ""): { path: string; field: JsonSchema }[] {
  const here = Object.entries(schema.properties ?? {}).flatMap(([key, field]) => {
    const fieldPath = path === "" ? key : `${path}.${key}`;
    return [{ path: fieldPath, field }, ...schemaFields(field, fieldPath)];
  });
  const members = (schema.anyOf ?? []).flatMap((member) => schemaFields(member, path));
  const items = schema.items ? schemaFields(schema.items, `${path}[]`) : [];
  const seen = new Set<string>();
  return [...here, ...members, ...items].filter((entry) => !seen.has(entry.path) && seen.add(entry.path));
}

/** A field's path as the config reference and error messages write it: `tls.enabled`, `spus[].id`. */
type Path = string;

/** How one pass names the object and enum schemas it meets, and the fields whose type it replaces. */
interface Pass {
  names: Record<Path, string>;
  /** Fields whose type the parser resolves (ranges, the SPU list): the type, and whether it is always there. */
  overrides: Record<Path, { type: string; required: boolean }>;
  /** The name of the range union (`9000-9100`, `{ from, to }` or a port), where this pass keeps it. */
  rangeName?: string;
}

const ENUM_NAMES: Record<Path, string> = {
  target: "Target",
  strategy: "Strategy",
  "localEndpoint.encryption": "Encryption",
  "spus[].localEndpoint.encryption": "Encryption",
  "kubernetes.serviceType": "ServiceType",
};

const INPUT: Pass = {
  names: {
    "": "ClusterConfig",
    "spus[]": "SpuConfig",
    localEndpoint: "LocalEndpointConfig",
    "spus[].localEndpoint": "LocalEndpointConfig",
    ports: "PortRangesConfig",
    sc: "ScConfig",
    tls: "TlsConfig",
    metrics: "MetricsConfig",
    images: "ImagesConfig",
    docker: "DockerConfig",
    kubernetes: "KubernetesConfig",
    monitoring: "MonitoringConfig",
    ...ENUM_NAMES,
  },
  overrides: {},
  rangeName: "PortRangeConfig",
};

const OUTPUT: Pass = {
  names: {
    "": "ClusterSpec",
    "spus[]": "SpuSpec",
    localEndpoint: "LocalEndpointPolicy",
    "spus[].localEndpoint": "LocalEndpointPolicy",
    sc: "ScSpec",
    tls: "TlsSpec",
    metrics: "MetricsSpec",
    images: "ImageSpec",
    docker: "DockerSpec",
    kubernetes: "KubernetesSpec",
    monitoring: "MonitoringSpec",
    ...ENUM_NAMES,
  },
  overrides: {
    ports: { type: "Record<PortRole, PortRange>", required: true },
    reserved: { type: "PortRange[]", required: true },
    spus: { type: "SpuSpec[]", required: true },
    publicHost: { type: "string", required: true },
    "kubernetes.allowedNodePortRange": { type: "PortRange", required: true },
  },
};

/** What each generated type says about itself (the schema describes fields, not every object). */
const TYPE_DOCS: Record<string, string> = {
  ClusterConfig:
    "The raw cluster config: the value of `fluvio-spu:cluster` in a stack file, and the plain part of `SpuCluster` args. Every field but `spus` is optional. Generated from the zod schema, like every type here.",
  ClusterSpec:
    "A validated cluster config with every default applied: what `parseClusterSpec` returns and `planCluster` reads. Ranges are `{ from, to }` per role (presets applied), SPUs a list in the user's order, the public host filled in. It is itself valid input to `parseClusterSpec`.",
  SpuConfig: "One SPU as a stack file or `SpuCluster` args give it: its id and any pins.",
  SpuSpec: "One SPU as declared (or as a count expanded): its id and any pins.",
  PortRangeConfig: "An inclusive port range: `{ from: 9000, to: 9100 }`, `\"9000-9100\"` or a single port.",
  Target: "Where the cluster runs: Docker containers on one host, or Kubernetes across many.",
  Strategy: "How derived ports are placed in a range (see `ClusterConfig.strategy`).",
  Encryption: "Fluvio's endpoint encryption, as the SPU spec stores it.",
  ServiceType: "The Kubernetes Service type that carries each SPU's public port.",
};

class Writer {
  readonly declarations = new Map<string, string>();

  constructor(private readonly pass: Pass) {}

  /** The TypeScript type of a schema at a path, declaring named types on the way. */
  type(schema: JsonSchema, path: Path): string {
    const override = this.pass.overrides[path];
    if (override) return override.type;
    if (schema.anyOf) {
      if (this.pass.rangeName && isRange(schema)) return this.declare(this.pass.rangeName, schema, () => union(schema.anyOf!.map((member) => this.type(member, path))));
      return union(schema.anyOf.map((member) => this.type(member, path)));
    }
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    if (schema.enum) {
      const text = schema.enum.map((value) => JSON.stringify(value)).join(" | ");
      const name = this.pass.names[path];
      return name ? this.declare(name, schema, () => text) : text;
    }
    switch (schema.type) {
      case "integer":
      case "number":
        return "number";
      case "string":
        return "string";
      case "boolean":
        return "boolean";
      case "array":
        return `${parenthesised(this.type(schema.items ?? {}, `${path}[]`))}[]`;
      case "object":
        return this.object(schema, path);
      default:
        return "unknown";
    }
  }

  private object(schema: JsonSchema, path: Path): string {
    if (!schema.properties && typeof schema.additionalProperties === "object") return `Record<string, ${this.type(schema.additionalProperties, `${path}.*`)}>`;
    const body = (): string => {
      const required = new Set(schema.required ?? []);
      const fields = Object.entries(schema.properties ?? {}).map(([key, field]) => {
        const fieldPath = path === "" ? key : `${path}.${key}`;
        const override = this.pass.overrides[fieldPath];
        const optional = override ? !override.required : !required.has(key);
        return `${doc(fieldDoc(field), "  ")}  ${key}${optional ? "?" : ""}: ${this.type(field, fieldPath)};\n`;
      });
      return `{\n${fields.join("")}}`;
    };
    const name = this.pass.names[path];
    return name ? this.declare(name, schema, body, true) : body();
  }

  /** Declares `name` once (the first schema that bears it defines it) and returns the name. */
  private declare(name: string, schema: JsonSchema, body: () => string, isInterface = false): string {
    if (!this.declarations.has(name)) {
      this.declarations.set(name, "");
      const text = body();
      const about = TYPE_DOCS[name] ?? schema.description ?? "";
      this.declarations.set(name, `${doc(about, "")}export ${isInterface ? `interface ${name} ` : `type ${name} = `}${text}${isInterface ? "" : ";"}\n`);
    }
    return name;
  }
}

/** A field's TSDoc: its description, and its default where the description does not say it. */
function fieldDoc(field: JsonSchema): string {
  const description = field.description ?? "";
  // An object's default is its fields' defaults, which they say themselves.
  if (field.default === undefined || /\bDefault\b/.test(description) || (typeof field.default === "object" && field.default !== null && Object.keys(field.default).length > 0)) return description;
  return `${description}${description ? " " : ""}Default \`${JSON.stringify(field.default)}\`.`;
}

/** Whether a union is the range union: `{ from, to }`, a string or a port. */
function isRange(schema: JsonSchema): boolean {
  return (schema.anyOf ?? []).some((member) => member.type === "object" && member.properties?.from !== undefined && member.properties?.to !== undefined);
}

function union(members: string[]): string {
  return [...new Set(members)].join(" | ");
}

function parenthesised(type: string): string {
  return type.includes(" | ") ? `(${type})` : type;
}

/** A TSDoc comment, wrapped at 110 columns; nothing for an empty text. */
function doc(text: string, indent: string): string {
  if (text.trim() === "") return "";
  const words = text.replace(/\*\//g, "*\u2215").split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line !== "" && indent.length + 3 + line.length + 1 + word.length > 110) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines.length === 1 ? `${indent}/** ${lines[0]} */\n` : `${indent}/**\n${lines.map((entry) => `${indent} * ${entry}\n`).join("")}${indent} */\n`;
}

const HEADER = `/**
 * The config types, generated by \`npm run docs\` (scripts/generate/types.ts) from the zod schema
 * in src/config/shape.ts, each field documented with the schema's description: do not edit.
 * test/unit/generated.test.ts fails when this file is stale, and checks that each type is the
 * schema's own input or output type.
 */
import type { PortRange, PortRole } from "../ports/range";
`;

/** The text of src/config/types.generated.ts. */
export function generatedTypes(): string {
  const input = new Writer(INPUT);
  input.type(clusterJsonSchema("input") as JsonSchema, "");
  const output = new Writer(OUTPUT);
  const outputSchema = clusterJsonSchema("output") as JsonSchema;
  output.type(outputSchema, "");
  // The SPU list is resolved by the parser (`spus: SpuSpec[]`), so its entry is declared on its own.
  const spuList = outputSchema.properties?.spus?.anyOf?.find((member) => member.type === "array");
  if (spuList?.items) output.type(spuList.items, "spus[]");
  const declarations = [...input.declarations.values(), ...[...output.declarations].filter(([name]) => !input.declarations.has(name)).map(([, text]) => text)];
  return `${HEADER}\n${declarations.join("\n")}`;
}
