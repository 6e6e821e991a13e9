/**
 * Preflight speed: `checkPorts` over 300 planned host ports (one read of each listener table,
 * one fd pass for the few held ports, one question to the Docker engine) against the naive
 * way measured in the same run: probe each port by binding it on 0.0.0.0 and on :: (what
 * get-port, portfinder and detect-port do). A child process holds a few of the ports, on
 * IPv4 and IPv6 addresses, so both ways find something. Ports 24000-24299.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { planCluster } from "../src/plan/plan";
import { checkPorts } from "../src/preflight/index";
import { medianMs, printFigures } from "./support";

const RUNS = 15;

/** 1 SC + 149 SPUs, public and private ports published: 300 host ports. */
function benchPlan(): ReturnType<typeof planCluster> {
  return planCluster(
    {
      environment: "dev",
      spus: 149,
      metrics: { enabled: false },
      docker: { publishPrivate: true },
      ports: { public: "24000-24149", private: "24150-24299" },
    },
    { stack: "bench-preflight" },
  );
}

/** One child `node` holding the given host:port pairs; resolves once all listen. */
function holdPorts(pairs: readonly [string, number][]): Promise<ChildProcess> {
  const code = `/*fluvio-spu-bench-holder*/const net=require("net");let n=0;for(const [host,port] of ${JSON.stringify(pairs)})net.createServer().listen({host,port,ipv6Only:host.includes(":")},()=>{if(++n===${pairs.length})console.log("ready")})`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve(child));
    child.on("exit", (status) => reject(new Error(`port holder exited ${status}`)));
  });
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

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Medians of checkPorts (with and without the engine) and of the naive probe, in this run. */
async function measure(plan: ReturnType<typeof planCluster>): Promise<{ withDocker: number; procOnly: number; naive: number; found: number; probed: number }> {
  const found = (await checkPorts(plan)).conflicts.length;
  const probed = (await probeByBinding(plan.hostPorts)).length;
  collectGarbage();
  const withDocker = await medianMs(RUNS, () => checkPorts(plan));
  collectGarbage();
  const procOnly = await medianMs(RUNS, () => checkPorts(plan, { docker: false }));
  collectGarbage();
  const naive = await medianMs(RUNS, () => probeByBinding(plan.hostPorts));
  return { withDocker, procOnly, naive, found, probed };
}

export async function run(): Promise<void> {
  const plan = benchPlan();
  const ports = plan.hostPorts;
  if (ports.length !== 300) throw new Error(`the bench plan has ${ports.length} host ports, not 300`);
  const free = await measure(plan);
  const held: [string, number][] = [
    ["0.0.0.0", ports[3] as number],
    ["127.0.0.1", ports[77] as number],
    ["::", ports[150] as number],
    ["::1", ports[222] as number],
    ["0.0.0.0", ports[299] as number],
  ];
  const holder = await holdPorts(held);
  let busy: Awaited<ReturnType<typeof measure>>;
  try {
    busy = await measure(plan);
  } finally {
    holder.kill();
  }
  for (const [title, figures] of [
    ["preflight: 300 planned host ports, all free", free],
    [`preflight: 300 planned host ports, ${held.length} held by another process (IPv4 and IPv6)`, busy],
  ] as const) {
    printFigures(title, [
      { name: "checkPorts (listener tables, fd pass if held, Docker engine)", value: figures.withDocker, unit: "ms", note: `median of ${RUNS}; found ${figures.found}, with holders named` },
      { name: "checkPorts, docker: false", value: figures.procOnly, unit: "ms", note: `median of ${RUNS}` },
      { name: "naive: bind each port on 0.0.0.0 and ::", value: figures.naive, unit: "ms", note: `median of ${RUNS}; found ${figures.probed}, no holder names` },
      { name: "naive / checkPorts", value: figures.naive / figures.withDocker, unit: "x" },
      { name: "naive / checkPorts (docker: false)", value: figures.naive / figures.procOnly, unit: "x" },
    ]);
  }
}
