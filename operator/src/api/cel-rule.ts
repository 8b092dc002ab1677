import type { z } from "zod";

/**
 * A cross-field rule written once and enforced twice: as a CEL `x-kubernetes-validations` entry
 * in the generated CRD (the apiserver runs it) and as a TypeScript check (the offline CLI and the
 * translator run it), so `modelguard validate` and `kubectl apply` reject the same policies.
 */
export interface CrossFieldRule<T> {
  /** CEL expression over `self` (and `oldSelf` for transition rules). */
  rule: string;
  message: string;
  /** Relative JSONPath the apiserver reports the error at, e.g. `.jwksUri`. */
  fieldPath?: string;
  /** Same as `fieldPath`, as segments for the TypeScript side. */
  path?: (string | number)[];
  /** Returns false when the rule is violated. Must tolerate partially invalid input. */
  check: (self: T) => boolean;
}

/** Messages of every rule attached so far: tests match apiserver errors against them. */
export const RULE_MESSAGES = new Set<string>();

/** Attaches rules to an object schema: CEL for the CRD, a refinement for zod. */
export function withRules<S extends z.ZodType>(schema: S, rules: CrossFieldRule<z.output<S>>[]): S {
  let refined: z.ZodType = schema;
  for (const r of rules) {
    const safeCheck = (value: z.output<S>) => {
      try {
        return r.check(value);
      } catch {
        return true; // malformed input is already reported by the field schemas
      }
    };
    // `when` runs the rule even when other fields failed, so every problem is reported at once.
    refined = refined.refine(safeCheck as (v: unknown) => boolean, { message: r.message, path: r.path ?? [], when: () => true });
  }
  for (const r of rules) RULE_MESSAGES.add(r.message);
  const validations = rules.map((r) => ({
    rule: r.rule,
    message: r.message,
    ...(r.fieldPath ? { fieldPath: r.fieldPath } : {}),
  }));
  return refined.meta({ "x-kubernetes-validations": validations }) as unknown as S;
}
