// Properties: verified JWT claims from dynamic metadata (strings, doubles,
// bools, lists by index), absent claims, and set/get round trips.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WasmResult } from "./abi.js";
import { encodeProperty, jwtPayloadProperties, lookupProperty } from "./properties.js";
import { FEATURES_CONFIG, OK_UPSTREAM, fixtureHost, header } from "./test-support.js";

describe("properties through the guest", () => {
  const host = fixtureHost("features");
  const vm = host.createVm({ properties: { plugin_name: "modelguard-fixture" } });
  vm.configure(FEATURES_CONFIG);

  it("reads string, number, bool and list claims from jwt_authn metadata", () => {
    const claims = { sub: "alice", scope: ["models:read", "models:write"], exp: 1_900_000_000, admin: true };
    const { request, outcome } = host.exchange(vm, { headers: { ":path": "/claims" }, properties: jwtPayloadProperties(claims) }, OK_UPSTREAM);
    assert.equal(outcome, "forwarded");
    assert.equal(header(request?.headers, "x-sub"), "alice");
    assert.equal(header(request?.headers, "x-scopes"), "models:read,models:write");
    assert.equal(header(request?.headers, "x-exp"), "1900000000");
    assert.equal(header(request?.headers, "x-admin"), "true");
  });

  it("treats absent claims as unauthenticated (NotFound, no trap)", () => {
    const result = host.exchange(vm, { headers: { ":path": "/claims", "x-sub": "spoofed" } }, OK_UPSTREAM);
    assert.equal(result.outcome, "local_reply");
    assert.equal(result.localReply?.status, 401);
  });

  it("reads an empty list and a false bool", () => {
    const { request } = host.exchange(vm, { headers: { ":path": "/claims" }, properties: jwtPayloadProperties({ sub: "bob", scope: [], admin: false }) }, OK_UPSTREAM);
    assert.equal(header(request?.headers, "x-scopes"), "");
    assert.equal(header(request?.headers, "x-admin"), "false");
    assert.equal(header(request?.headers, "x-exp"), "none");
  });

  it("sets a stream property and reads it back; VM properties are visible to every stream", () => {
    const { request } = host.exchange(vm, { headers: { ":path": "/property" } }, OK_UPSTREAM);
    assert.equal(header(request?.headers, "x-property"), "yes");
    assert.equal(header(request?.headers, "x-plugin-name"), "modelguard-fixture");
  });
});

describe("property encoding", () => {
  const at = (tree: Parameters<typeof lookupProperty>[0][number], path: string) => lookupProperty([tree], path);

  it("encodes numbers as little-endian doubles, bigints as int64, bools as one byte", () => {
    assert.deepEqual(encodeProperty(1.5), Uint8Array.of(0, 0, 0, 0, 0, 0, 0xf8, 0x3f));
    assert.deepEqual(encodeProperty(258n), Uint8Array.of(2, 1, 0, 0, 0, 0, 0, 0));
    assert.deepEqual(encodeProperty(true), Uint8Array.of(1));
    assert.deepEqual(encodeProperty("é"), Uint8Array.of(0xc3, 0xa9));
  });

  it("indexes lists by numeric segment and reports NotFound past the end or for non-numbers", () => {
    const tree = { a: { list: ["x", "y"] } };
    assert.deepEqual(at(tree, "a\0list\x001"), Uint8Array.of(0x79));
    assert.equal(at(tree, "a\0list\x002"), WasmResult.NotFound);
    assert.equal(at(tree, "a\0list\0first"), WasmResult.NotFound);
    assert.equal(at(tree, "a\0missing"), WasmResult.NotFound);
  });

  it("returns containers whole, byte for byte as Envoy 1.40 returned a JWT payload from metadata", () => {
    // Observed with a probe module in Envoy 1.40.0 (jwt_authn payload_in_metadata), keys in the
    // order Envoy listed them; iat and exp replaced by round numbers.
    const payload = {
      roles: ["r1", "r2"], aud: "bench", iss: "https://idp.bench.test", sub: "bench-client", scope: "models:small",
      iat: 1.5, tier: "bench", n: 7, exp: 1.5, nested: { x: 1.5, y: "z" }, flag: true,
    };
    const observed =
      "0b000000050000001c00000003000000050000000300000016000000030000000c000000050000000c000000030000000800000004000000" +
      "050000000100000008000000030000000800000006000000230000000400000001000000726f6c6573000200000002000000000000000200" +
      "0000000000007231000072320000006175640062656e6368006973730068747470733a2f2f6964702e62656e63682e7465737400737562" +
      "0062656e63682d636c69656e740073636f7065006d6f64656c733a736d616c6c0069617400000000000000f83f00746965720062656e" +
      "6368006e000000000000001c400065787000000000000000f83f006e65737465640002000000010000000800000001000000010000" +
      "007800000000000000f83f0079007a0000666c6167000100";
    assert.equal(Buffer.from(at(jwtPayloadProperties(payload), "metadata\0filter_metadata\0envoy.filters.http.jwt_authn\0payload") as Uint8Array).toString("hex"), observed);
    assert.equal(Buffer.from(at({ roles: ["r1", "r2"] }, "roles") as Uint8Array).toString("hex"), "02000000020000000000000002000000000000007231000072320000");
    assert.deepEqual(at({ a: [] }, "a"), Uint8Array.of(0, 0, 0, 0));
  });

  it("looks in the stream layer before the VM layer", () => {
    assert.deepEqual(lookupProperty([{ x: "stream" }, { x: "vm" }], "x"), new TextEncoder().encode("stream"));
    assert.deepEqual(lookupProperty([undefined, { x: "vm" }], "x"), new TextEncoder().encode("vm"));
  });
});
