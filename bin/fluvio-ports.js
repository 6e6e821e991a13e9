#!/usr/bin/env node
"use strict";
// The CLI is compiled to dist/ by `npm run build`, which `npm install` runs (the `prepare` script).
try {
  require.resolve("../dist/cli.js");
} catch {
  process.stderr.write("fluvio-ports: dist/ is missing; run `npm install` (or `npm run build`) first\n");
  process.exit(2);
}
require("../dist/cli.js").main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
