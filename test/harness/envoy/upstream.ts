import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the echo upstream saw, and what it answers with (as JSON). */
export interface EchoedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  bodyLength: number;
}

export interface EchoUpstream {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received so far, oldest first (e.g. to assert a 429 never got through). */
  readonly requests: readonly EchoedRequest[];
  stop(): Promise<void>;
}

export interface EchoUpstreamOptions {
  /** Port to listen on; 0 (default) lets the kernel choose. */
  port?: number;
  /** Extra response headers on every answer. */
  responseHeaders?: Record<string, string>;
}

/** A tiny HTTP server on 127.0.0.1 that answers every request with 200 and a JSON echo of it:
 *  `{ method, path, headers, bodyLength }`. Stands in for a model container behind Envoy. */
export async function startEchoUpstream(opts: EchoUpstreamOptions = {}): Promise<EchoUpstream> {
  const requests: EchoedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let bodyLength = 0;
    req.on("data", (chunk: Buffer) => {
      bodyLength += chunk.length;
    });
    req.on("end", () => {
      const echoed: EchoedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        bodyLength,
      };
      requests.push(echoed);
      const body = JSON.stringify(echoed);
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        ...opts.responseHeaders,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
