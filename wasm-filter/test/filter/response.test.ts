// Response hardening through the real filter: rounding, top-k, stripped fields, framing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicySpecInput } from "../../../operator/src/api/policy.js";
import type { SimRequest } from "../../host/simulation.js";
import { baseSpec, post, startFilter } from "./harness.js";

const spec = (response: PolicySpecInput["response"], protocol: PolicySpecInput["protocol"] = "KServeV1"): PolicySpecInput => ({ ...baseSpec(), protocol, response });
const predict = (body: unknown, contentType = "application/json"): SimRequest => ({
  ...post("/v1/models/m:predict", { instances: [[1]] }),
  response: { status: 200, headers: { "content-type": contentType, "content-length": "999" }, body: typeof body === "string" ? body : JSON.stringify(body) },
});
const bodyOf = (d: { body?: string }) => JSON.parse(d.body ?? "null") as unknown;

describe("response hardening", () => {
  it("rounds probabilities in arrays of numbers", async () => {
    const f = await startFilter(spec({ probabilityDecimals: 2 }));
    const d = f.send(predict({ predictions: [[0.123456, 0.876544], [0.5, 0.5]] }));
    assert.deepEqual(bodyOf(d), { predictions: [[0.12, 0.88], [0.5, 0.5]] });
    assert.equal(d.headers["content-length"], undefined, "the old length must not survive a rewrite");
  });

  it("keeps the top k per prediction (others zeroed, classes keep their index)", async () => {
    const f = await startFilter(spec({ topK: 2 }));
    const d = f.send(predict({ predictions: [[0.1, 0.6, 0.05, 0.25], [0.3, 0.3, 0.3, 0.1]] }));
    assert.deepEqual(bodyOf(d), { predictions: [[0, 0.6, 0, 0.25], [0.3, 0.3, 0, 0]] });
  });

  it("keeps the top k of class → probability objects and rounds them", async () => {
    const f = await startFilter(spec({ topK: 1, probabilityDecimals: 1, probabilityFields: ["predictions[*].probabilities"] }));
    const d = f.send(predict({ predictions: [{ label: "cat", probabilities: { cat: 0.71, dog: 0.2, fox: 0.09 } }] }));
    assert.deepEqual(bodyOf(d), { predictions: [{ label: "cat", probabilities: { cat: 0.7 } }] });
  });

  it("rounds OIP v2 output tensors", async () => {
    const f = await startFilter(spec({ probabilityDecimals: 3 }, "OIPV2"));
    const d = f.send({
      ...post("/v2/models/m/infer", { inputs: [] }),
      response: { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ model_name: "m", outputs: [{ name: "p", datatype: "FP32", shape: [2], data: [0.12345, 0.87655] }] }) },
    });
    assert.deepEqual(bodyOf(d), { model_name: "m", outputs: [{ name: "p", datatype: "FP32", shape: [2], data: [0.123, 0.877] }] });
  });

  it("strips configured fields such as logprobs and logits", async () => {
    const f = await startFilter(spec({ stripFields: ["choices[*].logprobs", "logits"] }, "OpenAI"));
    const d = f.send({
      ...post("/v1/chat/completions", { model: "m", messages: [] }),
      response: { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ choices: [{ message: { content: "hi" }, logprobs: { content: [] } }], logits: [1, 2] }) },
    });
    assert.deepEqual(bodyOf(d), { choices: [{ message: { content: "hi" } }] });
  });

  it("leaves non-JSON and unparseable responses alone", async () => {
    const f = await startFilter(spec({ probabilityDecimals: 1 }));
    assert.equal(f.send(predict("0.123456", "text/plain")).body, "0.123456");
    assert.equal(f.send(predict("{not json", "application/json")).body, "{not json");
  });

  it("does not rewrite a response that needs no change", async () => {
    const f = await startFilter(spec({ probabilityDecimals: 2 }));
    const original = '{ "predictions" : [[0.5, 0.25]] }';
    assert.equal(f.send(predict(original)).body, original);
  });
});
