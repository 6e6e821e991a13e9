/**
 * Preflight speed: `checkPorts` over 300 and 3,000 planned host ports, on a quiet host and on
 * a busy one (10,000 unrelated listeners on 127.0.0.1, which the bench opens in a child process
 * and closes), against, in the same run: probing each port by binding it on 0.0.0.0 and on ::
 * (what get-port, portfinder and detect-port do), and `ss` with a kernel-side port filter
 * (`ss -Hltn 'sport >= :X and sport <= :Y'`: no holder names, no Docker). Each case runs with
 * none of the planned ports held (checkPorts' bind probes then answer alone), and with another
 * child holding five of them, on IPv4 and IPv6 addresses, so every way finds something and the
 * preflight must name the holder (which takes the kernel's tables). Planned ports 24000-26999.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parseProcNetTcp } from "../src/preflight/proc-parse";
import { createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { planCluster } from "../src/plan/plan";
import { checkPorts } from "../src/preflight/index";
import { median, printFigures } from "./support";

const RUNS = 15;
const UNRELATED_LISTENERS = 10_000;

/** 1 SC + (ports/2 - 1) SPUs, public and private ports published: `ports` host ports from 24000. */
function benchPlan(ports: number): ReturnType<typeof planCluster> {
  const half = ports / 2;
  return planCluster(
    {
      environment: "dev",
      spus: half - 1,
      metrics: { enabled: false },
      docker: { publishPrivate: true },
      ports: { public: `24000-${24000 + half - 1}`, private: `${24000 + half}-${24000 + ports - 1}` },
    },
    { stack: "bench-preflight" },
  );
}

/** A child `node` running `code`, resolved once it prints "ready". */
function child(code: string): Promise<ChildProcess> {
  const process_ = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    process_.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve(process_));
    process_.on("exit", (status) => reject(new Error(`bench child exited ${status}`)));
  });
}

/** One child holding the given host:port pairs. */
function holdPorts(pairs: readonly [string, number][]): Promise<ChildProcess> {
  return child(
    `/*fluvio-spu-bench-holder*/const net=require("net");let n=0;for(const [host,port] of ${JSON.stringify(pairs)})net.createServer().listen({host,port,ipv6Only:host.includes(":")},()=>{if(++n===${pairs.length})console.log("ready")})`,
  );
}

/** One child with `count` listeners on 127.0.0.1, on ports the kernel picks (its ephemeral range, far from the plan). */
function unrelatedListeners(count: number): Promise<ChildProcess> {
  return child(
    `/*fluvio-spu-bench-busy-host*/const net=require("net");let n=0;for(let i=0;i<${count};i++)net.createServer().listen({host:"127.0.0.1",port:0},()=>{if(++n===${count})console.log("ready")})`,
  );
}

/** Whether binding `port` on `host` fails (someone holds it); the probe closes at once. */
function bindFails(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen({ host, port, exclusive: true, ipv6Only: host === "::" ? false : undefined }, () => server.close(() => resolve(false)));
  });
}

/** The naive way: one bind per address family per port, in turn. */
async function probeByBinding(ports: readonly number[]): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) {
    if ((await bindFails("0.0.0.0", port)) || (await bindFails("::", port))) busy.push(port);
  }
  return busy;
}

/** `ss` with the port filter in the kernel: the listening ports in [from, to]. */
function askSs(from: number, to: number): number[] {
  const text = execFileSync("ss", ["-Hltn", `sport >= :${from} and sport <= :${to}`]).toString();
  const ports = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const local = line.trim().split(/\s+/)[3] ?? "";
      return Number(local.slice(local.lastIndexOf(":") + 1));
    });
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** The kernel's side of checkPorts: both listener tables read, nothing parsed. */
function readTables(): number {
  return readFileSync("/proc/net/tcp", "utf8").length + readFileSync("/proc/net/tcp6", "utf8").length;
}

