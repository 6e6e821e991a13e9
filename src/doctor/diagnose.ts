/**
 * Pure: what `fluvio-ports doctor` concludes from what it saw of a deployed Docker stack — every
 * container the plan expects (up, healthy, exited with which code), bind failures in SPU logs
 * and who holds that port now, and whether each SPU's registration ran with the plan's
 * endpoints — as findings, each with what to do. Tested on recorded observations.
 */
import type { ClusterPlan, SpuPlan } from "../plan/types";
import { fixFor } from "../preflight/match";

/** One container as the engine showed it (`GET /containers/json?all=true`, and its log tail for SPUs). */
export interface ObservedContainer {
  name: string;
  /** `running`, `exited`, `restarting`, `created`, ... */
  state: string;
  /** Docker's status line: `Up 3 minutes (healthy)`, `Exited (1) 2 minutes ago`. */
  status: string;
  /** The command line as the engine lists it. */
  command: string;
  /** The last lines of its logs (SPUs and registration jobs), or undefined when not read. */
  logs?: string;
}

/** Who holds a port now, as preflight found it (a process or another container). */
export interface PortHolderNow {
  port: number;
  holder: string;
}

/** Everything doctor saw. */
export interface Observation {
  containers: ObservedContainer[];
  /** Planned host ports held by something other than this stack (preflight's conflicts). */
  heldPorts: PortHolderNow[];
}

/** One finding: `ok` lines say what is fine, `problem` lines say what is wrong and what to do. */
export interface Finding {
  level: "ok" | "problem";
  subject: string;
  message: string;
  fix?: string;
}

/** The containers the plan expects, by name, with what they are. */
function expectedContainers(plan: ClusterPlan): { name: string; what: string; spu?: SpuPlan; job?: boolean }[] {
  return [
    { name: plan.sc.name, what: "the SC" },
    ...plan.spus.flatMap((spu) => [
      { name: spu.host, what: `SPU ${spu.id}`, spu },
      ...(spu.exporterCommand ? [{ name: `${spu.host}-exporter`, what: `the exporter of SPU ${spu.id}` }] : []),
      { name: `${spu.host}-register`, what: `the registration job of SPU ${spu.id}`, spu, job: true },
    ]),
    ...(plan.monitoring.prometheus ? [{ name: plan.monitoring.prometheus.name, what: "Prometheus" }] : []),
  ];
}

/** `Exited (1) 2 minutes ago` → 1. */
export function exitCodeOf(status: string): number | undefined {
  const match = /^Exited \((-?\d+)\)/.exec(status);
  return match ? Number(match[1]) : undefined;
}

/** `(healthy)`, `(unhealthy)`, `(health: starting)` → the health word, if any. */
export function healthOf(status: string): "healthy" | "unhealthy" | "starting" | undefined {
  if (/\(unhealthy\)/.test(status)) return "unhealthy";
  if (/\(healthy\)/.test(status)) return "healthy";
  if (/\(health: starting\)/.test(status)) return "starting";
  return undefined;
}

/** The ports a log says could not be bound (`Address already in use`, Docker's `port is already allocated`). */
export function bindFailures(logs: string): number[] {
  const ports = new Set<number>();
  for (const line of logs.split("\n")) {
    if (!/address already in use|addrinuse|port is already allocated/i.test(line)) continue;
    for (const match of line.matchAll(/:(\d{2,5})\b/g)) ports.add(Number(match[1]));
  }
  return [...ports].sort((a, b) => a - b);
}

