/**
 * Pure: the exporter's command line → its options. The plan's `exporterCommand` is the
 * contract (`--socket <path> --port <n> --spu-id <id>`); the rest are optional.
 */

/** What the exporter runs with. */
export interface ExporterFlags {
  /** The SPU's metrics socket (the SPU reads the same path from `FLUVIO_METRIC_SPU`). */
  socketPath: string;
  /** The HTTP port: the SPU's planned metrics port. */
  port: number;
  /** The SPU id, the `spu` label of every series. */
  spuId: string;
  /** The address to listen on; 0.0.0.0 so the port can be published or reached through a Service. */
  host: string;
  /** The deadline for one whole socket read. */
  timeoutMs: number;
  /** The SPU's own ports to probe with a TCP connect on every scrape (`--probe <role>=<host>:<port>`, repeatable); absent: none. */
  probes?: ProbeFlag[];
  /** The deadline of one probe's connect (default 1000 ms); present when probes are. */
  probeTimeoutMs?: number;
}

/** One `--probe <role>=<host>:<port>`: the `role` label, and where to connect. */
export interface ProbeFlag {
  role: string;
  host: string;
  port: number;
}

/** The outcome of parsing: options, a request for usage, or a one-line error. */
export type FlagsResult = { kind: "ok"; flags: ExporterFlags } | { kind: "help" } | { kind: "error"; message: string };

export const USAGE = "usage: node exporter.js --socket <path> --port <1-65535> --spu-id <id> [--host <addr>, default 0.0.0.0] [--timeout-ms <n>, default 2000] [--probe <role>=<host>:<port> ...] [--probe-timeout-ms <n>, default 1000]";

const KNOWN = ["--socket", "--port", "--spu-id", "--host", "--timeout-ms", "--probe", "--probe-timeout-ms"] as const;
/** Flags that may be given more than once. */
const REPEATABLE: readonly Known[] = ["--probe"];
type Known = (typeof KNOWN)[number];

function isKnown(name: string): name is Known {
  return (KNOWN as readonly string[]).includes(name);
}

function splitArgs(argv: readonly string[]): { values: Partial<Record<Known, string>>; repeated: string[] } | { error: string } | { help: true } {
  const values: Partial<Record<Known, string>> = {};
  const repeated: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === "--help" || arg === "-h") return { help: true };
    const equals = arg.indexOf("=");
    const name = arg.startsWith("--") && equals > 0 ? arg.slice(0, equals) : arg;
    if (!isKnown(name)) return { error: `unknown argument ${JSON.stringify(arg)}` };
    if (values[name] !== undefined && !REPEATABLE.includes(name)) return { error: `${name} given twice` };
    let value: string | undefined;
    if (name !== arg) value = arg.slice(equals + 1);
    else {
      value = argv[index + 1];
      index++;
    }
    if (value === undefined || (name === arg && value.startsWith("--"))) return { error: `${name} needs a value` };
    values[name] = value;
    if (REPEATABLE.includes(name)) repeated.push(value);
  }
  return { values, repeated };
}

function integerIn(name: string, raw: string, min: number, max: number): number | string {
  if (!/^\d+$/.test(raw)) return `${name} must be an integer ${min}-${max}, got ${JSON.stringify(raw)}`;
  const value = Number(raw);
  return value >= min && value <= max ? value : `${name} must be an integer ${min}-${max}, got ${raw}`;
}

/** Parses `argv` (without `node` and the script). Errors are one line, naming the flag and the value. */
export function parseFlags(argv: readonly string[]): FlagsResult {
  const split = splitArgs(argv);
  if ("help" in split) return { kind: "help" };
  if ("error" in split) return { kind: "error", message: split.error };
  const { values } = split;
  const missing = (["--socket", "--port", "--spu-id"] as const).filter((name) => values[name] === undefined);
  if (missing.length > 0) return { kind: "error", message: `missing ${missing.join(", ")}` };
  const socketPath = values["--socket"] as string;
  if (socketPath === "") return { kind: "error", message: "--socket must be a path, got an empty string" };
  const port = integerIn("--port", values["--port"] as string, 1, 65535);
  if (typeof port === "string") return { kind: "error", message: port };
  const spuId = values["--spu-id"] as string;
  if (!/^-?\d{1,10}$/.test(spuId)) return { kind: "error", message: `--spu-id must be the SPU's integer id, got ${JSON.stringify(spuId)}` };
  const host = values["--host"] ?? "0.0.0.0";
  if (host === "") return { kind: "error", message: "--host must be an address, got an empty string" };
  const timeoutMs = integerIn("--timeout-ms", values["--timeout-ms"] ?? "2000", 1, 600_000);
  if (typeof timeoutMs === "string") return { kind: "error", message: timeoutMs };
  const probeTimeoutMs = integerIn("--probe-timeout-ms", values["--probe-timeout-ms"] ?? "1000", 1, 60_000);
  if (typeof probeTimeoutMs === "string") return { kind: "error", message: probeTimeoutMs };
  const probes: ProbeFlag[] = [];
  for (const raw of split.repeated) {
    const probe = parseProbe(raw);
    if (typeof probe === "string") return { kind: "error", message: probe };
    if (probes.some((other) => other.role === probe.role)) return { kind: "error", message: `--probe role ${probe.role} given twice: one probe per role` };
    probes.push(probe);
  }
  const probing = probes.length > 0 || values["--probe-timeout-ms"] !== undefined ? { probes, probeTimeoutMs } : {};
  return { kind: "ok", flags: { socketPath, port, spuId, host, timeoutMs, ...probing } };
}

/** `<role>=<host>:<port>` (an IPv6 host in brackets) → a probe, or a one-line error naming the value. */
export function parseProbe(raw: string): ProbeFlag | string {
  const match = /^([a-z][a-z0-9_]{0,31})=(\[[0-9a-fA-F:.]+\]|[^:\[\]\s]+):(\d{1,5})$/.exec(raw);
  const fix = "give --probe <role>=<host>:<port>, for example --probe public=spu-5001:9010";
  if (!match) return `--probe ${JSON.stringify(raw)} is not <role>=<host>:<port> (role: lowercase letters, digits, _): ${fix}`;
  const [, role, host, portText] = match as unknown as [string, string, string, string];
  const port = integerIn("--probe port", portText, 1, 65535);
  if (typeof port === "string") return `${port}: ${fix}`;
  return { role, host: host.startsWith("[") ? host.slice(1, -1) : host, port };
}
