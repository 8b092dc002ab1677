// A stand-in model container for the filter-in-Envoy tests. Unlike the harness' echo upstream it
// records a request as soon as its headers arrive (so a request that Envoy started forwarding and
// then reset still shows up), and it can answer like a KServe model so response hardening runs.
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Request header (set by the test client, forwarded by Envoy) naming the request in `seen`. */
export const TEST_ID_HEADER = "x-test-id";
/** Request header asking for a canned KServe v1 answer instead of the echo: `predictions` (with
 *  content-length) or `predictions-chunked` (chunked, in two writes). */
export const RESPOND_HEADER = "x-test-respond";
/** The canned KServe v1 answer (with `x-test-respond: predictions`). */
export const PREDICTIONS_BODY = '{"predictions":[[0.123456,0.876544]]}';

export interface SeenRequest {
  testId: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Body bytes received so far. */
  bodyLength: number;
  /** The whole request arrived (and was answered). */
  complete: boolean;
  /** The connection closed before the request was complete (Envoy reset the upstream stream). */
  aborted: boolean;
}

export interface ModelUpstream {
  readonly port: number;
  /** Every request whose headers arrived, oldest first. */
  readonly seen: readonly SeenRequest[];
  /** The request tagged with `x-test-id: <id>`, if its headers reached the upstream. */
  find(testId: string): SeenRequest | undefined;
  stop(): Promise<void>;
}

/** Echo answer: `{method, path, headers, bodyLength}` like the harness' echo upstream. */
export async function startModelUpstream(): Promise<ModelUpstream> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const idHeader = req.headers[TEST_ID_HEADER];
    const entry: SeenRequest = {
      testId: typeof idHeader === "string" ? idHeader : "",
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      bodyLength: 0,
      complete: false,
      aborted: false,
    };
    seen.push(entry);
    req.on("data", (chunk: Buffer) => {
      entry.bodyLength += chunk.length;
    });
    req.on("error", () => {
      entry.aborted = true;
    });
    req.on("close", () => {
      if (!entry.complete) entry.aborted = true;
    });
    req.on("end", () => {
      entry.complete = true;
      if (req.headers[RESPOND_HEADER] === "predictions-chunked") {
        // No content-length, the body in two writes: Envoy sees more than one data callback.
        const cut = 18;
        res.writeHead(200, { "content-type": "application/json" });
        res.write(PREDICTIONS_BODY.slice(0, cut), () => setImmediate(() => res.end(PREDICTIONS_BODY.slice(cut))));
        return;
      }
      const body = req.headers[RESPOND_HEADER] === "predictions"
        ? PREDICTIONS_BODY
        : JSON.stringify({ method: entry.method, path: entry.path, headers: entry.headers, bodyLength: entry.bodyLength });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    seen,
    find: (testId) => seen.find((s) => s.testId === testId),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
