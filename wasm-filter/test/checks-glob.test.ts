// util/glob.ts through the compiled entry: tables, pathological patterns (time
// bound), host patterns, and a differential check against a regex reference.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ChecksWasm, GlobKind, prng } from "./checks-support.js";

/** Strings of `n` characters drawn from `alphabet` by `rand`. */
function randomStrings(rand: () => number, alphabet: string): (n: number) => string {
  return (n) => {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)] ?? "";
    return s;
  };
}

let wasm: ChecksWasm;
before(async () => {
  wasm = await ChecksWasm.load();
});

type Row = [pattern: string, text: string, want: boolean];

const MATCH: Row[] = [
  ["", "", true],
  ["", "a", false],
  ["*", "", true],
  ["*", "anything at all", true],
  ["**", "", true],
  ["a", "a", true],
  ["a", "A", false],
  ["a", "ab", false],
  ["a*", "a", true],
  ["a*", "abc", true],
  ["a*", "ba", false],
  ["*a", "ba", true],
  ["*a", "ab", false],
  ["a*b", "ab", true],
  ["a*b", "axxxb", true],
  ["a*b", "axxxbx", false],
  ["a*a", "a", false],
  ["a*a", "aa", true],
  ["a*b*c", "abc", true],
  ["a*b*c", "acb", false],
  ["a*b*c", "a-b-b-c-c", true],
  ["*b*", "abc", true],
  ["*b*", "ac", false],
  ["*x*y*", "yx", false],
  ["*x*y*", "xy", true],
  ["?", "?", true],
  ["?", "a", false],
  ["[a]", "a", false],
  ["[a]", "[a]", true],
  ["a.b", "a.b", true],
  ["a.b", "axb", false],
  ["\\*", "\\anything", true],
  ["ab*ba", "aba", false],
  ["ab*ba", "abba", true],
  ["aa*aa", "aaa", false],
  ["aa*aa", "aaaa", true],
  ["*aab", "aaab", true],
  ["*abab*", "aababab", true],
  ["model-*-v*", "model-llama-v2", true],
  ["model-*-v*", "model-llama", false],
  ["é*", "é", true],
  ["日本*", "日本語", true],
];

const FOLD: Row[] = [
  ["ABC", "abc", true],
  ["abc", "ABC", true],
  ["a*C", "AxyZc", true],
  ["É", "é", false], // ASCII-only folding
  ["[", "[", true],
  ["@", "`", false], // 0x40 vs 0x60 must not fold
  ["Z", "z", true],
  ["z", "Z", true],
  ["{", "[", false],
];

const CONTAINS: Row[] = [
  ["ignore previous instructions", "Please IGNORE previous Instructions now", true],
  ["ignore previous instructions", "ignore  previous instructions", false],
  ["ignore*instructions", "ignore all previous instructions", true],
  ["ignore*instructions", "instructions: ignore", false],
  ["-----BEGIN * PRIVATE KEY-----", "x\n-----BEGIN RSA PRIVATE KEY-----\nMIIE", true],
  ["-----BEGIN * PRIVATE KEY-----", "-----begin ec private key-----", true],
  ["-----BEGIN * PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----", false],
  ["-----BEGIN * PRIVATE KEY-----", "-----BEGIN  PRIVATE KEY-----", true],
  ["-----BEGIN * PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----", false],
  ["", "", true],
  ["", "abc", true],
  ["*", "", true],
  ["abc", "", false],
  ["abc", "ab", false],
  ["aab", "aaab", true],
  ["abcabd", "abcabcabd", true],
  ["a*b*c", "zzazzbzzcz", true],
  ["a*b*c", "zzczzbzza", false],
  ["sk-*", "my key is sk-12345", true],
];

const HOST: Row[] = [
  ["example.com", "example.com", true],
  ["example.com", "a.example.com", false],
  ["*.example.com", "a.example.com", true],
  ["*.example.com", "a.b.example.com", true],
  ["*.example.com", "example.com", false],
  ["*.example.com", "badexample.com", false],
  ["*.example.com", "a.example.com.evil.com", false],
  ["*.example.com", ".example.com", false],
  ["*.example.com", "x..example.com", false],
  ["*.example.com.", "a.example.com", true],
  ["example.com.", "example.com", true],
  ["EXAMPLE.com", "example.com", true],
  ["*", "anything.example", true],
  ["*", "127.0.0.1", true],
  ["api-*.example.com", "api-1.example.com", false],
  ["*example.com", "aexample.com", false],
  ["203.0.113.7", "203.0.113.7", true],
  ["[2001:db8::1]", "[2001:db8::1]", true],
];

function table(kind: number, rows: Row[], label: string): void {
  for (const [pattern, text, want] of rows) {
    it(`${label} ${JSON.stringify(pattern)} vs ${JSON.stringify(text)} -> ${want}`, () => {
      assert.equal(wasm.glob(kind, pattern, text), want);
    });
  }
}

describe("globMatch", () => table(GlobKind.Match, MATCH, "match"));
describe("globMatchFold", () => {
  table(GlobKind.MatchFold, FOLD, "fold");
  // every exact-match row also holds case-insensitively when the text is the same
  table(GlobKind.MatchFold, MATCH.filter(([, , w]) => w), "fold(match)");
});
describe("containsGlobFold", () => table(GlobKind.ContainsFold, CONTAINS, "contains"));
describe("hostMatches", () => table(GlobKind.Host, HOST, "host"));

