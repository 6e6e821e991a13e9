/**
 * What `SpuCluster`'s constructor checks before it registers anything: that its resource name
 * can name the cluster's containers and volumes when `name` does not, and that a rename with
 * Pulumi `aliases` keeps the physical names (and so the data). Pure: no resource is touched.
 */
import type { ConfigIssue } from "./errors";

/** What a cluster name must look like (the schema's `name`): it starts every physical name. */
const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** The schema's limit on `name`. */
const CLUSTER_NAME_MAX = 40;

/** Whether a text can be a cluster name (`name`). */
function isClusterName(text: string): boolean {
  return text.length <= CLUSTER_NAME_MAX && CLUSTER_NAME.test(text);
}

/**
 * A cluster name close to a resource name: `OrdersBus` → `orders-bus`, `orders_bus` →
 * `orders-bus`, shortened to 40 characters. Undefined when nothing usable is left.
 */
function suggestClusterName(text: string): string | undefined {
  const slug = text
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, CLUSTER_NAME_MAX)
    .replace(/-+$/, "");
  return slug.length > 0 && isClusterName(slug) ? slug : undefined;
}

/**
 * The resource name names the cluster (and every container and volume) unless `name` is set:
 * a resource name that cannot be a cluster name is refused here, with the `name` to pass.
 */
export function resourceNameIssues(resourceName: string, configName: unknown): ConfigIssue[] {
  if (configName !== undefined || isClusterName(resourceName)) return [];
  const suggestion = suggestClusterName(resourceName);
  const why =
    resourceName.length > CLUSTER_NAME_MAX
      ? `is ${resourceName.length} characters (at most ${CLUSTER_NAME_MAX})`
      : "is not lowercase letters, digits and '-' (not at either end)";
  return [
    {
      path: "name",
      message: `the resource name '${resourceName}' names the cluster's containers and volumes when name is not set, and it ${why}: pass ${suggestion ? `name: "${suggestion}"` : "a name such as name: \"orders-bus\""} in the SpuCluster args (the resource name may stay as it is)`,
    },
  ];
}

/** An alias as `ResourceOptions.aliases` holds it, reduced to what the check reads. */
export type AliasLike = string | { name?: unknown } | unknown;

/**
 * The names this resource had before, as far as its aliases say so synchronously: an alias
 * object's `name`, or the last part of an alias URN. Aliases given as outputs are not known yet
 * and are left out.
 */
function formerNames(aliases: readonly AliasLike[] | undefined): string[] {
  const names = (aliases ?? []).flatMap((alias): string[] => {
    if (typeof alias === "string") {
      const last = alias.split("::").pop();
      return alias.startsWith("urn:pulumi:") && last ? [last] : [];
    }
    if (typeof alias === "object" && alias !== null && "name" in alias && typeof (alias as { name?: unknown }).name === "string") {
      return [(alias as { name: string }).name];
    }
    return [];
  });
  return [...new Set(names)];
}

/**
 * Renaming a `SpuCluster` with `aliases` keeps its state, but without `name` in its args the
 * cluster is named by the new resource name, so every container and volume would get a new
 * physical name and the next `up` would start on empty volumes. Refused: `name: <old name>`
 * keeps them (or `name: <new name>` to move on purpose).
 */
export function renameIssues(resourceName: string, configName: unknown, aliases: readonly AliasLike[] | undefined): ConfigIssue[] {
  if (configName !== undefined) return [];
  const renamedFrom = formerNames(aliases).filter((former) => former !== resourceName);
  if (renamedFrom.length === 0) return [];
  const old = renamedFrom[0] as string;
  const keep = isClusterName(old) ? `name: "${old}"` : `the name the cluster had (name: "${suggestClusterName(old) ?? old}" if it was never set)`;
  return [
    {
      path: "name",
      message: `SpuCluster '${resourceName}' is aliased to its former name '${old}', but without name in its args its containers and volumes are named after the resource name, so they would all get new names and the next up would start on empty data volumes (the old ones stay behind): pass ${keep} to keep every container and volume, or name: "${isClusterName(resourceName) ? resourceName : suggestClusterName(resourceName) ?? resourceName}" to move to new ones on purpose`,
    },
  ];
}

/**
 * Marks an error so that Pulumi prints it as it prints a `RunError`: the message alone, no
 * stack trace. The error keeps its class (a `ConfigError` stays one for programs that catch it).
 */
export function printedWithoutStack<E extends Error>(error: E): E {
  Object.defineProperty(error, "__pulumiRunError", { value: true, enumerable: false });
  return error;
}
