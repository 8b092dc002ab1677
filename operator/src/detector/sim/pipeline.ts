import type { Report } from "../report.js";

/**
 * Turns simulated requests into detector reports, the way the filter in each model pod's sidecar
 * does. The reference pipeline computes sketches in TypeScript; a second one drives the compiled
 * wasm filter, so the evaluation can run on the real data plane.
 */
export interface Pipeline {
  /** One request from `client` arriving at pod `pod` at `nowMs`. */
  handle(pod: number, client: string, tier: string, body: string, nowMs: number): void;
  /** The reports pod `pod` sends at `nowMs` (its periodic flush); empty when it has nothing to say. */
  flush(pod: number, nowMs: number): Report[];
}

/** What a pipeline needs to know about the simulated deployment. */
export interface PipelineSetup {
  /** `<namespace>/<policy>` the filters enforce. */
  policy: string;
  /** The model every request addresses. */
  model: string;
  pods: number;
  /** Requests per minute each tier may send to one pod (token bucket, burst of one minute); absent tiers are unlimited. */
  requestsPerMinute: Readonly<Record<string, number>>;
  /** The model server: the status it answers to a body that passed the filter. */
  upstream: (body: string) => number;
}
