/**
 * The simulated traffic, tick by tick: clients send requests through the pipeline (round robin
 * over the pods, as Envoy balances by default) and, every tick, each pod flushes its reports.
 */
import type { Report } from "../report.js";
import type { Agent } from "./agent.js";
import type { EvalOptions } from "./eval-options.js";
import { EventQueue } from "./event-queue.js";
import type { Pipeline } from "./pipeline.js";

export interface Tick {
  atMs: number;
  /** What the pods sent at this tick, pod by pod. */
  reports: Report[];
}

export class Traffic {
  /** Requests each client has sent so far. */
  readonly sent = new Map<string, number>();
  /** When each client sent its first request. */
  readonly firstRequestMs = new Map<string, number>();

  constructor(
    private readonly options: EvalOptions,
    readonly agents: readonly Agent[],
    private readonly pipeline: Pipeline,
  ) {}

  *ticks(): Generator<Tick> {
    const o = this.options;
    const agenda = new EventQueue<number>();
    this.agents.forEach((a, i) => agenda.push(a.startMs, i));
    const endMs = o.startMs + o.durationMs;
    let nextPod = 0;
    for (let tick = o.startMs + o.tickMs; tick <= endMs; tick += o.tickMs) {
      while (agenda.peekTime() < tick) {
        const e = agenda.pop();
        if (e === undefined) break;
        const agent = this.agents[e.value] as Agent;
        const atMs = Math.floor(e.at);
        const req = agent.next(atMs);
        const sent = (this.sent.get(agent.client) ?? 0) + 1;
        this.sent.set(agent.client, sent);
        if (sent === 1) this.firstRequestMs.set(agent.client, atMs);
        this.pipeline.handle(nextPod, agent.client, agent.tier, req.body, atMs);
        nextPod = (nextPod + 1) % o.pods;
        if (req.nextInMs !== undefined && e.at + req.nextInMs < endMs) agenda.push(e.at + req.nextInMs, e.value);
      }
      const reports: Report[] = [];
      for (let pod = 0; pod < o.pods; pod++) reports.push(...this.pipeline.flush(pod, tick));
      yield { atMs: tick, reports };
    }
  }
}
