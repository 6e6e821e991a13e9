import type { ConfigIssue } from "../../errors";
import { STATEFUL_SET_NAME_MAX } from "../../plan/names";
import type { ClusterPlan } from "../../plan/types";
import type { ClusterObject, StringMap } from "./model";

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_MAX = 63;
const SUBDOMAIN_MAX = 253;

/** The naming rule of one kind: the pattern, the length limit and why. */
interface NameRule {
  pattern: RegExp;
  max: number;
  rule: string;
}

function nameRule(kind: ClusterObject["kind"]): NameRule {
  switch (kind) {
    case "Service":
      return { pattern: DNS_1035_LABEL, max: LABEL_MAX, rule: "Service names are DNS-1035 labels (a-z, 0-9 and '-', starting with a letter, at most 63)" };
    case "Namespace":
      return { pattern: DNS_1123_LABEL, max: LABEL_MAX, rule: "namespaces are DNS-1123 labels (a-z, 0-9 and '-', at most 63)" };
    case "StatefulSet":
      return {
        pattern: DNS_1123_LABEL,
        max: STATEFUL_SET_NAME_MAX,
        rule: `StatefulSet names end at ${STATEFUL_SET_NAME_MAX} characters (its pods' controller-revision-hash label adds 11 to it and labels end at 63)`,
      };
    default:
      return { pattern: DNS_1123_SUBDOMAIN, max: SUBDOMAIN_MAX, rule: "object names are DNS-1123 subdomains (a-z, 0-9, '-' and '.', at most 253)" };
  }
}

/**
 * Names and label values that Kubernetes would reject, in every emitted object: each issue says
 * which object, which rule, and how to fix it (the names are the cluster name joined with the
 * stack name, so shortening either fixes them).
 */
export function objectNameIssues(plan: ClusterPlan, objects: readonly ClusterObject[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const report = (issue: ConfigIssue): void => {
    const key = `${issue.path}|${issue.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push(issue);
  };
  const origin = `cluster '${plan.cluster}', stack '${plan.stack}'`;
  for (const object of objects) {
    const { name } = object.metadata;
    const rule = nameRule(object.kind);
    if (!rule.pattern.test(name) || name.length > rule.max) {
      const over = name.length > rule.max ? ` it is ${name.length} characters, ${name.length - rule.max} too many;` : "";
      report({
        path: object.kind === "Namespace" ? "kubernetes.namespace" : "name",
        message: `the ${object.kind} name '${name}' (${origin}) is not valid:${over} ${rule.rule}; shorten or rename the cluster (name) or the stack`,
      });
    }
    for (const [key, value] of Object.entries(allLabels(object))) {
      if (!LABEL_VALUE.test(value) || value.length > LABEL_MAX) {
        report({
          path: "stack",
          message: `the label ${key}='${value}' on ${object.kind} '${name}' is not a valid label value (at most ${LABEL_MAX} letters, digits, '-', '_' or '.', starting and ending with a letter or digit): rename the stack or the cluster (name)`,
        });
      }
    }
  }
  return issues;
}

function allLabels(object: ClusterObject): StringMap {
  const podLabels = object.kind === "Deployment" || object.kind === "StatefulSet" ? object.spec.template.metadata.labels : {};
  return { ...object.metadata.labels, ...podLabels };
}
