import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { httpRequest } from "../envoy/http.js";
import { startModelServer, type ModelServer } from "./server.js";

describe("sample model server", () => {
  let server: ModelServer | undefined;
  before(async () => {
    server = await startModelServer();
  });
  after(async () => {
    await server?.stop();
  });
  const call = async (method: string, path: string, body?: unknown) => {
    assert.ok(server);
    const res = await httpRequest(`${server.url}${path}`, {
      method,
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
    });
    return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown>, text: res.body };
  };

  it("answers OpenAI-style chat deterministically, with usage and optional logprobs", async () => {
    const req = { model: "llama-3-8b-instruct", messages: [{ role: "user", content: "hello there model" }], max_tokens: 32, logprobs: true };
    const a = await call("POST", "/v1/chat/completions", req);
    const b = await call("POST", "/v1/chat/completions", req);
    assert.equal(a.status, 200);
    assert.equal(a.text, b.text);
    const usage = a.json.usage as { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    assert.equal(usage.prompt_tokens, 3);
    assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
    const choice = (a.json.choices as { logprobs?: unknown; message: { content: string } }[])[0];
    assert.ok(choice?.logprobs);
    assert.ok(choice.message.content.length > 0);
  });

  it("caps completions at max_tokens", async () => {
    const r = await call("POST", "/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "x" }], max_tokens: 2 });
    assert.equal((r.json.usage as { completion_tokens: number }).completion_tokens, 2);
  });

  it("answers KServe v1 predict with unrounded probabilities per instance", async () => {
    const r = await call("POST", "/v1/models/resnet-50:predict", { instances: [{ image_url: "https://a/x.png" }, { image_url: "https://a/y.png" }] });
    assert.equal(r.status, 200);
    const preds = r.json.predictions as number[][];
    assert.equal(preds.length, 2);
    for (const p of preds) {
      assert.equal(p.length, 10);
      assert.ok(Math.abs(p.reduce((s, x) => s + x, 0) - 1) < 1e-9);
      assert.ok(p.some((x) => String(x).length > 8), "probabilities are not rounded");
    }
    assert.notDeepEqual(preds[0], preds[1]);
  });

  it("answers OIP v2 infer, with and without a version, and its metadata", async () => {
    const body = { id: "r1", inputs: [{ name: "x", shape: [3, 4], datatype: "FP32", data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }] };
    const r = await call("POST", "/v2/models/fraud-xgb/versions/2/infer", body);
    assert.equal(r.status, 200);
    const out = (r.json.outputs as { shape: number[]; data: number[] }[])[0];
    assert.deepEqual(out?.shape, [3, 10]);
    assert.equal(out?.data.length, 30);
    assert.equal(r.json.model_version, "2");
    assert.equal(r.json.id, "r1");
    assert.equal((await call("POST", "/v2/models/fraud-xgb/infer", body)).status, 200);
    assert.equal((await call("GET", "/v2/models/fraud-xgb")).json.name, "fraud-xgb");
    assert.equal((await call("GET", "/v2/models/fraud-xgb/ready")).json.ready, true);
    assert.equal((await call("GET", "/v2/health/ready")).status, 200);
    assert.equal((await call("GET", "/v1/models/resnet-50")).json.ready, true);
  });

  it("lists models, and refuses malformed JSON, wrong methods and unknown paths", async () => {
    const list = await call("GET", "/v1/models");
    assert.ok((list.json.data as { id: string }[]).some((m) => m.id === "llama-3-8b-instruct"));
    assert.equal((await call("POST", "/v1/chat/completions", "{not json")).status, 400);
    assert.equal((await call("GET", "/v1/chat/completions")).status, 405);
    assert.equal((await call("GET", "/nope")).status, 404);
    assert.ok(server && server.requests.length > 0);
  });
});
