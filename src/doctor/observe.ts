/**
 * I/O: what `fluvio-ports doctor` looks at on the local Docker engine — the stack's containers
 * (by the cluster label every container carries), the log tails of its SPUs and registration
 * jobs, and (through preflight) who holds the stack's host ports now. Bounded by timeouts.
 */
import { request } from "node:http";
import { LABELS } from "../plan/layout";
import type { ClusterPlan } from "../plan/types";
import { checkPorts } from "../preflight";
import { dockerSocketPath } from "../preflight/docker";
import { describeHolder } from "../preflight/match";
import type { Observation, ObservedContainer } from "./diagnose";

const TIMEOUT_MS = 5_000;
const LOG_LINES = 200;

function engineGet(socketPath: string, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: "GET", headers: { host: "docker" }, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${path} answered HTTP ${res.statusCode}`))));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Docker's log stream without its 8-byte frame headers (containers without a TTY); plain text otherwise. */
export function demuxLogs(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length && (raw[offset] === 1 || raw[offset] === 2) && raw[offset + 1] === 0) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? raw.toString("utf8") : Buffer.concat(parts).toString("utf8");
}

/** What the engine shows of the stack; rejects (with a one-line reason) when the engine cannot be asked. */
export async function observeDocker(plan: ClusterPlan): Promise<Observation> {
  const where = dockerSocketPath(undefined, process.env.DOCKER_HOST);
  if ("reason" in where) throw new Error(where.reason);
  const filter = encodeURIComponent(JSON.stringify({ label: [`${LABELS.cluster}=${plan.namePrefix}`] }));
  const list = JSON.parse((await engineGet(where.socketPath, `/containers/json?all=true&filters=${filter}`)).toString("utf8")) as {
    Id: string;
    Names: string[];
    State: string;
    Status: string;
    Command: string;
    Labels: Record<string, string>;
  }[];
  const containers: ObservedContainer[] = await Promise.all(
    list.map(async (item) => {
      const node = item.Labels[LABELS.node] ?? "";
      const wantsLogs = /^(spu|register)-/.test(node);
      const logs = wantsLogs
        ? await engineGet(where.socketPath, `/containers/${item.Id}/logs?stdout=true&stderr=true&tail=${LOG_LINES}`).then(demuxLogs, () => undefined)
        : undefined;
      return { name: (item.Names[0] ?? item.Id).replace(/^\//, ""), state: item.State, status: item.Status, command: item.Command, ...(logs !== undefined ? { logs } : {}) };
    }),
  );
  const report = await checkPorts(plan);
  return { containers, heldPorts: report.conflicts.map((conflict) => ({ port: conflict.port, holder: describeHolder(conflict.holder) })) };
}
