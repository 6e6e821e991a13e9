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
}

/** The outcome of parsing: options, a request for usage, or a one-line error. */
export type FlagsResult = { kind: "ok"; flags: ExporterFlags } | { kind: "help" } | { kind: "error"; message: string };

export const USAGE = "usage: node exporter.js --socket <path> --port <1-65535> --spu-id <id> [--host <addr>, default 0.0.0.0] [--timeout-ms <n>, default 2000]";

const KNOWN = ["--socket", "--port", "--spu-id", "--host", "--timeout-ms"] as const;
type Known = (typeof KNOWN)[number];

function isKnown(name: string): name is Known {
  return (KNOWN as readonly string[]).includes(name);
}

function splitArgs(argv: readonly string[]): { values: Partial<Record<Known, string>> } | { error: string } | { help: true } {
  const values: Partial<Record<Known, string>> = {};
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === "--help" || arg === "-h") return { help: true };
    const equals = arg.indexOf("=");
    const name = arg.startsWith("--") && equals > 0 ? arg.slice(0, equals) : arg;
    if (!isKnown(name)) return { error: `unknown argument ${JSON.stringify(arg)}` };
    if (values[name] !== undefined) return { error: `${name} given twice` };
    let value: string | undefined;
    if (name !== arg) value = arg.slice(equals + 1);
    else {
      value = argv[index + 1];
      index++;
    }
    if (value === undefined || (name === arg && value.startsWith("--"))) return { error: `${name} needs a value` };
    values[name] = value;
  }
  return { values };
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
  return { kind: "ok", flags: { socketPath, port, spuId, host, timeoutMs } };
}
