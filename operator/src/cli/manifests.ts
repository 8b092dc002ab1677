import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

/** One YAML document from an input file, with where it came from for messages. */
export interface Manifest {
  source: string;
  /** 1-based line of the document start. */
  line: number;
  object: Record<string, unknown>;
}

export class ManifestError extends Error {}

/** Reads YAML or JSON files (`-` is stdin), one object per document; `List` items are unpacked. */
export function loadManifests(files: readonly string[], readStdin: () => string = () => readFileSync(0, "utf8")): Manifest[] {
  const out: Manifest[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = file === "-" ? readStdin() : readFileSync(file, "utf8");
    } catch (err) {
      throw new ManifestError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    out.push(...parseManifests(text, file === "-" ? "<stdin>" : file));
  }
  return out;
}

export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
  for (const doc of parseAllDocuments(text, { prettyErrors: true })) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const where = e?.linePos?.[0] ? `:${e.linePos[0].line}` : "";
      throw new ManifestError(`${source}${where}: invalid YAML: ${e?.message.split("\n")[0] ?? "parse error"}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const line = lineOf(doc.range[0]);
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new ManifestError(`${source}:${line}: a document must be a Kubernetes object`);
    }
    const obj = value as Record<string, unknown>;
    if (obj.kind === "List" && Array.isArray(obj.items)) {
      for (const item of obj.items) {
        if (item && typeof item === "object" && !Array.isArray(item)) out.push({ source, line, object: item as Record<string, unknown> });
      }
      continue;
    }
    out.push({ source, line, object: obj });
  }
  return out;
}

export const kindOf = (m: Manifest) => (typeof m.object.kind === "string" ? m.object.kind : "");

export function describe(m: Manifest): string {
  const meta = (m.object.metadata ?? {}) as Record<string, unknown>;
  const name = typeof meta.name === "string" ? meta.name : "<unnamed>";
  return `${m.source}:${m.line} ${kindOf(m) || "<no kind>"}/${name}`;
}
