import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Pulumi's mock runtime is process-global state: each test file runs in its own fork.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
