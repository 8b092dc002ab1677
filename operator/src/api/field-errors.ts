import type { z } from "zod";

/** One problem with an input, named by its field path (`spec.tiers[1].requestsPerMinute`). */
export interface FieldError {
  path: string;
  message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

const typeName = (t: unknown) => (t === "int" ? "integer" : String(t));

/** Words in the style of Kubernetes validation messages. */
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return isMissing(issue) ? "is required" : `must be ${article(typeName(issue.expected))}`;
    case "too_small": {
      const n = String(issue.minimum);
      if (issue.origin === "array" || issue.origin === "set") return `must have at least ${n} item${n === "1" ? "" : "s"}`;
      if (issue.origin === "string") return `must be at least ${n} character${n === "1" ? "" : "s"} long`;
      return issue.inclusive ? `must be greater than or equal to ${n}` : `must be greater than ${n}`;
    }
    case "too_big": {
      const n = String(issue.maximum);
      if (issue.origin === "array" || issue.origin === "set") return `must have at most ${n} items`;
      if (issue.origin === "string") return `must be at most ${n} characters long`;
      return issue.inclusive ? `must be less than or equal to ${n}` : `must be less than ${n}`;
    }
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    case "invalid_format":
      if (!issue.message.startsWith("Invalid")) return issue.message; // a message we wrote
      return issue.format === "regex" && "pattern" in issue ? `must match ${String(issue.pattern)}` : `must be a valid ${issue.format}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    case "invalid_union":
      return "matches none of the allowed forms";
    default:
      return issue.message;
  }
}

// zod leaves the input out of issues unless asked; its message still says what it received.
const isMissing = (issue: z.core.$ZodIssueInvalidType) =>
  "input" in issue ? issue.input === undefined : / received undefined$/.test(issue.message);

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/** Flattens zod issues into field errors under `prefix`, in input order, without duplicates. */
export function toFieldErrors(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const e = { path: formatPath([...prefix, ...issue.path]), message: describeIssue(issue) };
    const key = `${e.path}\u0000${e.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(e);
    }
  }
  return out;
}

export const formatFieldError = (e: FieldError) => (e.path ? `${e.path}: ${e.message}` : e.message);
