/**
 * A test-only adapter that applies the Docker target's plain spec (`buildDockerSpecs`) to a
 * real engine over the Docker Engine API (unix socket, node:http), the way the @pulumi/docker
 * resources would: network and volumes first (volumes are kept across applies), then the
 * containers in dependency order, each replaced when it exists (deleteBeforeReplace), waiting
 * for health checks and jobs as the spec says. The Pulumi CLI and its plugins cannot be
 * downloaded here; this is what stands in for them.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { HOST_GATEWAY, creationOrder, type DockerClusterSpec, type DockerContainerSpec, type ImageRole, type SecretFile } from "../../../src/targets/docker";

const SOCKET = process.env.DOCKER_HOST?.startsWith("unix://") ? process.env.DOCKER_HOST.slice("unix://".length) : "/var/run/docker.sock";

interface ApiAnswer {
  status: number;
  body: Buffer;
}

function call(method: string, path: string, payload?: unknown): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const raw = Buffer.isBuffer(payload);
    const data = payload === undefined ? undefined : raw ? payload : Buffer.from(JSON.stringify(payload));
    const req = http.request(
      { socketPath: SOCKET, method, path: `/v1.41${path}`, headers: data ? { "content-type": raw ? "application/x-tar" : "application/json", "content-length": data.length } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

async function api<T = any>(method: string, path: string, payload?: unknown, accept: number[] = []): Promise<T> {
  const answer = await call(method, path, payload);
  if (answer.status >= 300 && !accept.includes(answer.status)) {
    throw new Error(`Docker Engine API ${method} ${path}: ${answer.status} ${answer.body.toString().trim()}`);
  }
  const text = answer.body.toString();
  return (/^\s*[[{]/.test(text) ? JSON.parse(text) : text) as T;
}

/**
 * The images each role runs, where `host-gateway` publishes, and the TLS material the spec's
 * files name (what the Pulumi target uploads from its secrets).
 */
export interface ApplyOptions {
  /** The Prometheus image only when the spec has the optional Prometheus container. */
  images: Record<Exclude<ImageRole, "prometheus">, string> & { prometheus?: string };
  hostGateway: string;
  secrets?: Partial<Record<SecretFile["secret"], string>>;
}

/** One registration (or other) job's end. */
export interface JobResult {
  name: string;
  exitCode: number;
  logs: string;
}

export interface AppliedCluster {
  /** Container name → id. */
  containers: Map<string, string>;
  jobs: JobResult[];
}

/** Applies the spec; containers that exist are replaced, volumes and the network are kept. */
export async function applyCluster(spec: DockerClusterSpec, options: ApplyOptions): Promise<AppliedCluster> {
  if (spec.network.create) {
    const existing = await api<any[]>("GET", `/networks?filters=${encodeURIComponent(JSON.stringify({ name: [spec.network.name] }))}`);
    if (!existing.some((network) => network.Name === spec.network.name)) {
      await api("POST", "/networks/create", { Name: spec.network.name, Driver: "bridge", Labels: spec.network.labels, CheckDuplicate: true });
    }
  }
  for (const volume of spec.volumes) await api("POST", "/volumes/create", { Name: volume.name, Labels: volume.labels });

  const containers = new Map<string, string>();
  const jobs: JobResult[] = [];
  for (const container of creationOrder(spec)) {
    for (const dependency of container.dependsOn) {
      const id = containers.get(dependency.container);
      if (!id) throw new Error(`${container.name} depends on ${dependency.container}, which was not created`);
      if (dependency.condition === "healthy") await waitHealthy(dependency.container, id);
    }
    await removeContainer(container.name);
    const id = await createContainer(container, options);
    await uploadFiles(container, id, options);
    await api("POST", `/containers/${id}/start`);
    containers.set(container.name, id);
    if (container.waitHealthy) await waitHealthy(container.name, id);
    if (container.runsOnce) {
      const exit = await api<{ StatusCode: number }>("POST", `/containers/${id}/wait`);
      jobs.push({ name: container.name, exitCode: exit.StatusCode, logs: await containerLogs(id) });
    }
  }
  return { containers, jobs };
}

function nanoseconds(duration: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(duration);
  if (!match) throw new Error(`unsupported duration ${duration}`);
  const unit = { ms: 1e6, s: 1e9, m: 60e9 }[match[2] as "ms" | "s" | "m"];
  return Number(match[1]) * unit;
}

