import { request } from "node:http";
import type { IncomingHttpHeaders } from "node:http";

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whole-exchange timeout in milliseconds (default 10 000). */
  timeoutMs?: number;
}

/** One HTTP/1.1 request on its own connection (no keep-alive pool), so a test never holds a
 *  socket to an Envoy it has stopped and the run never waits on idle connections. */
export async function httpRequest(url: string | URL, opts: HttpRequestOptions = {}): Promise<HttpResponse> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined) headers["content-length"] = Buffer.byteLength(opts.body);
    const req = request(url, { method: opts.method ?? "GET", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${opts.method ?? "GET"} ${String(url)} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}
