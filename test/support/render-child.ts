/**
 * A render in a process of its own, for tests that kill it with SIGKILL (bundled by
 * test/unit/render-switch.test.ts; argv after the script):
 *
 * - `step <k> <root> <stack> <out>`: renders, and kills itself at the k-th step of the folder
 *   switch (0-based, recovery steps included); printing the steps it passed when it lives.
 * - `recover <k> <out>`: recovers the folder, killed at the k-th step likewise.
 * - `loop <root> <out> <stack>...`: renders the stacks in turn into one folder until killed,
 *   printing `started`, then `rendered <round>` after each render.
 */
import { recoverRenderedFolder } from "../../src/render/folder";
import { renderStack } from "../../src/render/stack";

const [mode, ...args] = process.argv.slice(2);

function killedAt(k: number): (step: string) => void {
  let count = 0;
  return (step) => {
    if (count++ === k) process.kill(process.pid, "SIGKILL");
    steps.push(step);
  };
}
const steps: string[] = [];

if (mode === "step") {
  const [k, root, stack, out] = args as [string, string, string, string];
  renderStack(root, stack, out, {}, { onStep: killedAt(Number(k)) });
  process.stdout.write(`${JSON.stringify(steps)}\n`);
} else if (mode === "recover") {
  const [k, out] = args as [string, string];
  process.stdout.write(`${recoverRenderedFolder(out, { onStep: killedAt(Number(k)) })} ${JSON.stringify(steps)}\n`);
} else if (mode === "loop") {
  const [root, out, ...stacks] = args as [string, string, ...string[]];
  process.stdout.write("started\n");
  for (let round = 0; ; round++) {
    renderStack(root, stacks[round % stacks.length]!, out);
    process.stdout.write(`rendered ${round}\n`);
  }
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
