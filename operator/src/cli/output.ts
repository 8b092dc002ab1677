import { stringify } from "yaml";

export type OutputFormat = "yaml" | "json";

/** Multi-document YAML, or a JSON `v1 List`: both are what `kubectl apply -f -` takes. */
export function formatObjects(objects: readonly unknown[], format: OutputFormat): string {
  if (format === "json") return `${JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2)}\n`;
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");
}
