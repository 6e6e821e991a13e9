/**
 * The house: no import cycles in src/ (type-only imports count: a reader follows them too), and
 * the command table imports the commands while nothing imports the table back.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(__dirname, "..", "..", "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Every relative import of a file (static, `export ... from`, type-only and `import()`), resolved to a file. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const targets: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"|import\("(\.[^"]+)"\)/g)) {
    const base = resolve(dirname(file), (match[1] ?? match[2] ?? "").replace(/\.js$/, ""));
    const found = [`${base}.ts`, join(base, "index.ts")].find((candidate) => existsSync(candidate));
    if (found) targets.push(found);
  }
  return targets;
}

/** Strongly connected groups of more than one file (Tarjan): each is an import cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(relative(SRC, member));
    } while (member !== node);
    if (group.length > 1) found.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe("imports", () => {
  const graph = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file)]));

  it("src/ has no import cycle, type-only imports included", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("the command table imports the commands, and no file imports the table but the parser and usage", () => {
    const table = join(SRC, "cli", "spec.ts");
    const importers = [...graph].filter(([, targets]) => targets.includes(table)).map(([file]) => relative(SRC, file)).sort();
    expect(importers).toEqual(["cli/args.ts", "cli/usage.ts"]);
    expect(graph.get(table)!.map((file) => relative(SRC, file))).toContain("cli/plan.ts");
  });

  it("the config's shape and its cross-field rules are separate rooms", () => {
    const rules = graph.get(join(SRC, "config", "rules.ts"))!.map((file) => relative(SRC, file));
    // The rules read the shape's types: generated from it (types.generated.ts), so that no published .d.ts needs zod.
    expect(rules.filter((file) => file === "config/shape.ts" || file === "config/types.generated.ts")).not.toEqual([]);
    expect(rules).not.toContain("config/schema.ts");
    expect(readFileSync(join(SRC, "config", "shape.ts"), "utf8")).not.toMatch(/function check[A-Z]/);
  });
});
