// The README and docs/ as a reader meets them: every relative link reaches a file (and, with a
// #fragment, a heading in it), and the README still opens with the two commands that matter.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { anchorsOf } from "../../operator/src/crdgen/api-docs-markdown.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DOCS = [join(ROOT, "README.md"), ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => join(ROOT, "docs", f))];

/** Markdown without fenced code blocks and code spans, where link syntax is literal text. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^\s{0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\s{0,3}\1[^\n]*$/gm, "").replace(/(`+)[^`]*?\1/g, "");
}

/** Targets of inline links and images (`[text](target "title")`) and of reference definitions. */
function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown);
  const inline = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? "");
  const definitions = [...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1] ?? "");
  return [...inline, ...definitions];
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** Broken relative links of `markdown`, read as the content of `file`. */
function linkProblems(file: string, markdown = readFileSync(file, "utf8")): string[] {
  const problems: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (isExternal(target)) continue;
    const [path = "", fragment] = target.split("#", 2);
    const resolved = path === "" ? file : resolve(dirname(file), decodeURIComponent(path));
    const where = `${relative(ROOT, file)}: ${target}`;
    if (!existsSync(resolved)) {
      problems.push(`${where}: no such file`);
      continue;
    }
    if (fragment === undefined || fragment === "") continue;
    if (statSync(resolved).isDirectory() || !resolved.endsWith(".md")) {
      problems.push(`${where}: a #fragment needs a Markdown file`);
      continue;
    }
    if (!anchorsOf(readFileSync(resolved, "utf8")).includes(fragment)) problems.push(`${where}: no heading with that anchor`);
  }
  return problems;
}

describe("README.md and docs/*.md", () => {
  for (const file of DOCS) {
    it(`${relative(ROOT, file)}: every relative link reaches a file and heading`, () => {
      assert.deepEqual(linkProblems(file), []);
    });
  }

  it("README.md starts with the demo and test commands", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /^```sh\n([\s\S]*?)^```$/m.exec(readme);
    assert.ok(block, "README.md has no ```sh block");
    assert.doesNotMatch(readme.slice(0, block.index), /`/, "something code-like comes before the first command block");
    const commands = (block[1] ?? "").split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter((l) => l !== "");
    assert.deepEqual(commands.slice(0, 2), ["npm ci && npm run setup && npm run demo", "npm ci && npm run setup && npm test"]);
  });

  it("reports missing files and headings, and skips code and external links", () => {
    const sample = "[ok](docs/api.md#deny-reason-codes) [gone](no-such-file.md) [bad](README.md#no-such-heading) `[code](ignored.md)` [web](https://example.com/x.md)";
    assert.deepEqual(linkProblems(join(ROOT, "README.md"), sample), [
      "README.md: no-such-file.md: no such file",
      "README.md: README.md#no-such-heading: no heading with that anchor",
    ]);
  });
});
