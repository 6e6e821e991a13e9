/**
 * Plan scenarios for the "no result may change" test: random configs (both targets, both
 * strategies, pins, reserved ports, TLS, metrics, local endpoints) with random port registries
 * given as the YAML text a project holds (the canonical `--record` layout, block style with
 * comments, and now and then an invalid file), drawn by fast-check from a fixed seed. What one
 * scenario gives is a string: the plan exactly as `fluvio-ports plan -o json` prints it, or
 * the ConfigError's message and issues. Fixtures store the scenarios themselves (not the seed),
 * so a new fast-check release cannot quietly change what is compared.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { stringify as stringifyYaml } from "yaml";
import { ConfigError } from "../../src/errors";
import { planCluster } from "../../src/plan/plan";
import { formatRegistry, parseRegistry, type PortClaim, type PortRegistry, type StackRecord } from "../../src/ports/registry";

/** One scenario: a stack, its raw cluster config, and the registry file's text (null: no registry file). */
export interface PlanScenario {
  stack: string;
  config: Record<string, unknown>;
  registry: string | null;
}

/** A scenario with the SHA-256 of what it gave when the fixture was made. */
export interface SnapshotEntry extends PlanScenario {
  result: string;
}

/** What a scenario gives: `plan <json>` or `error <message + issues>`; any other exception propagates. */
export function scenarioOutput(scenario: PlanScenario): string {
  try {
    const registry = scenario.registry === null ? undefined : parseRegistry(scenario.registry, "stacks/ports.registry.yaml");
    const plan = planCluster(scenario.config, { stack: scenario.stack, ...(registry ? { registry } : {}) });
    return `plan ${JSON.stringify(plan, null, 2)}\n`;
  } catch (error) {
    if (error instanceof ConfigError) return `error ${error.message}\n${JSON.stringify(error.issues)}`;
    throw error;
  }
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

const HOSTS = ["localhost", "ci-1", "ci-2", "ci-runners", "*", "build-box"];

/** A value in one draw out of `oneIn`, else null. */
function rarely<T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

const rangeSet = fc
  .record({
    base: fc.integer({ min: 900, max: 60000 }),
    sizes: fc.tuple(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 10, max: 150 }), fc.integer({ min: 20, max: 150 })),
    gaps: fc.tuple(fc.integer({ min: -5, max: 40 }), fc.integer({ min: -5, max: 40 })),
    form: fc.constantFrom("object", "string"),
  })
  .map(({ base, sizes: [a, b, c], gaps: [g1, g2], form }) => {
    const clamp = (port: number): number => Math.max(1, Math.min(65535, port));
    const pub = { from: clamp(base), to: clamp(base + a - 1) };
    const priv = { from: clamp(pub.to + 1 + g1), to: clamp(pub.to + 1 + g1 + b - 1) };
    const met = { from: clamp(priv.to + 1 + g2), to: clamp(priv.to + 1 + g2 + c - 1) };
    const show = (range: { from: number; to: number }) => (form === "string" ? `${range.from}-${range.to}` : range);
    return { numeric: { public: pub, private: priv, metrics: met }, config: { public: show(pub), private: show(priv), metrics: show(met) } };
  });

const spuEntry = fc.record({
  id: fc.integer({ min: 0, max: 200 }),
  name: rarely(fc.constantFrom("alpha", "beta", "gamma", "delta"), 15),
  rack: rarely(fc.constantFrom("rack-a", "rack-b"), 2),
  pin: rarely(fc.tuple(fc.constantFrom("publicPort", "privatePort", "metricsPort", "publicPort", "nodePort"), fc.integer({ min: -3, max: 100 })), 8),
  localEndpoint: rarely(fc.oneof(fc.constant(false as const), fc.record({ host: fc.constantFrom("host.docker.internal", "gateway.local") })), 8),
});

