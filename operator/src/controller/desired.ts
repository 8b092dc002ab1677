// Deciding whether a generated object needs to be applied. Pure.
import { createHash } from "node:crypto";
import type { KubeObject } from "../translate/metadata.js";
import type { ApiObject } from "./objects.js";

/** Annotation holding the hash of what the operator last applied to an object. */
export const DESIRED_HASH_ANNOTATION = "modelguard.dev/desired-hash";

/** JSON with object keys sorted, so equal objects hash equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

export const desiredHash = (o: KubeObject) => createHash("sha256").update(canonical(o)).digest("hex").slice(0, 32);

type WithAnnotations = { annotations?: Record<string, string> };
const annotationsOf = (o: { metadata: unknown }) => (o.metadata as WithAnnotations).annotations;

/** The object as applied: the translator's output plus the hash of it. */
export function withDesiredHash(o: KubeObject): KubeObject {
  const metadata: KubeObject["metadata"] & WithAnnotations = {
    ...o.metadata,
    annotations: { ...(annotationsOf(o) ?? {}), [DESIRED_HASH_ANNOTATION]: desiredHash(o) },
  };
  return { ...o, metadata };
}

/**
 * True when `want` is contained in `have`: every field of `want` is in `have` with an equal
 * value (objects may have more fields; lists must have the same length, element-wise contained).
 * Fields others added (server defaults, other managers' labels) do not count as drift.
 */
export function contains(have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => contains(have[i], w));
  }
  if (want !== null && typeof want === "object") {
    if (have === null || typeof have !== "object" || Array.isArray(have)) return false;
    const h = have as Record<string, unknown>;
    return Object.entries(want as Record<string, unknown>).every(([k, w]) => w === undefined || contains(h[k], w));
  }
  return have === want;
}

/**
 * Nothing to apply: the live object carries the hash of this exact desired object (so no field
 * we used to set was dropped since) and still holds every field we set (nobody edited them).
 */
export function upToDate(applied: KubeObject, live: ApiObject | undefined): boolean {
  if (!live || live.metadata.deletionTimestamp !== undefined) return false;
  const hash = annotationsOf(applied)?.[DESIRED_HASH_ANNOTATION];
  return live.metadata.annotations?.[DESIRED_HASH_ANNOTATION] === hash && contains(live, applied);
}
