// Bodies: chunked delivery with buffering, local replies decided on the whole
// body, and response rewriting with set_buffer_bytes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ByteBuffer } from "./byte-buffer.js";
import { WasmResult } from "./abi.js";
import { FEATURES_CONFIG, OK_UPSTREAM, fixtureHost, header, utf8 } from "./test-support.js";

describe("request bodies", () => {
  it("buffers chunks: each callback sees everything so far, the filter decides at end of stream", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    const result = host.exchange(vm, { headers: { ":path": "/" }, body: ["ab", "cd", "ef"] }, OK_UPSTREAM);
    assert.equal(result.outcome, "forwarded");
    assert.equal(utf8(result.request?.body ?? new Uint8Array()), "abcdef");
    assert.equal(host.metrics.value("fixture.body_callbacks"), 3);
    assert.deepEqual(host.metrics.histogram("fixture.request_body_bytes")?.samples, [6]);
  });

  it("answers locally when a denied word spans two chunks, and never calls the upstream", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    let upstreamCalls = 0;
    const result = host.exchange(vm, { headers: { ":path": "/" }, body: ["this is forb", "idden text"] }, () => {
      upstreamCalls++;
      return OK_UPSTREAM;
    });
    assert.equal(upstreamCalls, 0);
    assert.equal(result.outcome, "local_reply");
    assert.equal(result.localReply?.status, 403);
    assert.equal(result.localReply?.details, "denied_word");
    assert.equal(result.localReply?.phase, "proxy_on_request_body");
    assert.equal(result.response?.status, 403);
    assert.equal(header(result.response?.headers, "x-reason"), "denied_word");
    assert.deepEqual(JSON.parse(utf8(result.response?.body ?? new Uint8Array())), { reason: "denied_word" });
    assert.equal(header(result.request?.headers, ":path"), "/", "headers left before the body was judged");
    assert.equal(result.request?.body.byteLength, 0, "no body byte reached the upstream");
  });

  it("rejects a body over max_body with 413", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    const result = host.exchange(vm, { headers: { ":path": "/" }, body: "x".repeat(65) }, OK_UPSTREAM);
    assert.equal(result.localReply?.status, 413);
  });

  it("with trailers no body chunk ends the stream: the buffered body leaves with the trailers", () => {
    // A filter that decides only at end_of_stream must also decide in onRequestTrailers (as in Envoy).
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    const result = host.exchange(vm, { headers: { ":path": "/" }, body: ["forb", "idden"], trailers: { "x-checksum": "abc" } }, OK_UPSTREAM);
    assert.equal(result.outcome, "forwarded");
    assert.equal(utf8(result.request?.body ?? new Uint8Array()), "forbidden");
    assert.deepEqual(result.request?.trailers, [["x-checksum", "abc"]]);
  });
});

describe("response bodies", () => {
  it("prepends and appends with set_buffer_bytes after buffering every chunk", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    const result = host.exchange(vm, { headers: { ":path": "/" } }, { status: 200, body: ["hel", "lo"] });
    assert.equal(utf8(result.response?.body ?? new Uint8Array()), "<<hello>>");
  });

  it("replaces the whole body", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    const result = host.exchange(vm, { headers: { ":path": "/" } }, { status: 200, body: ["top ", "secret", " data"] });
    assert.equal(utf8(result.response?.body ?? new Uint8Array()), "[redacted]");
  });

  it("replaces the upstream response with a local reply from the response headers phase", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    const result = host.exchange(vm, { headers: { ":path": "/" } }, { status: 500, body: "boom" });
    assert.equal(result.outcome, "local_reply");
    assert.equal(result.response?.status, 502);
    assert.equal(result.localReply?.phase, "proxy_on_response_headers");
    assert.ok(result.request, "the request had been forwarded");
  });
});

describe("set_buffer_bytes semantics (Envoy)", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it("start 0 drains `size` bytes then prepends", () => {
    const buffer = new ByteBuffer(bytes("hello"));
    assert.equal(buffer.replace(0, 2, bytes("J")), WasmResult.Ok);
    assert.equal(utf8(buffer.view()), "Jllo");
  });
  it("start at or past the end appends", () => {
    const buffer = new ByteBuffer(bytes("ab"));
    buffer.replace(0xffffffff, 0, bytes("c"));
    assert.equal(utf8(buffer.view()), "abc");
  });
  it("start inside the buffer is BadArgument", () => {
    assert.equal(new ByteBuffer(bytes("abc")).replace(1, 1, bytes("x")), WasmResult.BadArgument);
  });
});
