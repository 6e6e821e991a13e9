/** The port registry file's data, as plain types (its zod shape is `registry-shape.ts`). */

/**
 * The registry's data as its schema outputs it (defaults applied), before ranges are read and
 * records checked. A plain interface, so that the published types need no zod;
 * test/unit/generated.test.ts checks that the schema outputs exactly this.
 */
export interface RegistryData {
  hostGroups: Record<string, string[]>;
  claims: {
    owner: string;
    /** `6379`, `"9300-9400"` or `{ from, to }`. */
    ports: number | string | { from: number; to: number };
    /** One host or host group, or a list; `*` is every host. */
    hosts: string | string[];
    note?: string | undefined;
    source?: "registry" | "well-known" | undefined;
  }[];
  records: {
    stack: string;
    cluster: string;
    host: string;
    nodes: Record<string, { public?: number | undefined; private?: number | undefined; metrics?: number | undefined; nodePort?: number | undefined }>;
  }[];
}
