/** Address questions the config checks ask, over random text by the thousand. */
import fc from "fast-check";
import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { ipFamily } from "../../src/config/hosts";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);

describe("ipFamily: net.isIP's answer without asking the IPv6 question of text that has no ':'", () => {
  it("agrees with net.isIP on random addresses, hosts and text", () => {
    const candidate = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.domain(), fc.string(), fc.stringMatching(/^[0-9a-f:.]{0,20}$/));
    fc.assert(
      fc.property(candidate, (value) => {
        expect(ipFamily(value)).toBe(isIP(value));
      }),
      { numRuns: RUNS },
    );
  });
});