describe("pathological patterns stay linear", () => {
  const text = "a".repeat(200_000);
  const cases: [number, string, string, boolean][] = [
    [GlobKind.Match, "a*a*a*a*a*a*a*a*a*a*b", text, false],
    [GlobKind.Match, `${"a*".repeat(200)}b`, text, false],
    [GlobKind.Match, `${"*a".repeat(200)}*`, text, true],
    [GlobKind.Match, `*${"a".repeat(1000)}b*`, text, false],
    [GlobKind.MatchFold, `${"A*".repeat(200)}B`, text, false],
    [GlobKind.ContainsFold, `${"a".repeat(5000)}b`, text, false],
    [GlobKind.ContainsFold, `${"a*".repeat(500)}b`, text, false],
    [GlobKind.ContainsFold, `${"a".repeat(999)}*${"a".repeat(999)}b`, text, false],
  ];
  for (const [kind, pattern, subject, want] of cases) {
    it(`kind ${kind}: pattern of ${pattern.length} chars over ${subject.length} chars`, () => {
      const started = performance.now();
      assert.equal(wasm.glob(kind, pattern, subject), want);
      const ms = performance.now() - started;
      assert.ok(ms < 250, `took ${ms.toFixed(1)} ms`);
    });
  }
});

// Reference: a regex with `*` → [\s\S]*, everything else escaped. Only used on
// short inputs (a backtracking regex would be exponential on the cases above).
function reference(pattern: string, text: string, fold: boolean, contains: boolean): boolean {
  const body = pattern
    .split("*")
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[\\s\\S]*");
  const re = new RegExp(contains ? body : `^${body}$`, fold ? "i" : "");
  return re.test(text);
}

describe("differential against a regex reference", () => {
  it("20,000 random short patterns and texts", () => {
    const rand = prng(0x5eed);
    const pick = randomStrings(rand, "aAbB*.-");
    for (let i = 0; i < 20_000; i++) {
      const pattern = pick(Math.floor(rand() * 7));
      const text = pick(Math.floor(rand() * 10)).replace(/\*/g, "c");
      for (const [kind, fold, contains] of [
        [GlobKind.Match, false, false],
        [GlobKind.MatchFold, true, false],
        [GlobKind.ContainsFold, true, true],
      ] as const) {
        assert.equal(wasm.glob(kind, pattern, text), reference(pattern, text, fold, contains), `kind ${kind} ${JSON.stringify(pattern)} ${JSON.stringify(text)}`);
      }
    }
  });
});

describe("PatternSet (prompt deny patterns): one pass over the text", () => {
  const anyContains = (patterns: string[], text: string) => patterns.some((p) => reference(p, text, true, true));
  it("10,000 random pattern sets agree with a regex reference", () => {
    const rand = prng(0xfeed);
    const pick = randomStrings(rand, "aAbBé*.- ");
    for (let i = 0; i < 10_000; i++) {
      const patterns = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(1 + Math.floor(rand() * 5)));
      const text = pick(Math.floor(rand() * 30)).replace(/\*/g, "c");
      assert.equal(wasm.glob(4, patterns.join("\x01"), text), anyContains(patterns, text), `${JSON.stringify(patterns)} in ${JSON.stringify(text)}`);
    }
  });

  it("5,000 random sets of longer patterns (the skipping scan) agree with a regex reference", () => {
    const rand = prng(0x5eed);
    const pick = randomStrings(rand, "abAB -*é");
    for (let i = 0; i < 5_000; i++) {
      const patterns = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(3 + Math.floor(rand() * 10)));
      // Plant a pattern (stars filled in, ASCII upper-cased) in a third of the texts, so matches are common too.
      let text = pick(Math.floor(rand() * 300)).replace(/\*/g, "c");
      const planted = patterns[Math.floor(rand() * patterns.length)] ?? "";
      if (rand() < 0.33) {
        const at = Math.floor(rand() * text.length);
        text = text.slice(0, at) + planted.replace(/\*/g, () => pick(Math.floor(rand() * 3)).replace(/\*/g, "c")).replace(/[a-z]/g, (c) => c.toUpperCase()) + text.slice(at);
      }
      assert.equal(wasm.glob(4, patterns.join("\x01"), text), anyContains(patterns, text), `${JSON.stringify(patterns)} in ${JSON.stringify(text)}`);
    }
  });

  it("finds deny patterns in long prose wherever they are, and only there", () => {
    const patterns = ["ignore previous instructions", "reveal your system prompt", "-----BEGIN * PRIVATE KEY-----"];
    const prose = "Summarise the trade-offs between batching and streaming inference; ignore nothing previous. ".repeat(60);
    assert.equal(wasm.glob(4, patterns.join("\x01"), prose), false);
    for (const at of [0, 1, 2, 27, 1000, prose.length]) {
      for (const hit of ["IGNORE previous Instructions", "reveal your system prompt", "-----begin RSA PRIVATE KEY-----"]) {
        const text = prose.slice(0, at) + hit + prose.slice(at);
        assert.equal(wasm.glob(4, patterns.join("\x01"), text), true, `${hit} at ${at}`);
        assert.equal(wasm.glob(4, patterns.join("\x01"), text.slice(0, at) + hit.slice(0, -1)), false, `${hit} cut at ${at}`);
      }
    }
  });

  it("stays linear on adversarial text (falls back to KMP per pattern)", () => {
    const patterns = ["a".repeat(200) + "b", "aa*ab", "ignore previous instructions"];
    const text = "a".repeat(200_000);
    assert.equal(wasm.glob(4, patterns.join("\x01"), text), false);
    assert.equal(wasm.glob(4, patterns.join("\x01"), `${text}b`), true);
    assert.equal(wasm.glob(4, patterns.join("\x01"), "x IGNORE Previous instructions"), true);
  });
});
