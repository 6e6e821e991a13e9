/**
 * The metrics exporter's entry point, run beside each SPU as
 * `node /app/exporter.js --socket <path> --port <n> --spu-id <id>` (the plan's `exporterCommand`).
 * Plain Node, builtins only: its image holds this folder's compiled files and nothing else.
 */
import { parseFlags, USAGE } from "./flags";
import { startExporter } from "./server";

const NAME = "fluvio-spu-exporter";

async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseFlags(argv);
  if (parsed.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (parsed.kind === "error") {
    process.stderr.write(`${NAME}: ${parsed.message} (${USAGE})\n`);
    process.exitCode = 2;
    return;
  }
  const { flags } = parsed;
  const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${NAME}: ${line}\n`);
  };
  const running = await startExporter({ ...flags, log }).catch((error: unknown) => {
    log(`cannot listen on ${flags.host}:${flags.port}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  if (running === undefined) {
    process.exitCode = 1;
    return;
  }
  log(`spu ${flags.spuId}: serving /metrics and /healthz on ${flags.host}:${running.port}, reading ${flags.socketPath} (timeout ${flags.timeoutMs} ms)${flags.probes !== undefined && flags.probes.length > 0 ? `, probing ${flags.probes.map((probe) => `${probe.role}=${probe.host}:${probe.port}`).join(" ")} (timeout ${flags.probeTimeoutMs} ms)` : ""}`);
  const stop = (signal: NodeJS.Signals): void => {
    log(`${signal}: closing`);
    running.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

void main(process.argv.slice(2));
