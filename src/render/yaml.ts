import { stringify } from "yaml";

/**
 * YAML as the tools that read our files parse it. Docker Compose 1.x (PyYAML) and kubectl
 * (go-yaml) read YAML 1.1, where a plain `no`, `on` or `0444` is a boolean or a number, not
 * the string we mean; writing with the 1.1 schema quotes every such string.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { version: "1.1", lineWidth: 0 });
}

/** Lines of text as YAML comment lines (`# ...`), each ending in a newline. */
export function yamlComment(lines: readonly string[]): string {
  return lines.map((line) => (line.length > 0 ? `# ${line}\n` : "#\n")).join("");
}
