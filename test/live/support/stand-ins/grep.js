#!/usr/local/bin/node
/* Stand-in for busybox `grep -qs <pattern> <files...>` (live tier only): the health check reads /proc/net/tcp{,6}. */
"use strict";
const { readFileSync } = require("node:fs");
const args = process.argv.slice(2).filter((arg) => !/^-[qs]+$/.test(arg));
const [pattern, ...files] = args;
const regex = new RegExp(pattern);
let failed = false;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    failed = true;
    continue;
  }
  if (text.split("\n").some((line) => regex.test(line))) process.exit(0);
}
process.exit(failed ? 2 : 1);
