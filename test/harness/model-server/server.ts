import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  chatCompletion,
  CREATED,
  kserveV1Predict,
  oipV2Infer,
  textCompletion,
  v2ModelMetadata,
} from "./responses.js";

/** Models the server lists; any model name is answered, listed or not. */
export const DEFAULT_MODELS = ["llama-3-8b-instruct", "llama-3-70b-instruct", "mistral-7b-instruct", "resnet-50", "fraud-xgb"];

/** What the server received (for asserting what got through Envoy). */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ModelServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received so far, oldest first. */
  readonly requests: readonly ReceivedRequest[];
  stop(): Promise<void>;
}

export interface ModelServerOptions {
  /** Default 0: the kernel picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  models?: string[];
  /** Largest request body read (default 8 MiB); more is answered 413. */
  maxBodyBytes?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseJsonObject(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new HttpError(400, "request body must be a JSON object");
  return value as Record<string, unknown>;
}

const V1_PREDICT = /^\/v1\/models\/([^/:]+):predict$/;
const V1_MODEL = /^\/v1\/models\/([^/:]+)$/;
const V2_INFER = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer$/;
const V2_MODEL = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?$/;
const V2_MODEL_READY = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/ready$/;

/** Routes one request to a deterministic answer: [status, JSON body]. */
export function answer(method: string, path: string, body: string, models: readonly string[]): [number, unknown] {
  const post = () => {
    if (method !== "POST") throw new HttpError(405, `${path} takes POST`);
    return parseJsonObject(body);
  };
  const get = () => {
    if (method !== "GET") throw new HttpError(405, `${path} takes GET`);
  };
  const decode = (s: string) => decodeURIComponent(s);
  try {
    if (path === "/v1/chat/completions") return [200, chatCompletion(post())];
    if (path === "/v1/completions") return [200, textCompletion(post())];
    if (path === "/v1/models") {
      get();
      return [200, { object: "list", data: models.map((id) => ({ id, object: "model", created: CREATED, owned_by: "modelguard-sample" })) }];
    }
    let m = V1_PREDICT.exec(path);
    if (m?.[1]) return [200, kserveV1Predict(decode(m[1]), post())];
    m = V1_MODEL.exec(path);
    if (m?.[1]) {
      get();
      return [200, { name: decode(m[1]), ready: true }];
    }
    if (path === "/v2" || path === "/v2/") {
      get();
      return [200, { name: "modelguard-sample", version: "1", extensions: [] }];
    }
    if (path === "/v2/health/live" || path === "/v2/health/ready") {
      get();
      return [200, { live: true, ready: true }];
    }
    m = V2_INFER.exec(path);
    if (m?.[1]) return [200, oipV2Infer(decode(m[1]), m[2] !== undefined ? decode(m[2]) : undefined, post())];
    m = V2_MODEL_READY.exec(path);
    if (m?.[1]) {
      get();
      return [200, { name: decode(m[1]), ready: true }];
    }
    m = V2_MODEL.exec(path);
    if (m?.[1]) {
      get();
      return [200, v2ModelMetadata(decode(m[1]))];
    }
    return [404, { error: `no route for ${method} ${path}` }];
  } catch (err) {
    if (err instanceof HttpError) return [err.status, { error: err.message }];
    throw err;
  }
}

/**
 * A small sample model server on 127.0.0.1 speaking OpenAI-style chat and completions, KServe v1
 * and the Open Inference Protocol v2, with deterministic answers (usage tokens for token
 * budgets, unrounded class probabilities for response hardening).
 */
export async function startModelServer(opts: ModelServerOptions = {}): Promise<ModelServer> {
  const models = opts.models ?? DEFAULT_MODELS;
  const maxBody = opts.maxBodyBytes ?? 8 << 20;
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: req.method ?? "", path, headers: req.headers, body });
      const [status, json] = tooLarge ? [413, { error: "request body too large" }] : answer(req.method ?? "GET", path, body, models);
      const text = JSON.stringify(json);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    port,
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    requests,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return stopped;
    },
  };
}
