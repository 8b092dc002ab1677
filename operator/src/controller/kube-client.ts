import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** A refused or failed API call: the HTTP code (0 when no response arrived) and the Status. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const isNotFound = (err: unknown) => err instanceof ApiError && err.code === 404;
export const isConflict = (err: unknown) => err instanceof ApiError && err.code === 409;
export const isGone = (err: unknown) => err instanceof ApiError && err.code === 410;

export interface RequestOptions {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Content type of `body`; JSON by default. */
  contentType?: string;
  signal?: AbortSignal;
}

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: Record<string, unknown>;
}

/** Counts requests by verb; benches and tests read it to prove a resync writes nothing. */
export interface RequestCounter {
  count(verb: string, path: string): void;
}

const WRITE_VERBS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
export const isWriteVerb = (verb: string) => WRITE_VERBS.has(verb);

/**
 * A thin JSON client over the apiserver's REST paths. Objects travel as plain JSON both ways:
 * client-node's typed models drop fields they do not know on built-in kinds, this never does.
 * Credentials (token, client certificate, exec plugins) come from client-node's KubeConfig.
 */
export class KubeClient {
  private readonly server: URL;
  private agent: http.Agent | undefined;
  private readonly counters: RequestCounter[] = [];

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    this.server = new URL(cluster.server);
  }

  /** Registers a counter told about every request (verb and path, never bodies). */
  addCounter(c: RequestCounter): void {
    this.counters.push(c);
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
    this.watchAgentInstance?.destroy();
    this.watchAgentInstance = undefined;
  }

  private async options(method: string, path: string, query: RequestOptions["query"], headers: Record<string, string>) {
    const opts: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    if (!this.agent) {
      // One keep-alive agent with the kubeconfig's TLS material, instead of one per request.
      this.tls = {
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
        ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
      };
      this.agent = this.makeAgent(true);
    }
    const url = new URL(this.server.pathname.replace(/\/$/, "") + path, this.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const authHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === "string") authHeaders[k] = v;
    if (opts.auth) authHeaders.Authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
    for (const c of this.counters) c.count(method, path);
    return {
      url,
      init: { method, agent: this.agent, headers: { ...authHeaders, Accept: "application/json", ...headers } } satisfies http.RequestOptions,
    };
  }

  private send(url: URL, init: http.RequestOptions, body: string | undefined, signal?: AbortSignal): Promise<http.IncomingMessage> {
    const mod = url.protocol === "http:" ? http : https;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { ...init, ...(signal ? { signal } : {}) }, resolve);
      req.on("error", (err) => reject(new ApiError(0, "ConnectionFailed", `${init.method} ${url.pathname}: ${err.message}`)));
      req.end(body);
    });
  }

  /** Sends one request and returns the parsed JSON answer; throws ApiError for any non-2xx. */
  async request<T = Record<string, unknown>>(o: RequestOptions): Promise<T> {
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = {};
    if (body !== undefined) {
      headers["Content-Type"] = o.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(body));
    }
    const { url, init } = await this.options(o.method, o.path, o.query, headers);
    const res = await this.send(url, init, body, o.signal);
    const text = await readAll(res);
    const code = res.statusCode ?? 0;
    if (code < 200 || code > 299) throw statusError(code, text, `${o.method} ${o.path}`);
    return (text === "" ? {} : JSON.parse(text)) as T;
  }

  /**
   * Opens a watch and calls `onEvent` per event until the server ends the stream (resolves) or
   * the connection fails or is refused (rejects with ApiError). Abort `signal` to stop it.
   */
  async watch(path: string, query: RequestOptions["query"], onEvent: (e: WatchEvent) => void, signal: AbortSignal, idleTimeoutMs: number): Promise<void> {
    const { url, init } = await this.options("GET", path, { ...query, watch: true }, {});
    // Watches hold a connection for minutes: keep them off the shared keep-alive pool.
    const res = await this.send(url, { ...init, agent: this.watchAgent() }, undefined, signal);
    const code = res.statusCode ?? 0;
    if (code !== 200) throw statusError(code, await readAll(res), `WATCH ${path}`);
    await new Promise<void>((resolve, reject) => {
      let buf = "";
      const idle = setTimeout(() => res.destroy(new Error("watch idle timeout")), idleTimeoutMs);
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        idle.refresh();
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line !== "") onEvent(JSON.parse(line) as WatchEvent);
        }
      });
      res.on("end", () => {
        clearTimeout(idle);
        resolve();
      });
      res.on("error", (err) => {
        clearTimeout(idle);
        reject(signal.aborted ? new ApiError(0, "Aborted", "watch stopped") : new ApiError(0, "ConnectionFailed", `WATCH ${path}: ${err.message}`));
      });
      res.on("aborted", () => {
        clearTimeout(idle);
        reject(new ApiError(0, "ConnectionFailed", `WATCH ${path}: aborted`));
      });
    });
  }

  private tls: https.AgentOptions = {};
  private watchAgentInstance: http.Agent | undefined;

  private makeAgent(keepAlive: boolean): http.Agent {
    return this.server.protocol === "http:"
      ? new http.Agent({ keepAlive, maxSockets: 32 })
      : new https.Agent({ ...this.tls, keepAlive, maxSockets: keepAlive ? 32 : Infinity });
  }

  private watchAgent(): http.Agent {
    this.watchAgentInstance ??= this.makeAgent(false);
    return this.watchAgentInstance;
  }
}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", (err) => reject(new ApiError(0, "ConnectionFailed", err.message)));
  });
}

function statusError(code: number, text: string, what: string): ApiError {
  try {
    const status = JSON.parse(text) as { reason?: unknown; message?: unknown };
    const reason = typeof status.reason === "string" ? status.reason : "Unknown";
    const message = typeof status.message === "string" ? status.message : text;
    return new ApiError(code, reason, `${what}: ${code} ${message}`);
  } catch {
    return new ApiError(code, "Unknown", `${what}: ${code} ${text.slice(0, 500)}`);
  }
}