/** How checkPorts read the tables before issue #13: both through the thread pool, every row parsed, then filtered by port. */
async function readTablesAsBefore(wanted: ReadonlySet<number>): Promise<number> {
  const [v4, v6] = await Promise.all([readFile("/proc/net/tcp", "utf8"), readFile("/proc/net/tcp6", "utf8").catch(() => "")]);
  return [...parseProcNetTcp(v4, 4), ...parseProcNetTcp(v6, 6)].filter((listener) => wanted.has(listener.port)).length;
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Medians of several ways, run round-robin (after one warm-up each), so host load hits all alike. */
async function roundRobin(ways: readonly (() => unknown)[]): Promise<number[]> {
  for (const way of ways) await way();
  const times = ways.map((): number[] => []);
  for (let run = 0; run < RUNS; run++) {
    for (const [index, way] of ways.entries()) {
      collectGarbage();
      const start = performance.now();
      await way();
      times[index]?.push(performance.now() - start);
    }
  }
  return times.map(median);
}

async function measure(title: string, plan: ReturnType<typeof planCluster>): Promise<void> {
  const ports = plan.hostPorts;
  const from = ports[0] as number;
  const to = ports[ports.length - 1] as number;
  const report = await checkPorts(plan, { docker: false });
  const named = report.conflicts.filter((conflict) => conflict.holder.kind === "process").length;
  const probed = (await probeByBinding(ports)).length;
  const seen = askSs(from, to).length;
  const [withDocker, procOnly, naive, ss, tables, tablesBefore] = (await roundRobin([
    () => checkPorts(plan),
    () => checkPorts(plan, { docker: false }),
    () => probeByBinding(ports),
    () => askSs(from, to),
    () => readTables(),
    () => readTablesAsBefore(new Set(ports)),
  ])) as [number, number, number, number, number, number];
  printFigures(title, [
    { name: "checkPorts (listener tables, holders' fds, Docker engine)", value: withDocker, unit: "ms", note: `median of ${RUNS}` },
    { name: "checkPorts, docker: false", value: procOnly, unit: "ms", note: `found ${report.conflicts.length}, ${named} with the process named` },
    { name: "naive: bind each port on 0.0.0.0 and ::", value: naive, unit: "ms", note: `found ${probed}, no holder names` },
    { name: "ss -Hltn with a kernel-side port filter (child process)", value: ss, unit: "ms", note: `found ${seen} ports, no holder names` },
    { name: "  floor: reading /proc/net/tcp and tcp6 alone, nothing parsed", value: tables, unit: "ms", note: "the kernel writes every row of the host" },
    { name: "  the tables read the way before: async, every row parsed, then filtered", value: tablesBefore, unit: "ms", note: "no fd pass, no engine" },
    { name: "naive / checkPorts (docker: false)", value: naive / procOnly, unit: "x", note: "target > 1" },
    { name: "naive / checkPorts (with Docker)", value: naive / withDocker, unit: "x" },
    { name: "checkPorts (docker: false) / ss", value: procOnly / ss, unit: "x" },
  ]);
}

export async function run(): Promise<void> {
  const plans = [benchPlan(300), benchPlan(3000)];
  if (plans[0]?.hostPorts.length !== 300 || plans[1]?.hostPorts.length !== 3000) throw new Error("the bench plans do not have 300 and 3,000 host ports");
  const small = plans[0].hostPorts;
  const held: [string, number][] = [
    ["0.0.0.0", small[3] as number],
    ["127.0.0.1", small[77] as number],
    ["::", small[150] as number],
    ["::1", small[222] as number],
    ["0.0.0.0", small[299] as number],
  ];
  const listeners = `${UNRELATED_LISTENERS.toLocaleString("en")} unrelated listeners`;
  for (const plan of plans) await measure(`preflight, quiet host: ${plan.hostPorts.length} planned host ports, none held (nothing to name)`, plan);
  let holder = await holdPorts(held);
  try {
    for (const plan of plans) await measure(`preflight, quiet host: ${plan.hostPorts.length} planned host ports, ${held.length} held by another process`, plan);
    const busy = await unrelatedListeners(UNRELATED_LISTENERS);
    try {
      for (const plan of plans) await measure(`preflight, busy host (${listeners}): ${plan.hostPorts.length} planned host ports, ${held.length} held`, plan);
      holder.kill();
      await new Promise((resolve) => holder.once("exit", resolve));
      for (const plan of plans) await measure(`preflight, busy host (${listeners}): ${plan.hostPorts.length} planned host ports, none held`, plan);
      holder = await holdPorts(held);
    } finally {
      busy.kill();
    }
  } finally {
    holder.kill();
  }
}
