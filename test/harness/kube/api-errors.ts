import { ApiException } from "@kubernetes/client-node";

export interface ApiFailure {
  code: number;
  /** The Status message from the apiserver (the whole body if it is not a Status). */
  message: string;
}

/** Runs `call`, expects the apiserver to refuse it, and returns its HTTP code and message. */
export async function expectApiFailure(call: () => Promise<unknown>): Promise<ApiFailure> {
  try {
    await call();
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const raw: unknown = err.body;
    const text = typeof raw === "string" ? raw : JSON.stringify(raw);
    let message = text;
    try {
      const status = JSON.parse(text) as { message?: unknown };
      if (typeof status.message === "string") message = status.message;
    } catch {
      // not JSON: keep the raw body
    }
    return { code: err.code, message };
  }
  throw new Error("the apiserver accepted a request that should have been refused");
}
