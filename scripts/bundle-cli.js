#!/usr/bin/env node
/**
 * The second half of `npm run build`: `fluvio-ports` as one file, so that a command does not
 * resolve and read some two hundred modules (zod and yaml are most of them) before it starts.
 *
 * - dist/cli.bundle.js: src/cli.ts and everything it imports, bundled by esbuild. zod's
 *   translations of its messages into 40 languages are left out (`z.locales`, which nothing
 *   here reads; the English messages zod uses by default stay), which halves the file.
 * - dist/cli.bundle.cache: V8's code cache for it, made after running `plan` on a throwaway
 *   project, so the functions a command needs are compiled already. Node uses it only when it
 *   matches this very bundle and this Node; otherwise bin/fluvio-ports.js compiles as usual.
 *   It is for this machine only: the package does not ship it (package.json `files`), since
 *   it matches no other Node build and would double the tarball.
 *
 * bin/fluvio-ports.js prefers the bundle, and falls back to dist/cli.js (what tsc emits) when
 * the bundle is missing or older than it. Results are the same either way: same sources.
 */
"use strict";
const { build } = require("esbuild");
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require("node:fs");
const Module = require("node:module");
const { tmpdir } = require("node:os");
const { dirname, join } = require("node:path");
const vm = require("node:vm");

const ROOT = join(__dirname, "..");
const BUNDLE = join(ROOT, "dist", "cli.bundle.js");
const CACHE = join(ROOT, "dist", "cli.bundle.cache");

/** zod's `locales` namespace reduced to the English locale its default config uses anyway. */
const englishOnly = {
  name: "zod-english-only",
  setup(bundler) {
    bundler.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(args.resolveDir, "..", "locales", "en.js"), namespace: "zod-english-only" } : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: "zod-english-only" }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(args.path)};`, resolveDir: dirname(args.path) }));
  },
};

/** Loads the bundle the way bin/fluvio-ports.js does, and returns its exports and its script. */
function load(source) {
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return { cli: module.exports, script };
}

/** Runs `plan` (table and json) on a throwaway dev-like project, output discarded: compiles what a command runs. */
async function warmUp(cli) {
  const project = mkdtempSync(join(tmpdir(), "fluvio-ports-warm-up-"));
  try {
    writeFileSync(join(project, "Pulumi.yaml"), "name: fluvio-spu\nruntime: nodejs\nstackConfigDir: stacks\n");
    mkdirSync(join(project, "stacks"));
    writeFileSync(join(project, "stacks", "Pulumi.dev.yaml"), "config:\n  fluvio-spu:cluster:\n    target: docker\n    environment: dev\n    spus: 3\n");
    writeFileSync(join(project, "stacks", "ports.registry.yaml"), "hostGroups: {}\nclaims:\n  - owner: redis\n    ports: 6379\n    hosts: [\"*\"]\nrecords: []\n");
    const quiet = { out() {}, err() {} };
    for (const format of ["table", "json"]) await cli.main(["plan", "--stack", "dev", "--format", format, "--root", project], quiet);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

async function main() {
  await build({
    entryPoints: [join(ROOT, "src", "cli.ts")],
    outfile: BUNDLE,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // Whitespace and syntax only: names stay as written (libraries may read them).
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    // import() of a builtin becomes a plain require(): the bundle runs as a vm.Script, which has no module loader for import().
    supported: { "dynamic-import": false },
    plugins: [englishOnly],
    logLevel: "warning",
  });
  const { cli, script } = load(readFileSync(BUNDLE, "utf8"));
  await warmUp(cli);
  writeFileSync(CACHE, script.createCachedData());
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
