// Markdown building blocks for the generated API reference, written for GitHub's renderer
// (GFM): inline code and prose that survive table cells, tables, and heading anchors.

/** Inline code; pipes are escaped because GFM splits table cells before it parses code spans. */
export function code(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, " ");
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat.replace(/\|/g, "\\|")}${pad}${fence}`;
}

/** Text outside code spans: characters that would end a table cell, open an HTML tag or start emphasis are escaped. */
function escapeText(text: string): string {
  return text.replace(/[\\|*_]/g, (c) => `\\${c}`).replace(/</g, "&lt;");
}

/**
 * A schema description as Markdown for one table cell or paragraph. Descriptions use backticks
 * for code, which is kept; everything else is literal text.
 */
export function prose(text: string): string {
  const parts = text.replace(/\s*\n\s*/g, " ").trim().split("`");
  if (parts.length % 2 === 0) return escapeText(parts.join("`")).replace(/`/g, "\\`"); // unbalanced: all literal
  return parts.map((part, i) => (i % 2 === 1 ? code(part) : escapeText(part))).join("");
}

/** A GFM table. Cells must already be Markdown for one line. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The anchor GitHub gives a heading whose rendered text is `text` (before duplicate suffixes). */
export function headingAnchor(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Rendered text of a heading's Markdown: links, code spans and backslash escapes reduced to their text. */
function headingText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(`+)\s?(.*?)\s?\1|\\([!-/:-@[-`{-~])/g, (_m, fence: string | undefined, inner: string | undefined, escaped: string | undefined) =>
      fence !== undefined ? (inner ?? "").replace(/\\\|/g, "|") : (escaped ?? ""),
    )
    .replace(/&lt;/g, "<");
}

/**
 * Every anchor a Markdown document's headings get on GitHub, in order; a repeated heading gets
 * `-1`, `-2`... Headings inside fenced code blocks are not headings.
 */
export function anchorsOf(markdown: string): string[] {
  const anchors: string[] = [];
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (f !== undefined) {
      if (fence === undefined) fence = f;
      else if (f[0] === fence[0] && f.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = headingAnchor(headingText(h[1] ?? ""));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.push(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}
