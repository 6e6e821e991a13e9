/**
 * What `npm run docs` writes cannot drift from the code it is written from: each generated file
 * is what the generator gives today, the generated config types are the zod schema's own input
 * and output types, and every field of the schema carries a description (its hover text).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { GENERATED } from "../../scripts/generate/files";
import { schemaFields, type JsonSchema } from "../../scripts/generate/types";
import { clusterJsonSchema } from "../../src/config/schema";
import { SCHEMAS } from "../../src/config/shape";
import type { ClusterConfig, ClusterSpec, KubernetesSpec, SpuConfig, SpuSpec } from "../../src/config/types.generated";
import type { PortRange, PortRole } from "../../src/ports/range";
import type { RegistryData } from "../../src/ports/registry-data";
import type { registryShape } from "../../src/ports/registry-shape";
import { PROJECT_ROOT } from "../support/pulumi";

describe("generated files", () => {
  for (const [path, text] of Object.entries(GENERATED)) {
    it(`${path} is up to date (npm run docs writes it)`, () => {
      const onDisk = readFileSync(join(PROJECT_ROOT, path), "utf8");
      expect(onDisk === text(), `${path} is stale: run npm run docs and commit it`).toBe(true);
    });
  }
});

describe("the generated config types", () => {
  it("are the schema's input and output types (checked by the type checker)", () => {
    expectTypeOf<ClusterConfig>().toEqualTypeOf<z.input<typeof SCHEMAS.cluster>>();
    expectTypeOf<SpuConfig>().toEqualTypeOf<z.input<typeof SCHEMAS.spu>>();
    expectTypeOf<SpuSpec>().toEqualTypeOf<z.output<typeof SCHEMAS.spu>>();
    type Output = z.output<typeof SCHEMAS.cluster>;
    type Resolved = Omit<Output, "ports" | "reserved" | "spus" | "publicHost" | "kubernetes"> & {
      publicHost: string;
      ports: Record<PortRole, PortRange>;
      reserved: PortRange[];
      spus: SpuSpec[];
      kubernetes: Omit<z.output<typeof SCHEMAS.kubernetes>, "allowedNodePortRange"> & { allowedNodePortRange: PortRange };
    };
    // The resolved fields make an intersection, which the type checker compares by assignability both ways.
    expectTypeOf<KubernetesSpec>().toExtend<Resolved["kubernetes"]>();
    expectTypeOf<Resolved["kubernetes"]>().toExtend<KubernetesSpec>();
    expectTypeOf<ClusterSpec>().toExtend<Resolved>();
    expectTypeOf<Resolved>().toExtend<ClusterSpec>();
    expectTypeOf<RegistryData>().toEqualTypeOf<z.output<typeof registryShape>>();
  });

  it("document every field of the schema: each has a description, and the generated type carries it", () => {
    const text = readFileSync(join(PROJECT_ROOT, "src/config/types.generated.ts"), "utf8").replace(/\n\s*\* ?/g, " ");
    const fields = schemaFields(clusterJsonSchema() as JsonSchema);
    expect(fields.length).toBeGreaterThan(50);
    for (const { path, field } of fields) {
      expect(field.description, `${path} has no description in the schema`).toBeTruthy();
      const first = field.description!.split(/\s+/).slice(0, 6).join(" ");
      expect(text, `${path}: its description is not in types.generated.ts`).toContain(first);
    }
  });
});
