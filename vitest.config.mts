import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Pulumi's mock runtime is process-global state: each test file runs in its own fork.
    pool: "forks",
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", ["json", { outputFile: ".test-results.json" }]],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
