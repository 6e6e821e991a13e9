/**
 * `fluvio-ports`: the command line of fluvio-spu. This file reads the command line (against the
 * command table in `cli/spec.ts`), loads only the module of the command asked for, and turns
 * every failure into its exit code and a message without a stack trace.
 */
import { parseCommandLine, type CommandLine } from "./cli/args";
import { needsProject } from "./cli/command";
import { describeFailure, EXIT } from "./cli/failure";
import type { CliStreams } from "./cli/input";
import { packageVersion, projectRoot } from "./cli/project";
import { commandUsage, helpWidth, programUsage } from "./cli/usage";
import { askHostFactsOnce } from "./preflight/host-facts";

export type { CliStreams } from "./cli/input";
export { findProjectRoot, packageVersion } from "./cli/project";
export { formatPlanTable } from "./cli/plan-table";

/**
 * stdout and stderr of this process. A reader that goes away (`fluvio-ports plan | head -1`)
 * closes the pipe: the rest of the output is dropped quietly (EPIPE), never a crash. Output that
 * cannot be written for any other reason (a full disk, `> /dev/full`) is remembered, and `main`
 * fails with one line once the command is done (`outputFailure`).
 */
function processStreams(): CliStreams & { settled: () => Promise<NodeJS.ErrnoException | undefined> } {
  let stdoutOpen = true;
  let stderrOpen = true;
  let failed: NodeJS.ErrnoException | undefined;
  // Once per stream and run, whatever else listens (a test runner, tsx): an error event without a listener would crash.
  const closeOn = (stream: NodeJS.WriteStream, close: (error: NodeJS.ErrnoException) => void): void => {
    stream.once("error", close);
  };
  closeOn(process.stdout, (error) => {
    stdoutOpen = false;
    if (error.code !== "EPIPE") failed ??= error;
  });
  closeOn(process.stderr, () => (stderrOpen = false));
  return {
    // The terminal's width, for help; a pipe or a file has none.
    ...(process.stdout.isTTY ? { columns: process.stdout.columns } : {}),
    out: (text) => {
      if (stdoutOpen && !process.stdout.destroyed) process.stdout.write(text);
    },
    err: (text) => {
      if (stderrOpen && !process.stderr.destroyed) process.stderr.write(text);
    },
    // Everything written so far has reached the file or pipe, or failed: its error, EPIPE aside.
    settled: () =>
      new Promise((resolve) => {
        if (!stdoutOpen || process.stdout.destroyed) return resolve(failed);
        process.stdout.write("", (error) => {
          const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
          if (error && code !== "EPIPE") failed ??= error as NodeJS.ErrnoException;
          resolve(failed);
        });
      }),
  };
}

/** The one line for output that could not be written (not a closed pipe, which stays quiet). */
export function outputFailure(error: NodeJS.ErrnoException): string {
  const why = error.code === "ENOSPC" ? "no space left on the device" : error.code === "EBADF" ? "stdout is closed" : (error.code ?? error.message);
  return `fluvio-ports: cannot write the output to stdout (${why}): nothing usable was written; free some space or send the output elsewhere\n`;
}

/** Runs `fluvio-ports` with the given arguments; resolves to the exit code (see `EXIT`). */
export async function main(argv: string[], given?: CliStreams): Promise<number> {
  const own = given === undefined ? processStreams() : undefined;
  const code = await run(argv, given ?? (own as CliStreams));
  const failed = own ? await own.settled() : undefined;
  if (failed === undefined) return code;
  own?.err(outputFailure(failed));
  return code === EXIT.ok ? EXIT.usage : code;
}

async function run(argv: string[], streams: CliStreams): Promise<number> {
  let line: CommandLine | undefined;
  try {
    line = parseCommandLine(argv);
    if (line.kind === "help") {
      const width = helpWidth(streams.columns);
      streams.out(line.command ? commandUsage(line.command, width) : line.group ? line.group.map((command) => commandUsage(command, width)).join("\n") : programUsage(width));
      return EXIT.ok;
    }
    if (line.kind === "version") {
      streams.out(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    // Outside a project, a command that reads one stops here with one line pointing at --root.
    const root = needsProject(line.command) ? projectRoot(typeof line.flags.root === "string" ? line.flags.root : undefined, process.cwd()) : process.cwd();
    // The engine answers while the command's code loads and its files are read: the question
    // goes out on this turn of the event loop (its connection completes on the next one).
    if (line.command.asksEngine) {
      void askHostFactsOnce();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const run = await line.command.load();
    return await run({ command: line.command.name, flags: line.flags, positionals: line.positionals, output: line.output, streams, root });
  } catch (error) {
    const failure = describeFailure(error, line?.kind === "run" ? line.command.name : argv[0] && !argv[0].startsWith("-") ? argv[0] : undefined, process.env.FLUVIO_PORTS_DEBUG === "1");
    streams.err(failure.text);
    return failure.code;
  }
}
