// Deterministic model answers for the sample model server: the same request always gets the
// same bytes back, so tests and the demo can assert on them.
import { createHash } from "node:crypto";

/** A fixed clock for `created` fields: answers must not depend on when they were made. */
export const CREATED = 1_767_225_600;
export const NUM_CLASSES = 10;

const digest = (...parts: string[]) => createHash("sha256").update(parts.join("\u0000")).digest();

/** Class probabilities for one input: a softmax over hash-derived logits. Unrounded on purpose,
 *  so a policy's probabilityDecimals visibly changes them. */
export function probabilities(model: string, input: unknown, classes = NUM_CLASSES): number[] {
  const h = digest(model, JSON.stringify(input ?? null));
  const logits = Array.from({ length: classes }, (_, i) => ((h[i % h.length] ?? 0) / 255) * 6 - 3);
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

const WORDS = ["the", "model", "answers", "deterministically", "within", "its", "token", "budget", "for", "this", "demo", "request"];

/** Whitespace tokens: a stand-in tokenizer, good enough for usage accounting in tests. */
export const countTokens = (text: string) => text.split(/\s+/).filter((w) => w !== "").length;

export interface ChatMessage {
  role?: unknown;
  content?: unknown;
}

/** An OpenAI-style chat completion with `usage`; logprobs when asked (so stripping shows). */
export function chatCompletion(body: Record<string, unknown>): Record<string, unknown> {
  const model = typeof body.model === "string" ? body.model : "unknown";
  const messages = Array.isArray(body.messages) ? (body.messages as ChatMessage[]) : [];
  const promptText = messages.map((m) => (typeof m.content === "string" ? m.content : "")).join(" ");
  const maxTokens = typeof body.max_tokens === "number" && body.max_tokens > 0 ? Math.floor(body.max_tokens) : 16;
  const h = digest(model, promptText);
  const length = Math.min(maxTokens, 8 + ((h[0] ?? 0) % 8));
  const words = Array.from({ length }, (_, i) => WORDS[((h[i + 1] ?? 0) + i) % WORDS.length] ?? "token");
  const content = words.join(" ");
  const promptTokens = countTokens(promptText);
  const choice: Record<string, unknown> = {
    index: 0,
    message: { role: "assistant", content },
    finish_reason: length < maxTokens ? "stop" : "length",
  };
  if (body.logprobs === true) {
    choice.logprobs = { content: words.map((token, i) => ({ token, logprob: -((h[i] ?? 1) / 97) })) };
  }
  return {
    id: `chatcmpl-${h.toString("hex").slice(0, 24)}`,
    object: "chat.completion",
    created: CREATED,
    model,
    choices: [choice],
    usage: { prompt_tokens: promptTokens, completion_tokens: length, total_tokens: promptTokens + length },
  };
}

/** A legacy OpenAI completion (`/v1/completions`). */
export function textCompletion(body: Record<string, unknown>): Record<string, unknown> {
  const prompt = typeof body.prompt === "string" ? body.prompt : "";
  const chat = chatCompletion({ ...body, messages: [{ role: "user", content: prompt }] });
  const choice = (chat.choices as { message: { content: string }; finish_reason: string }[])[0];
  return {
    id: String(chat.id).replace("chatcmpl-", "cmpl-"),
    object: "text_completion",
    created: CREATED,
    model: chat.model,
    choices: [{ index: 0, text: choice?.message.content ?? "", finish_reason: choice?.finish_reason ?? "stop" }],
    usage: chat.usage,
  };
}

/** KServe v1 `:predict`: one probability vector per instance. */
export function kserveV1Predict(model: string, body: Record<string, unknown>): Record<string, unknown> {
  const instances = Array.isArray(body.instances) ? body.instances : Array.isArray(body.inputs) ? body.inputs : [body];
  return { predictions: instances.map((inst) => probabilities(model, inst)) };
}

interface V2Input {
  name?: unknown;
  shape?: unknown;
  data?: unknown;
}

/** Open Inference Protocol v2 `infer`: an FP32 [batch, classes] probability tensor. */
export function oipV2Infer(model: string, version: string | undefined, body: Record<string, unknown>): Record<string, unknown> {
  const inputs = Array.isArray(body.inputs) ? (body.inputs as V2Input[]) : [];
  const first = inputs[0];
  const shape = Array.isArray(first?.shape) ? (first.shape as unknown[]) : [];
  const batch = typeof shape[0] === "number" && shape[0] > 0 && shape[0] <= 64 ? shape[0] : 1;
  const data = Array.from({ length: batch }, (_, i) => probabilities(model, { i, data: first?.data ?? null })).flat();
  return {
    model_name: model,
    ...(version !== undefined ? { model_version: version } : {}),
    ...(typeof body.id === "string" ? { id: body.id } : {}),
    outputs: [{ name: "probabilities", shape: [batch, NUM_CLASSES], datatype: "FP32", data }],
  };
}

export function v2ModelMetadata(model: string): Record<string, unknown> {
  return {
    name: model,
    versions: ["1"],
    platform: "modelguard-sample",
    inputs: [{ name: "input-0", datatype: "FP32", shape: [-1, -1] }],
    outputs: [{ name: "probabilities", datatype: "FP32", shape: [-1, NUM_CLASSES] }],
  };
}
