// Header maps: the guest reads, adds, replaces, removes, and round-trips all pairs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HeaderMap, deserializePairs, serializeInto, serializedSize } from "./header-map.js";
import { FEATURES_CONFIG, OK_UPSTREAM, fixtureHost, header } from "./test-support.js";

describe("header maps through the guest", () => {
  const host = fixtureHost("features");
  const vm = host.createConfiguredVm(FEATURES_CONFIG);

  it("adds, replaces and removes request headers before forwarding", () => {
    const { request } = host.exchange(vm, { headers: { ":path": "/", "x-replace-me": "old", "x-remove-me": "gone" } }, OK_UPSTREAM);
    assert.equal(header(request?.headers, "x-fixture"), "seen");
    assert.equal(header(request?.headers, "x-replace-me"), "replaced");
    assert.equal(header(request?.headers, "x-remove-me"), undefined);
  });

  it("reads a value case-insensitively, first value of a repeated name, UTF-8 intact", () => {
    const { request } = host.exchange(vm, { headers: [[":path", "/"], ["X-Echo", "grüße ✓"], ["x-echo", "second"]] }, OK_UPSTREAM);
    assert.equal(header(request?.headers, "x-echo-back"), "grüße ✓");
  });

  it("replace drops every other value of the name", () => {
    const { request } = host.exchange(vm, { headers: [[":path", "/"], ["x-replace-me", "a"], ["x-replace-me", "b"]] }, OK_UPSTREAM);
    assert.deepEqual(request?.headers.filter(([k]) => k === "x-replace-me"), [["x-replace-me", "replaced"]]);
  });

  it("round-trips all pairs through get_header_map_pairs / set_header_map_pairs", () => {
    const { request } = host.exchange(vm, { headers: [[":path", "/pairs"], ["a", "1"], ["b", ""], ["c", "ü"]] }, OK_UPSTREAM);
    assert.deepEqual(request?.headers, [[":path", "/pairs"], ["a", "1"], ["b", ""], ["c", "ü"], ["x-fixture", "seen"], ["x-pair-count", "5"]]);
  });

  it("modifies response headers", () => {
    const { response } = host.exchange(vm, { headers: { ":path": "/" } }, OK_UPSTREAM);
    assert.equal(header(response?.headers, "content-length"), undefined);
    assert.equal(header(response?.headers, "x-fixture-response"), "1");
    assert.equal(header(response?.headers, ":status"), "200");
  });
});

describe("header map serialization", () => {
  it("matches the spec layout: count, sizes, then NUL-terminated keys and values", () => {
    const map = HeaderMap.from([["a", "1"], ["b", "22"]]);
    const lengths: number[] = [];
    const out = new Uint8Array(serializedSize(map, lengths));
    serializeInto(map, lengths, out, 0);
    assert.deepEqual([...out], [2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0x61, 0, 0x31, 0, 0x62, 0, 0x32, 0x32, 0]);
    assert.deepEqual(deserializePairs(out), [["a", "1"], ["b", "22"]]);
  });

  it("treats an empty block or a single NUL as an empty map and rejects truncated input", () => {
    assert.deepEqual(deserializePairs(new Uint8Array(0)), []);
    assert.deepEqual(deserializePairs(Uint8Array.of(0)), []);
    assert.equal(deserializePairs(Uint8Array.of(1, 0, 0, 0, 5, 0, 0, 0)), null);
  });
});