const scenarioDraw = fc.record({
  ranges: rangeSet,
  useEnvironment: rarely(fc.constantFrom("dev", "prod"), 5),
  target: fc.constantFrom("docker", "docker", "kubernetes"),
  serviceType: fc.constantFrom("NodePort", "NodePort", "ClusterIP", "LoadBalancer"),
  strategy: fc.constantFrom("sequential", "stack-hash"),
  stack: fc.constantFrom("dev", "prod", "pr-17", "staging", "perf-a"),
  cluster: rarely(fc.constantFrom("fluvio", "events", "logs"), 3),
  host: rarely(fc.constantFrom(...HOSTS.filter((host) => host !== "*")), 3),
  count: fc.integer({ min: 1, max: 40 }),
  firstSpuId: rarely(fc.integer({ min: 0, max: 9000 }), 4),
  list: rarely(fc.uniqueArray(spuEntry, { minLength: 1, maxLength: 25, selector: (spu) => spu.id }), 2),
  scPins: rarely(fc.record({ publicPort: fc.integer({ min: -2, max: 160 }), privatePort: fc.integer({ min: -2, max: 160 }) }, { requiredKeys: [] }), 6),
  reserved: fc.array(fc.tuple(fc.constantFrom("public", "private", "metrics"), fc.integer({ min: -2, max: 150 }), fc.integer({ min: 0, max: 5 })), { maxLength: 3 }),
  metrics: fc.record({ enabled: fc.boolean(), publish: fc.boolean() }, { requiredKeys: [] }),
  tls: rarely(fc.record({ enabled: fc.boolean(), clientAuth: fc.boolean() }), 4),
  publishPrivate: fc.boolean(),
  localEndpoint: rarely(fc.oneof(fc.constant(false as const), fc.record({ host: fc.constantFrom("host.containers.internal", "gateway.local", "bad host!") }), fc.constant({ inCluster: true })), 5),
  nodePortRange: rarely(fc.integer({ min: 29990, max: 32700 }), 3),
  claims: fc.array(
    fc.record({
      owner: fc.constantFrom("redis", "team-b cluster", "postgres", "builder"),
      role: fc.constantFrom("public", "private", "metrics"),
      offset: fc.integer({ min: -5, max: 160 }),
      width: fc.integer({ min: 0, max: 8 }),
      hosts: fc.oneof(fc.constant("*"), fc.uniqueArray(fc.constantFrom(...HOSTS), { minLength: 1, maxLength: 2 })),
      note: rarely(fc.constantFrom("shared box", "see #12: ports: moved"), 3),
    }),
    { maxLength: 12 },
  ),
  records: fc.array(
    fc.record({
      stack: fc.constantFrom("dev", "prod", "pr-17", "staging", "perf-a", "pr-9", "nightly"),
      cluster: fc.constantFrom("fluvio", "events", "logs"),
      host: fc.constantFrom(...HOSTS.filter((host) => host !== "*")),
      nodes: fc.array(fc.tuple(fc.integer({ min: -1, max: 60 }), fc.constantFrom("public", "private", "metrics", "nodePort"), fc.integer({ min: -2, max: 160 })), { minLength: 1, maxLength: 10 }),
    }),
    { maxLength: 12 },
  ),
  ownRecord: rarely(fc.array(fc.tuple(fc.integer({ min: -1, max: 40 }), fc.constantFrom("public", "private", "metrics"), fc.integer({ min: -2, max: 160 })), { minLength: 1, maxLength: 20 }), 3),
  hostGroups: rarely(fc.constant<Record<string, string[]>>({ "ci-runners": ["ci-1", "ci-2"] }), 2),
  registryStyle: fc.oneof({ weight: 11, arbitrary: fc.constantFrom("none", "canonical", "canonical", "block") }, { weight: 1, arbitrary: fc.constant("broken") }),
  bigRegistry: rarely(fc.integer({ min: 50, max: 150 }), 40),
});

type ScenarioDraw = typeof scenarioDraw extends fc.Arbitrary<infer T> ? T : never;

function nodeKey(index: number): string {
  return index < 0 ? "sc" : `spu-${index + 5001}`;
}