async function createContainer(container: DockerContainerSpec, options: ApplyOptions): Promise<string> {
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of container.ports) {
    const key = `${port.internal}/${port.protocol}`;
    (bindings[key] ??= []).push({ HostIp: port.ip === HOST_GATEWAY ? options.hostGateway : port.ip, HostPort: String(port.external) });
  }
  const firstNetwork = container.networks[0];
  const body = {
    Image: options.images[container.image] ?? "",
    Cmd: container.command,
    Env: Object.entries(container.env).map(([key, value]) => `${key}=${value}`),
    Labels: container.labels,
    ...(container.security ? { User: container.security.user } : {}),
    ExposedPorts: Object.fromEntries(Object.keys(bindings).map((key) => [key, {}])),
    ...(container.healthcheck
      ? {
          Healthcheck: {
            Test: container.healthcheck.test,
            Interval: nanoseconds(container.healthcheck.interval),
            Timeout: nanoseconds(container.healthcheck.timeout),
            StartPeriod: nanoseconds(container.healthcheck.startPeriod),
            Retries: container.healthcheck.retries,
          },
        }
      : {}),
    HostConfig: {
      PortBindings: bindings,
      ExtraHosts: container.hosts.map((entry) => `${entry.host}:${entry.ip}`),
      Mounts: container.mounts.map((mount) => ({ Type: "volume", Source: mount.volume, Target: mount.target, ReadOnly: mount.readOnly })),
      NetworkMode: firstNetwork?.network ?? "default",
      RestartPolicy: { Name: container.restart },
      Init: container.init,
      ...(container.security
        ? {
            CapDrop: container.security.dropCapabilities,
            ReadonlyRootfs: container.security.readOnlyRootFilesystem,
            SecurityOpt: container.security.noNewPrivileges ? ["no-new-privileges:true"] : [],
          }
        : {}),
    },
    ...(firstNetwork ? { NetworkingConfig: { EndpointsConfig: { [firstNetwork.network]: { Aliases: firstNetwork.aliases } } } } : {}),
  };
  const answer = await api<{ Id: string }>("POST", `/containers/create?name=${encodeURIComponent(container.name)}`, body);
  for (const extra of container.networks.slice(1)) {
    await api("POST", `/networks/${encodeURIComponent(extra.network)}/connect`, { Container: answer.Id, EndpointConfig: { Aliases: extra.aliases } });
  }
  return answer.Id;
}

/**
 * Writes the spec's files into a created container before it starts, as the provider's
 * `uploads` do: a tar of the files (owned by root, with the spec's modes) extracted at `/`.
 */
