import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { REPORT_PATH } from "../translate/detection.js";

export interface HttpServerOptions {
  /** host:port; `:8080` listens on every interface, `127.0.0.1:0` on a free local port. */
  addr: string;
  registry: Registry;
  /** /readyz answers 200 only while this is true (caches synced). */
  ready: () => boolean;
  /** /healthz answers 200 only while this is true. */
  healthy: () => boolean;
  /** The compiled filter, served at /wasm/<sha256>.wasm for WasmPlugins to fetch. */
  wasm?: { path: string; sha256: string };
  /** Handles POST /v1/reports (sidecar traffic reports for the extraction detector). */
  reports?: (body: Buffer, authorization: string | undefined) => { status: number; body: string };
}

/** Largest report body accepted (a full report of 4096 records is about 1.5 MB). */
const MAX_REPORT_BYTES = 4 << 20;

export interface RunningHttpServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export function parseAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(":");
  if (i < 0) throw new Error(`address ${JSON.stringify(addr)} must be host:port`);
  const host = addr.slice(0, i).replace(/^\[|\]$/g, "") || "0.0.0.0";
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`address ${JSON.stringify(addr)} has no valid port`);
  return { host, port };
}

/** /healthz, /readyz, /metrics and the filter module, on one port. */
export async function startHttpServer(o: HttpServerOptions): Promise<RunningHttpServer> {
  const { host, port } = parseAddr(o.addr);
  // Read and check the module once: WasmPlugins pin this sha256, and Envoy rejects a mismatch.
  const module = o.wasm ? readFileSync(o.wasm.path) : undefined;
  if (o.wasm && module) {
    const actual = createHash("sha256").update(module).digest("hex");
    if (actual !== o.wasm.sha256) throw new Error(`filter module ${o.wasm.path} has sha256 ${actual}, not ${o.wasm.sha256}`);
  }
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const text = (code: number, body: string) => {
      res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(body);
    };
    if (path === REPORT_PATH && o.reports) {
      if (req.method !== "POST") return text(405, "method not allowed\n");
      const handle = o.reports;
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_REPORT_BYTES) {
          text(413, "report too large\n");
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => {
        if (size > MAX_REPORT_BYTES) return;
        const answer = handle(Buffer.concat(chunks), req.headers.authorization);
        text(answer.status, answer.body);
      });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") return text(405, "method not allowed\n");
    if (path === "/healthz") return o.healthy() ? text(200, "ok\n") : text(503, "unhealthy\n");
    if (path === "/readyz") return o.ready() ? text(200, "ok\n") : text(503, "caches not synced\n");
    if (path === "/metrics") {
      o.registry.metrics().then(
        (body) => {
          res.writeHead(200, { "Content-Type": o.registry.contentType });
          res.end(body);
        },
        (err: unknown) => text(500, `${String(err)}\n`),
      );
      return;
    }
    if (o.wasm && module && path === `/wasm/${o.wasm.sha256}.wasm`) {
      res.writeHead(200, { "Content-Type": "application/wasm", "Cache-Control": "public, max-age=31536000, immutable" });
      res.end(module);
      return;
    }
    text(404, "not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
