/** The port registry file's shape (zod): what `parseRegistry` checks a file against, and the fast reader (`registry-text.ts`) answers in. */
import { z } from "zod";

const portNumber = z.number().int().min(1).max(65535);
const rangeValue = z.union([portNumber, z.string(), z.strictObject({ from: portNumber, to: portNumber })]);
const hostName = z.string().min(1);
const recordedPorts = z.strictObject({
  public: portNumber.optional(),
  private: portNumber.optional(),
  metrics: portNumber.optional(),
  nodePort: portNumber.optional(),
});

/**
 * The registry's shape, as the file holds it and as a program may build it: a claim's `ports`
 * is `6379`, `"9300-9400"` or `{ from, to }`, its `hosts` one name or a list, and `source`
 * (which `PortClaim` carries) may be given. Unknown fields are refused, not ignored.
 */
export const registryShape = z.strictObject({
  hostGroups: z.record(z.string().min(1), z.array(hostName)).default({}),
  claims: z
    .array(
      z.strictObject({
        owner: z.string().min(1),
        ports: rangeValue,
        hosts: z.union([hostName, z.array(hostName).min(1)]).default("*"),
        note: z.string().optional(),
        source: z.enum(["registry", "well-known"]).optional(),
      }),
    )
    .default([]),
  records: z
    .array(
      z.strictObject({
        stack: z.string().min(1),
        cluster: z.string().min(1),
        host: hostName,
        nodes: z.record(z.string().min(1), recordedPorts),
      }),
    )
    .default([]),
});
