#!/usr/local/bin/node
/*
 * Stand-in for the `fluvio` CLI (live tier only). Reads the profile at $FLV_PROFILE_PATH
 * (the SC endpoint) and talks to the `fluvio-run sc` stand-in over HTTP:
 *   cluster spu list                 → GET /spus (fails while the SC does not answer)
 *   cluster spu register <argv...>   → POST /spus with the whole argv (the SC records it)
 *   cluster spu unregister --id <id> → DELETE /spus/<id>
 * With `tls_policy = "verified"` (Fluvio's TlsPolicy::Verified, files in the `certs` table) it
 * reads the CA, client certificate and key where the profile says, fails as Fluvio would when
 * one is missing or unreadable, and prints what it would present (the PEM bodies' first lines,
 * test material only) and the domain it would verify the SC for.
 */
"use strict";
const fs = require("node:fs");
const http = require("node:http");

const argv = process.argv.slice(2);
const profile = fs.readFileSync(process.env.FLV_PROFILE_PATH || `${process.env.HOME}/.fluvio/config`, "utf8");
const endpoint = /^endpoint\s*=\s*"([^"]+)"/m.exec(profile)?.[1];
if (!endpoint) { console.error("fluvio stand-in: no endpoint in the profile"); process.exit(2); }
const [host, port] = [endpoint.slice(0, endpoint.lastIndexOf(":")), Number(endpoint.slice(endpoint.lastIndexOf(":") + 1))];

function call(method, path, payload) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path, headers: { "content-type": "application/json" }, timeout: 2000 }, (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(payload === undefined ? undefined : JSON.stringify(payload));
  });
}

/** The `[cluster.<c>.tls.certs]` table of the profile, when the policy is verified with files. */
function verifiedFiles() {
  if (!/^tls_policy\s*=\s*"verified"/m.test(profile)) return undefined;
  if (!/^tls_source\s*=\s*"files"/m.test(profile)) throw new Error("verified TLS without tls_source = \"files\"");
  const table = /^\[cluster\.[^\n]*\.tls\.certs\]\n((?:[a-z_]+\s*=.*\n?)*)/m.exec(profile)?.[1] ?? "";
  const field = (name) => {
    const value = new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, "m").exec(table)?.[1];
    if (value === undefined) throw new Error(`verified TLS: no ${name} in the certs table`);
    return value;
  };
  return { domain: field("domain"), key: field("key"), cert: field("cert"), ca_cert: field("ca_cert") };
}

async function main() {
  const tls = verifiedFiles();
  if (tls) {
    const firstLine = (file) => fs.readFileSync(file, "utf8").split("\n")[1];
    console.log(`fluvio stand-in: verified TLS for domain ${tls.domain}: ca_cert ${firstLine(tls.ca_cert)}, cert ${firstLine(tls.cert)}, key ${firstLine(tls.key)}`);
  }
  const command = argv.slice(0, 3).join(" ");
  const option = (name) => argv[argv.indexOf(name) + 1];
  const result =
    command === "cluster spu list" ? await call("GET", "/spus")
    : command === "cluster spu register" ? await call("POST", "/spus", argv)
    : command === "cluster spu unregister" ? await call("DELETE", `/spus/${option("--id")}`)
    : { status: 400, text: `unknown command ${command}` };
  console.log(result.text);
  process.exit(result.status >= 200 && result.status < 300 ? 0 : 1);
}
main().catch((error) => { console.error(`fluvio stand-in: ${error.message}`); process.exit(1); });
