import { defineConfig } from "vitest/config";

/**
 * Two groups. First the unit, component and package tiers, in parallel. Then the live and engine
 * tiers one file at a time: they share one Docker engine (the dev stack's containers, names and
 * host ports) and one control plane, so two of them at once would step on each other.
 */
export default defineConfig({
  test: {
    globalSetup: ["test/support/global-setup.ts"],
    // Pulumi's mock runtime is process-global state: each test file runs in its own fork.
    pool: "forks",
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", ["json", { outputFile: ".test-results.json" }]],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: { name: "fast", include: ["test/unit/**/*.test.ts", "test/component/**/*.test.ts", "test/package/**/*.test.ts"], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: "engines", include: ["test/live/**/*.test.ts", "test/engine/**/*.test.ts"], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