function toScenario(draw: ScenarioDraw): PlanScenario {
  const numeric = draw.ranges.numeric;
  const from = (role: string): number => (role === "nodePort" ? 30000 : numeric[role as "public" | "private" | "metrics"].from);
  const config: Record<string, unknown> = {
    target: draw.target,
    strategy: draw.strategy,
    ...(draw.useEnvironment ? { environment: draw.useEnvironment } : { ports: draw.ranges.config }),
    ...(draw.cluster ? { name: draw.cluster } : {}),
    ...(draw.host ? { host: draw.host } : {}),
    ...(draw.firstSpuId !== null ? { firstSpuId: draw.firstSpuId } : {}),
    spus: draw.list
      ? draw.list.map(({ pin, id, name, rack, localEndpoint }) => ({ id, ...(name ? { name } : {}), ...(rack ? { rack } : {}), ...(localEndpoint !== null ? { localEndpoint } : {}), ...(pin ? { [pin[0]]: from(pin[0] === "publicPort" ? "public" : pin[0] === "privatePort" ? "private" : pin[0] === "metricsPort" ? "metrics" : "nodePort") + pin[1] } : {}) }))
      : draw.count,
    ...(draw.scPins ? { sc: Object.fromEntries(Object.entries(draw.scPins).map(([key, offset]) => [key, from(key === "publicPort" ? "public" : "private") + offset])) } : {}),
    ...(draw.reserved.length > 0 ? { reserved: draw.reserved.map(([role, offset, width]) => (width === 0 ? from(role) + offset : `${from(role) + offset}-${from(role) + offset + width}`)) } : {}),
    metrics: draw.metrics,
    ...(draw.tls ? { tls: draw.tls } : {}),
    ...(draw.target === "docker" ? { docker: { publishPrivate: draw.publishPrivate } } : {}),
    ...(draw.target === "kubernetes"
      ? { kubernetes: { serviceType: draw.serviceType, ...(draw.nodePortRange !== null ? { allowedNodePortRange: `${draw.nodePortRange}-32767` } : {}) } }
      : {}),
    ...(draw.localEndpoint !== null ? { localEndpoint: draw.localEndpoint } : {}),
  };
  const claims: PortClaim[] = draw.claims.map((claim) => ({
    owner: claim.owner,
    ports: { from: Math.max(1, from(claim.role) + claim.offset), to: Math.max(1, from(claim.role) + claim.offset + claim.width) },
    hosts: typeof claim.hosts === "string" ? [claim.hosts] : claim.hosts,
    source: "registry",
    ...(claim.note ? { note: claim.note } : {}),
  }));
  const recordNodes = (nodes: [number, string, number][]): StackRecord["nodes"] => {
    const out: StackRecord["nodes"] = {};
    for (const [index, role, offset] of nodes) out[nodeKey(index)] = { ...out[nodeKey(index)], [role]: Math.max(1, Math.min(65535, from(role) + offset)) };
    return out;
  };
  const records: StackRecord[] = draw.records.map((record) => ({ stack: record.stack, cluster: record.cluster, host: record.host, nodes: recordNodes(record.nodes) }));
  if (draw.ownRecord) records.push({ stack: draw.stack, cluster: draw.cluster ?? "fluvio", host: draw.host ?? "localhost", nodes: recordNodes(draw.ownRecord) });
  if (draw.bigRegistry) {
    for (let index = 0; index < draw.bigRegistry; index++) {
      records.push({ stack: `load-${index}`, cluster: "fluvio", host: HOSTS[index % 5] as string, nodes: { sc: { public: 40000 + index, private: 41000 + index }, "spu-1": { public: from("public") + (index % 170), private: 42000 + index } } });
      claims.push({ owner: `service ${index}`, ports: { from: 43000 + index * 2, to: 43000 + index * 2 + (index % 3) }, hosts: [HOSTS[index % 6] as string], source: "registry" });
    }
  }
  const registry: PortRegistry = { hostGroups: draw.hostGroups ?? {}, claims, records };
  return { stack: draw.stack, config, registry: registryText(registry, draw.registryStyle) };
}

/** The registry as a project would hold it, in one of several styles. */
function registryText(registry: PortRegistry, style: string): string | null {
  switch (style) {
    case "none":
      return null;
    case "canonical":
      return formatRegistry(registry);
    case "block":
      return `# hand-written\n${stringifyYaml({
        ...(Object.keys(registry.hostGroups).length > 0 ? { hostGroups: registry.hostGroups } : {}),
        claims: registry.claims.map((claim) => ({ owner: claim.owner, ports: claim.ports.from === claim.ports.to ? claim.ports.from : { from: claim.ports.from, to: claim.ports.to }, hosts: claim.hosts.length === 1 ? claim.hosts[0] : claim.hosts, ...(claim.note ? { note: claim.note } : {}) })),
        records: registry.records,
      })}`;
    default:
      return `${formatRegistry(registry)}extra: [1, 2]\n`.replace(/ports: (\d+)/, "ports: 70000-1");
  }
}

/** `count` scenarios from a fixed seed. */
export function sampleScenarios(count: number, seed: number): PlanScenario[] {
  return fc.sample(scenarioDraw, { numRuns: count, seed }).map(toScenario);
}
