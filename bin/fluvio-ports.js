#!/usr/bin/env node
"use strict";
// The CLI is compiled to dist/ by `npm run build`, which `npm install` runs (the `prepare` script).
// The build also bundles it into one file with V8's code cache beside it (scripts/bundle-cli.js),
// which starts in a fraction of the time; this wrapper prefers that bundle while it is at least
// as new as dist/cli.js, and otherwise runs dist/cli.js. Both are the same sources. The
// published package ships the bundle without the cache (it fits one Node build only).
const { readFileSync, statSync } = require("node:fs");
const { dirname, join } = require("node:path");

const dist = join(__dirname, "..", "dist");

try {
  require.resolve("../dist/cli.js");
} catch {
  process.stderr.write("fluvio-ports: dist/ is missing; run `npm install` (or `npm run build`) first\n");
  process.exit(2);
}

/** The bundle's exports, or undefined when there is no current bundle. */
function loadBundle() {
  const bundle = join(dist, "cli.bundle.js");
  let source;
  try {
    if (statSync(bundle).mtimeMs < statSync(join(dist, "cli.js")).mtimeMs) return undefined;
    source = readFileSync(bundle, "utf8");
  } catch {
    return undefined;
  }
  const Module = require("node:module");
  const vm = require("node:vm");
  let cachedData;
  try {
    cachedData = readFileSync(join(dist, "cli.bundle.cache"));
  } catch {
    cachedData = undefined;
  }
  // V8 checks the cache against this source and this Node, and ignores it when they differ.
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle));
  return module.exports;
}

const cli = loadBundle() || require("../dist/cli.js");
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