function registrationFindings(plan: ClusterPlan, spu: SpuPlan, job: ObservedContainer): Finding[] {
  const subject = `SPU ${spu.id} registration`;
  const code = exitCodeOf(job.status);
  const endpoints = `public ${spu.public}${spu.local ? `, local ${spu.local}` : ""}, private ${spu.private}`;
  if (job.state !== "exited") return [{ level: "problem", subject, message: `${job.name} is ${job.state} (${job.status}): the SPU is not registered yet`, fix: `wait for it, then run doctor again; \`docker logs ${job.name}\` shows where it waits` }];
  if (code !== 0) {
    const tail = (job.logs ?? "").trim().split("\n").slice(-2).join(" / ");
    return [{ level: "problem", subject, message: `${job.name} exited with ${code ?? job.status}: SPU ${spu.id} is not registered${tail ? ` (${tail})` : ""}`, fix: `fix the cause, then \`docker rm ${job.name}\` and \`pulumi up --refresh\` to register it again` }];
  }
  if (!job.command.includes(spu.register.join(" "))) {
    return [{ level: "problem", subject, message: `${job.name} registered SPU ${spu.id} with other endpoints than the plan's (${endpoints}): the deployment is older than the stack's config`, fix: `run \`pulumi up\` to register it with the plan's endpoints` }];
  }
  return [{ level: "ok", subject, message: `registered with the plan's endpoints (${endpoints})` }];
}

/** What to do about a port something else holds. */
function portFix(plan: ClusterPlan, port: number): string {
  const row = plan.ports.find((candidate) => candidate.port === port);
  const move = row ? `, or ${fixFor(plan, row)}` : "";
  return `stop the holder${move}; then \`fluvio-ports plan --stack ${plan.stack} --record\` and \`pulumi up\``;
}

/** The findings, in the plan's order: containers (and their logs and registrations), then ports held by others. */
export function diagnose(plan: ClusterPlan, observation: Observation): Finding[] {
  const byName = new Map(observation.containers.map((container) => [container.name, container]));
  const held = new Map(observation.heldPorts.map((entry) => [entry.port, entry.holder]));
  const findings: Finding[] = [];
  if (observation.containers.length === 0) {
    return [
      {
        level: "problem",
        subject: `stack ${plan.stack}`,
        message: `is not deployed on this engine: no container carries the label fluvio-spu.cluster=${plan.namePrefix}`,
        fix: `run \`pulumi up\` for stack ${plan.stack} (or \`docker compose up -d\` on its rendered file), or point DOCKER_HOST at the engine it runs on`,
      },
      ...observation.heldPorts.map((entry): Finding => ({ level: "problem", subject: `port ${entry.port}`, message: `planned for this stack, held by ${entry.holder}`, fix: portFix(plan, entry.port) })),
    ];
  }
  for (const expected of expectedContainers(plan)) {
    const seen = byName.get(expected.name);
    if (!seen) {
      findings.push({ level: "problem", subject: expected.what, message: `no container ${expected.name}`, fix: `run \`pulumi up\` for stack ${plan.stack} (or \`docker compose up -d\` on its rendered file)` });
      continue;
    }
    if (expected.job && expected.spu) {
      findings.push(...registrationFindings(plan, expected.spu, seen));
      continue;
    }
    const health = healthOf(seen.status);
    if (seen.state !== "running" || health === "unhealthy") {
      findings.push({ level: "problem", subject: expected.what, message: `${expected.name} is ${seen.state}${health ? `, ${health}` : ""} (${seen.status})`, fix: `\`docker logs ${expected.name}\` shows why; \`docker start ${expected.name}\` after a fix` });
    } else {
      findings.push({ level: "ok", subject: expected.what, message: `${expected.name} is up${health ? ` and ${health}` : ""}` });
    }
    for (const port of bindFailures(seen.logs ?? "")) {
      const holder = held.get(port);
      findings.push({
        level: "problem",
        subject: expected.what,
        message: `its log says port ${port} was already in use${holder ? `; now held by ${holder}` : "; nothing else holds it now (a restart may have fixed it)"}`,
        fix: holder ? portFix(plan, port) : `\`docker restart ${expected.name}\``,
      });
    }
  }
  for (const entry of observation.heldPorts) {
    if (findings.some((finding) => finding.message.includes(`port ${entry.port} `))) continue;
    findings.push({ level: "problem", subject: `port ${entry.port}`, message: `planned for this stack, held by ${entry.holder}`, fix: portFix(plan, entry.port) });
  }
  return findings;
}

/** The lines doctor prints: `ok   ...` and `FAIL ...` with the fix indented below. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .map((finding) => `${finding.level === "ok" ? "ok  " : "FAIL"} ${finding.subject}: ${finding.message}${finding.fix ? `\n     → ${finding.fix}` : ""}`)
    .join("\n");
}
