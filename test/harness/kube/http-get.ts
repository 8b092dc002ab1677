import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface GetOptions {
  /** PEM CA bundle to trust (https only). */
  ca?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  timeoutMs?: number;
}

export interface GetResult {
  status: number;
  body: string;
}

/** One GET without keep-alive, for readiness probes of servers started by the harness. */
export async function httpGet(url: string, opts: GetOptions = {}): Promise<GetResult> {
  const u = new URL(url);
  const request = u.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: "GET",
        agent: false,
        ...(opts.ca === undefined ? {} : { ca: opts.ca }),
        headers: opts.token === undefined ? {} : { Authorization: `Bearer ${opts.token}` },
        timeout: opts.timeoutMs ?? 2000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
    req.end();
  });
}
