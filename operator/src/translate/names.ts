import { createHash } from "node:crypto";

const MAX_NAME = 63;

/**
 * Deterministic child object names: `mg-<parts…>`, kept within 63 characters (so they also fit
 * in label values) by truncating and appending a short hash of the full name.
 */
export function childName(...parts: string[]): string {
  const full = ["mg", ...parts].join("-");
  if (full.length <= MAX_NAME) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 10);
  const head = full.slice(0, MAX_NAME - hash.length - 1).replace(/[-.]+$/, "");
  return `${head}-${hash}`;
}
