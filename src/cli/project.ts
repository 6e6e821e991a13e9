/** Where the CLI runs: the project folder it reads, and the package it is. Light: no heavy imports. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "../errors";

/** The nearest folder at or above `start` holding Pulumi.yaml or Pulumi.yml (the project files Pulumi reads), or undefined outside a project. */
export function findProjectRoot(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Pulumi.yaml")) || existsSync(join(dir, "Pulumi.yml"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The project a command reads: `--root` when given, else the nearest folder above the working
 * directory with Pulumi.yaml. Without one, a ConfigError of one line naming the folder and
 * pointing at `--root`.
 */
export function projectRoot(root: string | undefined, cwd: string): string {
  if (root !== undefined) {
    const dir = resolve(cwd, root);
    if (!existsSync(dir)) throw new ConfigError({ path: dir, message: "there is no such folder: give --root the project folder, the one with Pulumi.yaml" });
    if (!existsSync(join(dir, "Pulumi.yaml")) && !existsSync(join(dir, "Pulumi.yml"))) throw new ConfigError({ path: dir, message: "has no Pulumi.yaml: give --root the project folder, the one with Pulumi.yaml" });
    return dir;
  }
  const found = findProjectRoot(cwd);
  if (found === undefined) throw new ConfigError({ path: resolve(cwd), message: "no Pulumi.yaml here or in any folder above: run it inside a project, or name one with --root <dir>" });
  return found;
}

/** This package's version, from the nearest package.json named fluvio-spu above this file. */
export function packageVersion(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "fluvio-spu" && typeof pkg.version === "string") return pkg.version;
    }
    if (dirname(dir) === dir) return "unknown";
  }
}
