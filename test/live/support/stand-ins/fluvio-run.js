#!/usr/local/bin/node
/*
 * Stand-in for Fluvio's `/fluvio-run` (live tier only): listens on the ports its arguments
 * name and answers HTTP, so a test can tell which node answered and what it holds.
 *   sc  --local <dir> --bind-public <host:port> --bind-private <host:port>
 *       public: GET / → identity; GET /spus → registrations; POST /spus (JSON argv of
 *       `fluvio cluster spu register ...`); DELETE /spus/<id>. Registrations persist in <dir>.
 *   spu -i <id> -p <host:port> -v <host:port> --sc-addr <host:port> --log-base-dir <dir>
 *       GET / → identity; PUT /data/<file> writes into <dir>; GET /data/<file> reads it back.
 *       With FLUVIO_METRIC_SPU set, serves one metrics document per connection on that Unix
 *       socket, as Fluvio's SPU does: created as root with the default umask (mode 0755), a
 *       stale socket from an earlier run removed first. The document's inbound client record
 *       count is the number of times this SPU has started on its data volume, so a scrape tells
 *       which run of the SPU answered.
 */
"use strict";
const http = require("node:http");
const net = require("node:net");
const fs = require("node:fs");
const path = require("node:path");

const [role, ...rest] = process.argv.slice(2);
const flag = (...names) => {
  const index = rest.findIndex((arg) => names.includes(arg));
  return index >= 0 ? rest[index + 1] : undefined;
};
const portOf = (address) => Number(String(address).split(":").pop());
const body = (req) => new Promise((resolve) => { let text = ""; req.on("data", (c) => (text += c)); req.on("end", () => resolve(text)); });
const send = (res, status, value) => { res.writeHead(status, { "content-type": "application/json" }); res.end(JSON.stringify(value)); };

function serve(port, handler) {
  http.createServer((req, res) => handler(req, res).catch((error) => send(res, 500, { error: String(error) }))).listen(port, "0.0.0.0");
}

if (role === "sc") {
  const dir = flag("--local");
  const file = path.join(dir, "spus.json");
  fs.mkdirSync(dir, { recursive: true });
  const load = () => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : []);
  const save = (list) => fs.writeFileSync(file, JSON.stringify(list, null, 2));
  const identity = { role: "sc", public: portOf(flag("--bind-public")), private: portOf(flag("--bind-private")) };
  const handler = async (req, res) => {
    if (req.method === "GET" && req.url === "/") return send(res, 200, identity);
    if (req.method === "GET" && req.url === "/spus") return send(res, 200, load());
    if (req.method === "POST" && req.url === "/spus") {
      const argv = JSON.parse(await body(req));
      const id = Number(argv[argv.indexOf("--id") + 1]);
      const list = load();
      if (list.some((entry) => entry.id === id)) return send(res, 409, { error: `spu ${id} already exists` });
      save([...list, { id, argv }]);
      return send(res, 201, { id });
    }
    const unregister = /^\/spus\/(\d+)$/.exec(req.url);
    if (req.method === "DELETE" && unregister) {
      const id = Number(unregister[1]);
      const list = load();
      if (!list.some((entry) => entry.id === id)) return send(res, 404, { error: `spu ${id} not found` });
      save(list.filter((entry) => entry.id !== id));
      return send(res, 200, { id });
    }
    return send(res, 404, { error: "no such route" });
  };
  serve(identity.public, handler);
  serve(identity.private, handler);
} else if (role === "spu") {
  const dir = flag("--log-base-dir");
  fs.mkdirSync(dir, { recursive: true });
  const identity = { role: "spu", id: Number(flag("-i", "--id")), public: portOf(flag("-p")), private: portOf(flag("-v")), sc: flag("--sc-addr"), env: { FLUVIO_METRIC_SPU: process.env.FLUVIO_METRIC_SPU ?? null } };
  const handler = async (req, res) => {
    if (req.method === "GET" && req.url === "/") return send(res, 200, identity);
    const data = /^\/data\/([\w.-]+)$/.exec(req.url);
    if (data && req.method === "PUT") { fs.writeFileSync(path.join(dir, data[1]), await body(req)); return send(res, 200, { written: data[1] }); }
    if (data && req.method === "GET") {
      const target = path.join(dir, data[1]);
      return fs.existsSync(target) ? send(res, 200, { content: fs.readFileSync(target, "utf8") }) : send(res, 404, { error: "missing" });
    }
    return send(res, 404, { error: "no such route" });
  };
  serve(identity.public, handler);
  serve(identity.private, handler);
  const socketPath = process.env.FLUVIO_METRIC_SPU;
  if (socketPath) {
    const bootsFile = path.join(dir, ".boots");
    const boots = (fs.existsSync(bootsFile) ? Number(fs.readFileSync(bootsFile, "utf8")) : 0) + 1;
    fs.writeFileSync(bootsFile, String(boots));
    const counters = (records) => ({ connector: { records: 0, bytes: 0 }, client: { records, bytes: records * 100 } });
    const document = JSON.stringify({ spu: { inbound: counters(boots), outbound: counters(0), smartmodule: {} } });
    fs.rmSync(socketPath, { force: true });
    net.createServer((socket) => socket.end(document)).listen(socketPath);
  }
} else {
  console.error(`fluvio-run stand-in: unknown role ${role}`);
  process.exit(2);
}
