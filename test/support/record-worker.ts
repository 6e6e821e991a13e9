/**
 * One `fluvio-ports plan --record` in a process of its own, for the concurrent-writer tests:
 * `node --import tsx test/support/record-worker.ts <root> <stack>`; exits with the CLI's code.
 */
import { main } from "../../src/cli";

const [root, stack] = process.argv.slice(2);
let err = "";
main(["plan", "--stack", stack as string, "--record", "--format", "json", "--root", root as string], { out: () => {}, err: (text) => (err += text) }).then(
  (code) => {
    if (code !== 0) process.stderr.write(err);
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`worker crashed: ${String(error)}\n`);
    process.exitCode = 99;
  },
);
