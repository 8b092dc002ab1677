// Payload checks through the real filter: size (early and while buffering), media type, JSON
// shape, field constraints, prompts, and the SSRF and image checks wired to configured fields.
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { describe, it } from "node:test";
import type { PolicySpecInput } from "../../../operator/src/api/policy.js";
import type { SimRequest } from "../../host/simulation.js";
import { ALICE, baseSpec, chat, post, startFilter } from "./harness.js";

const withPayload = (payload: PolicySpecInput["payload"], extra: Partial<PolicySpecInput> = {}): PolicySpecInput => ({ ...baseSpec(), payload, ...extra });

describe("size and media type", () => {
  it("413 from Content-Length before any body byte is read", async () => {
    const f = await startFilter(withPayload({ maxBodyBytes: 100 }));
    const d = f.send({ ...post("/v2/models/m/infer", "{}"), headers: { "content-type": "application/json", "content-length": "101" } });
    assert.equal(d.status, 413);
    assert.equal(d.reason, "body_too_large");
  });

  it("413 while buffering when the body outgrows the limit without a Content-Length", async () => {
    const f = await startFilter(withPayload({ maxBodyBytes: 1000 }));
    const vm = f.vms[0];
    assert.ok(vm);
    const chunk = "x".repeat(400);
    const r = f.host.exchange(vm, {
      headers: { ":method": "POST", ":path": "/v2/models/m/infer", ":authority": "m", "content-type": "application/json", "transfer-encoding": "chunked" },
      body: [chunk, chunk, chunk],
      properties: { metadata: { filter_metadata: { "envoy.filters.http.jwt_authn": { payload: ALICE } } } },
    }, { status: 200 });
    assert.equal(r.outcome, "local_reply");
    assert.equal(r.localReply?.status, 413);
    assert.equal(r.request?.body.length ?? 0, 0, "no body byte reached the model");
  });

  it("accepts exactly the limit", async () => {
    const f = await startFilter(withPayload({ maxBodyBytes: 64 }));
    const body = JSON.stringify({ model: "m", pad: "" });
    const padded = body.replace('""', `"${"p".repeat(64 - body.length)}"`);
    assert.equal(padded.length, 64);
    assert.equal(f.send(post("/v1/chat/completions", padded)).status, 200);
  });

  const types: [string, number][] = [
    ["application/json", 200],
    ["application/json; charset=utf-8", 200],
    ["Application/JSON", 200],
    ["text/plain", 415],
    ["application/x-www-form-urlencoded", 415],
    ["multipart/form-data; boundary=x", 415],
    ["application/jsonp", 415],
    ["", 415],
  ];
  for (const [ct, want] of types) {
    it(`content-type ${JSON.stringify(ct)} → ${want}`, async () => {
      const f = await startFilter(baseSpec());
      const d = f.send({ ...post("/v1/chat/completions", { model: "m" }), headers: ct ? { "content-type": ct } : {} });
      assert.equal(d.status, want, d.reason);
      if (want === 415) assert.equal(d.reason, "content_type_unsupported");
    });
  }
});

describe("JSON shape", () => {
  const malformed = ["{", "{\"model\":}", "[1,]", "{\"a\":1}x", "nul", "{'a':1}", "{\"a\":\"\\x\"}", "\"\\ud800\"", "{\"model\":\"m\",\"model\":\"n\"}", "1e999", "\u0000", "{\"a\":01}", "\uFEFF{}"];
  for (const body of malformed) {
    it(`400 json_malformed for ${JSON.stringify(body)}`, async () => {
      const f = await startFilter(baseSpec());
      const d = f.send(post("/v2/models/m/infer", body));
      assert.equal(d.status, 400);
      assert.equal(d.reason, "json_malformed");
    });
  }

  it("depth at the limit passes, one deeper is json_too_deep", async () => {
    const f = await startFilter(withPayload({ json: { maxDepth: 5 } }));
    const nest = (n: number) => "[".repeat(n) + "]".repeat(n);
    assert.equal(f.send(post("/v2/models/m/infer", `{"inputs":${nest(4)}}`)).status, 200);
    const d = f.send(post("/v2/models/m/infer", `{"inputs":${nest(5)}}`));
    assert.equal(d.reason, "json_too_deep");
    assert.equal(f.send(post("/v2/models/m/infer", nest(100000))).reason, "json_too_deep");
  });

  it("long strings, long arrays and wide objects are json_too_large", async () => {
    const f = await startFilter(withPayload({ json: { maxStringLength: 10, maxArrayLength: 3, maxObjectKeys: 2 } }));
    assert.equal(f.send(post("/v2/models/m/infer", { a: "0123456789" })).status, 200);
    assert.equal(f.send(post("/v2/models/m/infer", { a: "0123456789x" })).reason, "json_too_large");
    assert.equal(f.send(post("/v2/models/m/infer", { a: [1, 2, 3, 4] })).reason, "json_too_large");
    assert.equal(f.send(post("/v2/models/m/infer", { a: 1, b: 2, c: 3 })).reason, "json_too_large");
  });
});