async function uploadFiles(container: DockerContainerSpec, id: string, options: ApplyOptions): Promise<void> {
  const configFiles = container.configFiles ?? [];
  if (container.files.length === 0 && configFiles.length === 0) return;
  const root = mkdtempSync(join(tmpdir(), "fluvio-spu-uploads-"));
  try {
    // Plain config files (the Prometheus config and rules), read-only as the provider's uploads make them.
    for (const file of configFiles) {
      const target = join(root, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
      chmodSync(target, 0o444);
    }
    for (const file of container.files) {
      const content = options.secrets?.[file.secret];
      if (content === undefined) throw new Error(`${container.name}: no ${file.secret} given for ${file.path}`);
      const target = join(root, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
      chmodSync(target, Number.parseInt(file.mode, 8));
    }
    // The top-level entries, not ".": the temporary directory's own mode must not land on the container's `/`.
    const tar = spawnSync("tar", ["-C", root, "--owner=0", "--group=0", "--numeric-owner", "-c", ...readdirSync(root)], { maxBuffer: 64 * 1024 * 1024 });
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
    await api("PUT", `/containers/${id}/archive?path=/`, tar.stdout);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Waits until the container's health check passes (fails fast when it stops). */
export async function waitHealthy(name: string, id: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = (await api<any>("GET", `/containers/${id}/json`)).State;
    if (state.Health?.Status === "healthy") return;
    if (!state.Running) throw new Error(`${name} stopped (exit ${state.ExitCode}) before it was healthy: ${await containerLogs(id)}`);
    if (Date.now() > deadline) throw new Error(`${name} not healthy after ${timeoutMs} ms: ${JSON.stringify(state.Health?.Log?.slice(-1))}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** stdout and stderr of a container (the API multiplexes them into frames). */
export async function containerLogs(id: string): Promise<string> {
  const answer = await call("GET", `/containers/${id}/logs?stdout=1&stderr=1`);
  const out: Buffer[] = [];
  for (let offset = 0; offset + 8 <= answer.body.length; ) {
    const size = answer.body.readUInt32BE(offset + 4);
    out.push(answer.body.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(out).toString();
}

/** Removes a container by name if it exists (keeps its volumes). */
export async function removeContainer(name: string): Promise<void> {
  await api("DELETE", `/containers/${encodeURIComponent(name)}?force=true`, undefined, [404]);
}

/** A container's state as the engine reports it. */
export async function inspectContainer(name: string): Promise<any> {
  return api("GET", `/containers/${encodeURIComponent(name)}/json`);
}

/** Runs a one-off container to completion; returns its exit code and output, and removes it. */
export async function runToCompletion(options: {
  name: string;
  image: string;
  command: string[];
  network?: string;
  hosts?: string[];
  ports?: { port: number; ip: string }[];
  /** `uid:gid` to run as (default: the image's user). */
  user?: string;
  /** Named volumes to mount. */
  volumes?: { volume: string; target: string; readOnly: boolean }[];
  detach?: boolean;
}): Promise<JobResult> {
  await removeContainer(options.name);
  const bindings = Object.fromEntries((options.ports ?? []).map((port) => [`${port.port}/tcp`, [{ HostIp: port.ip, HostPort: String(port.port) }]]));
  const { Id } = await api<{ Id: string }>("POST", `/containers/create?name=${encodeURIComponent(options.name)}`, {
    Image: options.image,
    Cmd: options.command,
    ...(options.user ? { User: options.user } : {}),
    ExposedPorts: Object.fromEntries(Object.keys(bindings).map((key) => [key, {}])),
    HostConfig: {
      NetworkMode: options.network ?? "default",
      ExtraHosts: options.hosts ?? [],
      PortBindings: bindings,
      Mounts: (options.volumes ?? []).map((mount) => ({ Type: "volume", Source: mount.volume, Target: mount.target, ReadOnly: mount.readOnly })),
    },
  });
  await api("POST", `/containers/${Id}/start`);
  if (options.detach) return { name: options.name, exitCode: -1, logs: "" };
  const exit = await api<{ StatusCode: number }>("POST", `/containers/${Id}/wait`);
  const logs = await containerLogs(Id);
  await removeContainer(options.name);
  return { name: options.name, exitCode: exit.StatusCode, logs };
}

export async function createNetwork(name: string): Promise<void> {
  await api("POST", "/networks/create", { Name: name, Driver: "bridge", CheckDuplicate: true }, [409]);
}

/** Removes every container, volume and network whose name starts with `prefix`. */
export async function removeEverything(prefix: string): Promise<void> {
  const containers = await api<any[]>("GET", `/containers/json?all=true&filters=${encodeURIComponent(JSON.stringify({ name: [prefix] }))}`);
  for (const container of containers) {
    if ((container.Names as string[]).some((name) => name.replace(/^\//, "").startsWith(prefix))) await api("DELETE", `/containers/${container.Id}?force=true`, undefined, [404]);
  }
  const volumes = (await api<{ Volumes: any[] | null }>("GET", "/volumes")).Volumes ?? [];
  for (const volume of volumes.filter((entry) => String(entry.Name).startsWith(prefix))) await api("DELETE", `/volumes/${encodeURIComponent(volume.Name)}`, undefined, [404, 409]);
  const networks = await api<any[]>("GET", "/networks");
  for (const network of networks.filter((entry) => String(entry.Name).startsWith(prefix))) await api("DELETE", `/networks/${network.Id}`, undefined, [404, 409]);
}

/** The engine's default bridge gateway, as deployDocker resolves `host-gateway`. */
export async function bridgeIpam(): Promise<{ subnet?: string; gateway?: string }[]> {
  const bridge = await api<any>("GET", "/networks/bridge");
  return ((bridge.IPAM?.Config ?? []) as { Subnet?: string; Gateway?: string }[]).map((entry) => ({
    ...(entry.Subnet ? { subnet: entry.Subnet } : {}),
    ...(entry.Gateway ? { gateway: entry.Gateway } : {}),
  }));
}
