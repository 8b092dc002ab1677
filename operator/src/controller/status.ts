// The policy's status from a translation and an apply outcome. Pure.
import type { Condition } from "../api/condition.js";
import type { PolicyStatus } from "../api/policy.js";
import type { Diagnostic } from "../translate/diagnostics.js";
import type { Translation } from "../translate/translate.js";
import type { ApiObject } from "./objects.js";

export const ACCEPTED = "Accepted";
export const PROGRAMMED = "Programmed";

/** What applying a translation did. */
export interface ProgramOutcome {
  applied: number;
  unchanged: number;
  pruned: number;
  /** Objects the apiserver refused or that could not be written: `Kind/name: why`. */
  failures: string[];
}

const MAX_MESSAGE = 32_000;

const describe = (d: Diagnostic) => `${d.field ? `${d.field}: ` : ""}${d.message}`;

function joinMessage(head: string, items: readonly string[]): string {
  const text = items.length === 0 ? head : `${head}: ${items.join("; ")}`;
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 3)}...`;
}

type NewCondition = Omit<Condition, "lastTransitionTime" | "observedGeneration">;

function acceptedCondition(t: Translation): NewCondition {
  const errors = t.diagnostics.filter((d) => d.severity === "error");
  const warnings = t.diagnostics.filter((d) => d.severity === "warning");
  if (!t.accepted) {
    return {
      type: ACCEPTED,
      status: "False",
      reason: errors[0]?.reason ?? "InvalidSpec",
      message: joinMessage("Policy rejected; objects applied before are left as they were", errors.map(describe)),
    };
  }
  const head = `Policy is valid and protects ${t.targets.length} Deployment${t.targets.length === 1 ? "" : "s"}`;
  return {
    type: ACCEPTED,
    status: "True",
    reason: "Accepted",
    message: warnings.length === 0 ? head : joinMessage(`${head}, with warnings`, warnings.map(describe)),
  };
}

function programmedCondition(t: Translation, outcome: ProgramOutcome | undefined, policyName: string): NewCondition {
  if (!t.accepted || !outcome) {
    return { type: PROGRAMMED, status: "False", reason: "NotAccepted", message: "Nothing was applied: the policy is not accepted" };
  }
  if (outcome.failures.length > 0) {
    return { type: PROGRAMMED, status: "False", reason: "ApplyFailed", message: joinMessage("Some objects could not be applied", outcome.failures) };
  }
  const total = outcome.applied + outcome.unchanged;
  if (t.targets.length === 0) {
    return {
      type: PROGRAMMED,
      status: "True",
      reason: "NoTargets",
      message: `No Deployment is annotated modelguard.dev/policy=${policyName}; nothing to enforce`,
    };
  }
  return { type: PROGRAMMED, status: "True", reason: "Programmed", message: `${total} objects applied for ${t.targets.join(", ")}` };
}

/** Keeps lastTransitionTime when a condition's status did not change (API conventions). */
function mergeCondition(prev: readonly Condition[], next: NewCondition, generation: number | undefined, now: string): Condition {
  const old = prev.find((c) => c.type === next.type);
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : now;
  return { ...next, ...(generation !== undefined ? { observedGeneration: generation } : {}), lastTransitionTime };
}

/** The status the policy should have. `outcome` is undefined when nothing was applied. */
export function buildStatus(policy: ApiObject, t: Translation, outcome: ProgramOutcome | undefined, now: Date): PolicyStatus {
  const generation = policy.metadata.generation;
  const prev = currentConditions(policy);
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: [
      mergeCondition(prev, acceptedCondition(t), generation, stamp),
      mergeCondition(prev, programmedCondition(t, outcome, policy.metadata.name), generation, stamp),
    ],
    targets: t.targets,
    targetCount: t.targets.length,
  };
}

export function currentConditions(policy: ApiObject): Condition[] {
  const status = policy.status as { conditions?: unknown } | undefined;
  return Array.isArray(status?.conditions) ? (status.conditions as Condition[]) : [];
}

export function conditionOf(policy: ApiObject, type: string): Condition | undefined {
  return currentConditions(policy).find((c) => c.type === type);
}

/** Canonical text of a status, for "changed?" checks. */
export function statusText(s: unknown): string {
  return JSON.stringify(s, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