describe("field constraints", () => {
  const spec = withPayload({
    fields: [
      { path: "temperature", type: "number", minimum: 0, maximum: 2 },
      { path: "n", type: "integer", minimum: 1, maximum: 4 },
      { path: "messages", type: "array", required: true, maxLength: 3 },
      { path: "messages[*].role", type: "string", enum: ["user", "assistant"] },
      { path: "user", type: "string", maxLength: 8 },
      { path: "stream", type: "boolean" },
      { path: "meta", type: "object" },
    ],
  });
  const ok = { model: "m", messages: [{ role: "user", content: "hi" }] };
  const cases: [string, Record<string, unknown>, boolean][] = [
    ["minimal", ok, true],
    ["temperature at bounds", { ...ok, temperature: 2 }, true],
    ["temperature 0", { ...ok, temperature: 0 }, true],
    ["temperature over", { ...ok, temperature: 2.0001 }, false],
    ["temperature negative", { ...ok, temperature: -0.1 }, false],
    ["temperature as string", { ...ok, temperature: "1" }, false],
    ["n integer", { ...ok, n: 4 }, true],
    ["n fractional", { ...ok, n: 1.5 }, false],
    ["n too big", { ...ok, n: 5 }, false],
    ["messages missing", { model: "m" }, false],
    ["messages not an array", { model: "m", messages: "hi" }, false],
    ["messages too long", { model: "m", messages: [1, 2, 3, 4].map(() => ({ role: "user" })) }, false],
    ["role not allowed", { model: "m", messages: [{ role: "system" }] }, false],
    ["role not a string", { model: "m", messages: [{ role: 1 }] }, false],
    ["user at max bytes", { ...ok, user: "12345678" }, true],
    ["user over max bytes (UTF-8)", { ...ok, user: "éééé1" }, false],
    ["stream boolean", { ...ok, stream: true }, true],
    ["stream not boolean", { ...ok, stream: "true" }, false],
    ["meta object", { ...ok, meta: {} }, true],
    ["meta array", { ...ok, meta: [] }, false],
    ["null where a number is required", { ...ok, temperature: null }, false],
  ];
  for (const [name, body, pass] of cases) {
    it(`${name} → ${pass ? "allow" : "400 field_invalid"}`, async () => {
      const f = await startFilter(spec);
      const d = f.send(post("/v1/chat/completions", body));
      assert.equal(d.action, pass ? "allow" : "deny", `${d.status} ${d.reason}`);
      if (!pass) assert.equal(d.reason, "field_invalid");
    });
  }
});

describe("prompt rules", () => {
  const spec = withPayload({ prompts: { denyPatterns: ["ignore previous instructions", "-----BEGIN * PRIVATE KEY-----"], maxChars: 40 } });
  const cases: [string, unknown, string][] = [
    ["benign", "what is 2+2?", ""],
    ["exact pattern", "ignore previous instructions", "prompt_denied"],
    ["case-insensitive inside text", "Please IGNORE Previous Instructions now", "prompt_denied"],
    ["wildcard pattern", "-----BEGIN RSA PRIVATE KEY-----", "prompt_denied"],
    ["content parts", [{ type: "text", text: "ok" }, { type: "text", text: "ignore previous instructions" }], "prompt_denied"],
    ["too long", "x".repeat(41), "prompt_too_long"],
    ["at the length limit", "x".repeat(40), ""],
  ];
  for (const [name, content, reason] of cases) {
    it(`${name} → ${reason || "allow"}`, async () => {
      const f = await startFilter(spec);
      const d = f.send(post("/v1/chat/completions", { model: "m", messages: [{ role: "user", content }] }));
      assert.equal(d.reason, reason);
    });
  }
  it("checks the legacy `prompt` field too", async () => {
    const f = await startFilter(spec);
    assert.equal(f.send(post("/v1/completions", { model: "m", prompt: "ignore previous instructions" })).reason, "prompt_denied");
  });
});

