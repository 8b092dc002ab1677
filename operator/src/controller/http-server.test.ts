import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import { ensureModule } from "../../../wasm-filter/test/filter/harness.js";
import { startHttpServer } from "./http-server.js";

async function get(url: string, method = "GET") {
  const res = await fetch(url, { method });
  return { status: res.status, type: res.headers.get("content-type"), body: new Uint8Array(await res.arrayBuffer()) };
}

describe("operator HTTP server", () => {
  it("serves the compiled filter at its sha256 URL, byte for byte, and nothing else", async () => {
    const path = await ensureModule();
    const sha256 = createHash("sha256").update(readFileSync(path)).digest("hex");
    let ready = false;
    const srv = await startHttpServer({ addr: "127.0.0.1:0", registry: new Registry(), ready: () => ready, healthy: () => true, wasm: { path, sha256 } });
    try {
      const wasm = await get(`${srv.url}/wasm/${sha256}.wasm`);
      assert.equal(wasm.status, 200);
      assert.equal(wasm.type, "application/wasm");
      assert.equal(createHash("sha256").update(wasm.body).digest("hex"), sha256);
      assert.doesNotThrow(() => new WebAssembly.Module(wasm.body));
      assert.equal((await get(`${srv.url}/wasm/${"0".repeat(64)}.wasm`)).status, 404);
      assert.equal((await get(`${srv.url}/wasm/${sha256}.wasm`, "POST")).status, 405);
      assert.equal((await get(`${srv.url}/readyz`)).status, 503);
      ready = true;
      assert.equal((await get(`${srv.url}/readyz`)).status, 200);
      assert.equal((await get(`${srv.url}/healthz`)).status, 200);
      const metrics = await get(`${srv.url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.type ?? "", /text\/plain/);
    } finally {
      await srv.close();
    }
  });

  it("refuses to start when the module does not match the sha256 the WasmPlugins pin", async () => {
    const path = await ensureModule();
    await assert.rejects(
      startHttpServer({ addr: "127.0.0.1:0", registry: new Registry(), ready: () => true, healthy: () => true, wasm: { path, sha256: "f".repeat(64) } }),
      /has sha256 [0-9a-f]{64}, not f{64}/,
    );
  });
});
