// Cost of the filter's JSON library in V8: median µs to parse (and parse + serialize) a
// 4 KB OpenAI chat request and two 64 KB documents, next to Node's JSON.parse on the same
// text (and on the same bytes, decoding included) from the same run.
// Usage: node --import tsx wasm-filter/bench/json-bench.ts [iterations]
import { GENERIC_SEED, documentText, rng } from "../test/support/json-gen.js";
import { JsonWasm } from "../test/support/json-module.js";

const iterations = Number(process.argv[2] ?? 20_000);
const BATCH = 50;

function median(run: () => void, total: number): number {
  for (let i = 0; i < Math.min(total, 2_000); i++) run(); // warm-up (JIT tiers)
  const perCall: number[] = [];
  for (let done = 0; done < total; done += BATCH) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) run();
    perCall.push(Number(process.hrtime.bigint() - started) / 1_000 / BATCH);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)] as number;
}

function chatRequest(targetBytes: number): string {
  const sentence = "Summarise the quarterly report, list the three biggest risks, and suggest mitigations — briefly. ";
  const messages: { role: string; content: string }[] = [{ role: "system", content: "You are a careful assistant. Answer in English." }];
  const doc = { model: "gpt-4o-mini", messages, temperature: 0.7, top_p: 0.95, max_tokens: 512, stream: false, user: "team-a/alice" };
  let turn = 0;
  while (JSON.stringify(doc).length < targetBytes - sentence.length) {
    messages.push({ role: turn % 2 === 0 ? "user" : "assistant", content: sentence.repeat(1 + (turn % 3)) + `(turn ${turn}, "quoted", café)` });
    turn++;
  }
  return JSON.stringify(doc);
}

function logprobsResponse(targetBytes: number): string {
  const r = rng(GENERIC_SEED + 100);
  const content: unknown[] = [];
  const doc = { id: "chatcmpl-1", object: "chat.completion", choices: [{ index: 0, logprobs: { content }, finish_reason: "stop" }] };
  while (JSON.stringify(doc).length < targetBytes) {
    const top = Array.from({ length: 4 }, (_, k) => ({ token: `tok${k}`, logprob: Math.log(r()) }));
    content.push({ token: "word", logprob: Math.log(r()), bytes: [119, 111, 114, 100], top_logprobs: top });
  }
  return JSON.stringify(doc);
}

function mixedDocument(targetBytes: number): string {
  const r = rng(GENERIC_SEED + 101);
  const items: string[] = [];
  while (items.join(",").length < targetBytes) items.push(JSON.stringify(JSON.parse(documentText(r, 0, 5))));
  return "[" + items.join(",") + "]";
}

const wasm = await JsonWasm.load();
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const cases: [string, string][] = [
  ["chat request 4 KB", chatRequest(4096)],
  ["logprobs response 64 KB", logprobsResponse(64 * 1024)],
  ["mixed document 64 KB", mixedDocument(64 * 1024)],
];

console.log(`iterations per case: ${iterations} (batches of ${BATCH}); medians in µs per call`);
for (const [name, text] of cases) {
  const bytes = encoder.encode(text);
  const n = Math.max(BATCH, Math.floor(iterations / Math.max(1, bytes.length / 4096)));
  const length = wasm.put(0, bytes);
  if (wasm.parseLoaded(length) !== 0) throw new Error(`${name}: the document does not parse`);
  const parse = median(() => wasm.parseLoaded(length), n);
  const both = median(() => wasm.parseAndSerializeLoaded(length), n);
  const nodeText = median(() => JSON.parse(text), n);
  const nodeBytes = median(() => JSON.parse(decoder.decode(bytes)), n);
  console.log(
    `${name.padEnd(24)} (${bytes.length} B): wasm parse ${parse.toFixed(2)}, parse+serialize ${both.toFixed(2)}; ` +
      `JSON.parse ${nodeText.toFixed(2)} (from bytes ${nodeBytes.toFixed(2)}); ratio wasm/JSON.parse ${(parse / nodeText).toFixed(2)}`,
  );
}
console.log(`linear memory after the run: ${wasm.pages()} pages`);