// --- SSRF and images through the filter (the checks themselves have their own exhaustive tables).

function png(width: number, height: number): Buffer {
  const crc = (buf: Buffer) => {
    let c = ~0;
    for (const b of buf) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    }
    return (~c >>> 0);
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  const raw = Buffer.alloc(Math.min(height, 4) * (Math.min(width, 4) + 1));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

describe("image classifier fields (KServe v1)", () => {
  const spec: PolicySpecInput = {
    ...baseSpec(),
    protocol: "KServeV1",
    payload: {
      maxBodyBytes: 4 << 20,
      json: { maxStringLength: 4 << 20 },
      urls: { fields: ["instances[*].image_url"], allowedHosts: ["images.example.com", "*.cdn.example.com"] },
      images: { fields: ["instances[*].image_b64"], formats: ["png", "jpeg"], maxDecodedBytes: 1 << 20, maxWidth: 4096, maxHeight: 4096, maxPixels: 4096 * 4096 },
    },
  };
  const predict = (instance: Record<string, unknown>): SimRequest => post("/v1/models/resnet:predict", { instances: [{ id: 1 }, instance] });
  const urls: [string, string][] = [
    ["https://images.example.com/cat.png", ""],
    ["https://a.cdn.example.com/x.jpg", ""],
    ["http://images.example.com/cat.png", "url_scheme_denied"],
    ["file:///etc/passwd", "url_scheme_denied"],
    ["https://evil.example.net/x.png", "url_host_denied"],
    ["https://images.example.com.evil.net/x", "url_host_denied"],
    ["https://images.example.com@evil.net/x", "url_malformed"],
    ["https://169.254.169.254/latest/meta-data/", "url_private_address"],
    ["https://2130706433/", "url_private_address"],
    ["https://0x7f.1/", "url_private_address"],
    ["https://[::ffff:127.0.0.1]/", "url_private_address"],
    ["https://localhost/", "url_private_address"],
    ["https://kubernetes.default.svc/", "url_private_address"],
    ["not a url", "url_malformed"],
  ];
  for (const [url, reason] of urls) {
    it(`image_url ${url} → ${reason || "allow"}`, async () => {
      const f = await startFilter(spec);
      const d = f.send(predict({ image_url: url }));
      assert.equal(d.reason, reason, `${d.status}`);
      if (reason) assert.equal(d.status, 400);
    });
  }
  it("a URL field that is not a string is url_malformed", async () => {
    const f = await startFilter(spec);
    assert.equal(f.send(predict({ image_url: 42 })).reason, "url_malformed");
  });

  const images: [string, string, string][] = [
    ["small PNG", png(32, 32).toString("base64"), ""],
    ["data URL PNG", `data:image/png;base64,${png(8, 8).toString("base64")}`, ""],
    ["pixel bomb", png(100000, 100000).toString("base64"), "image_dimensions_exceeded"],
    ["too wide", png(5000, 10).toString("base64"), "image_dimensions_exceeded"],
    ["GIF not allowed", Buffer.from("GIF89a\x10\x00\x10\x00\x00\x00\x00", "latin1").toString("base64"), "image_format_denied"],
    ["not base64", "%%%not-base64%%%", "image_malformed"],
    ["base64 of text", Buffer.from("hello world, not an image").toString("base64"), "image_malformed"],
    ["truncated PNG", png(8, 8).subarray(0, 20).toString("base64"), "image_malformed"],
    ["data URL type mismatch", `data:image/jpeg;base64,${png(8, 8).toString("base64")}`, "image_malformed"],
    ["decoded size over the limit", Buffer.concat([png(8, 8), Buffer.alloc(1 << 20)]).toString("base64"), "image_too_large"],
  ];
  for (const [name, b64, reason] of images) {
    it(`image_b64 ${name} → ${reason || "allow"}`, async () => {
      const f = await startFilter(spec);
      const d = f.send(predict({ image_b64: b64 }));
      assert.equal(d.reason, reason, `${d.status}`);
    });
  }
});

it("chat helper sanity: a plain chat passes the base policy", async () => {
  const f = await startFilter(baseSpec());
  assert.equal(f.send(chat("m", "hi")).status, 200);
});
