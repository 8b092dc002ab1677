import { createHash } from "node:crypto";
import type { Secret } from "./inputs.js";

/** Decoded entries of a Secret (`data` is base64, `stringData` is plain, as in manifests). */
export function secretEntries(secret: Secret): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(secret.data ?? {})) out.set(k, Buffer.from(v, "base64").toString("utf8"));
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out.set(k, v);
  return out;
}

export const sha256Hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** Newline-separated list, blank lines and `#` comments ignored. */
export function parseList(text: string | undefined): string[] {
  if (text === undefined) return [];
  const items = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  return [...new Set(items)].sort();
}
