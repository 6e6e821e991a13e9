/**
 * I/O: what `fluvio-ports doctor` looks at on the local Docker engine — the stack's containers
 * (by the cluster label every container carries), the log tails of its SPUs and registration
 * jobs, and (through preflight) who holds the stack's host ports now. Bounded by timeouts.
 */
import { request } from "node:http";
import { LABELS } from "../plan/layout";
import type { ClusterPlan } from "../plan/types";
import { checkPorts } from "../preflight";
import { demuxLogStream } from "../preflight/containers";
import { dockerSocketPath } from "../preflight/docker";
import { describeHolder } from "../preflight/match";
import { buildDockerSpecs } from "../targets/docker/spec";
import { registrationProfile } from "../targets/docker/registration";
import type { Observation, ObservedContainer, RegisteredSpu } from "./diagnose";

const TIMEOUT_MS = 5_000;
const LOG_LINES = 200;

function engineCall(socketPath: string, method: string, path: string, body?: unknown, timeoutMs = TIMEOUT_MS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { host: "docker", ...(data ? { "content-type": "application/json", "content-length": String(data.length) } : {}) };
    const req = request({ socketPath, path, method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => ((res.statusCode ?? 500) < 300 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${path} answered HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString("utf8").trim()}`))));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(data);
  });
}

function engineGet(socketPath: string, path: string): Promise<Buffer> {
  return engineCall(socketPath, "GET", path);
}

/** How long the throwaway CLI container may take to list the SPUs. */
const LIST_TIMEOUT_MS = 30_000;

/** `"spuId": 5001` … `"resolution": "Online"` pairs out of `fluvio cluster spu list -O json`. */
export function parseSpuList(text: string): RegisteredSpu[] {
  const start = text.indexOf("[");
  const list = JSON.parse(start >= 0 ? text.slice(start) : text) as { spec?: { spuId?: number }; status?: { resolution?: string } }[];
  return list.flatMap((entry) => (typeof entry.spec?.spuId === "number" ? [{ id: entry.spec.spuId, status: entry.status?.resolution ?? "unknown" }] : []));
}

/**
 * The SPUs the SC holds, asked the way the registration jobs ask: a throwaway container of the
 * CLI image (images.cli) on the cluster network runs `fluvio cluster spu list -O json` with the
 * registration profile. With TLS the client files are secrets doctor does not hold: not asked.
 */
async function listRegistered(socketPath: string, plan: ClusterPlan): Promise<RegisteredSpu[] | { unavailable: string }> {
  if (plan.encryption === "SSL") return { unavailable: "TLS is on, and doctor holds no client certificate: run `fluvio cluster spu list` with the stack's client profile" };
  const network = buildDockerSpecs(plan).network.name;
  const name = `${plan.namePrefix}-doctor-${process.pid}`;
  const script = 'printf "%s\\n" "$FLUVIO_SPU_PROFILE" > /tmp/profile.toml && FLV_PROFILE_PATH=/tmp/profile.toml fluvio cluster spu list -O json';
  try {
    const created = JSON.parse(
      (
        await engineCall(socketPath, "POST", `/containers/create?name=${encodeURIComponent(name)}`, {
          Image: plan.images.cli,
          Cmd: ["/bin/sh", "-c", script],
          Env: [`FLUVIO_SPU_PROFILE=${registrationProfile(plan)}`],
          HostConfig: { NetworkMode: network, AutoRemove: false },
        })
      ).toString("utf8"),
    ) as { Id: string };
    await engineCall(socketPath, "POST", `/containers/${created.Id}/start`);
    const exit = JSON.parse((await engineCall(socketPath, "POST", `/containers/${created.Id}/wait`, undefined, LIST_TIMEOUT_MS)).toString("utf8")) as { StatusCode: number };
    const logs = demuxLogs(await engineGet(socketPath, `/containers/${created.Id}/logs?stdout=true&stderr=true`));
    if (exit.StatusCode !== 0) return { unavailable: `fluvio cluster spu list exited ${exit.StatusCode}: ${logs.trim().split("\n").pop() ?? ""}` };
    return parseSpuList(logs);
  } catch (error) {
    return { unavailable: (error as Error).message };
  } finally {
    await engineCall(socketPath, "DELETE", `/containers/${encodeURIComponent(name)}?force=true`).catch(() => undefined);
  }
}

/** Docker's log stream without its frame headers: the preflight's reader (one for both). */
export const demuxLogs = demuxLogStream;

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
  const scRunning = containers.some((container) => container.name === plan.sc.name && container.state === "running");
  const registered = scRunning ? await listRegistered(where.socketPath, plan) : undefined;
  return {
    containers,
    heldPorts: report.conflicts.map((conflict) => ({ port: conflict.port, holder: describeHolder(conflict.holder) })),
    ...(registered !== undefined ? { registered } : {}),
  };
}
