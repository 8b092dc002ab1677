// Envoy's shared queues: registered by name per VM id, readable by any VM with
// that id. Enqueueing notifies the registering VM's root context after the
// current callback returns (Envoy posts it to that worker's dispatcher).
import { WasmResult } from "./abi.js";

/** Told the queue's token when an item arrives. */
export type QueueListener = (token: number) => void;

interface Queue {
  readonly items: Uint8Array[];
  listener: QueueListener;
}

export class SharedQueueStore {
  private readonly tokens = new Map<string, number>();
  private readonly queues = new Map<number, Queue>();
  private nextToken = 1;

  /** Creates the queue or re-opens it; the latest registrant is the one notified. */
  register(vmId: string, name: string, listener: QueueListener): number {
    const key = `${vmId}\0${name}`;
    const existing = this.tokens.get(key);
    if (existing !== undefined) {
      (this.queues.get(existing) as Queue).listener = listener;
      return existing;
    }
    const token = this.nextToken++;
    this.tokens.set(key, token);
    this.queues.set(token, { items: [], listener });
    return token;
  }

  resolve(vmId: string, name: string): number | undefined {
    return this.tokens.get(`${vmId}\0${name}`);
  }

  enqueue(token: number, value: Uint8Array): WasmResult {
    const queue = this.queues.get(token);
    if (queue === undefined) return WasmResult.NotFound;
    queue.items.push(value.slice());
    queue.listener(token);
    return WasmResult.Ok;
  }

  dequeue(token: number): Uint8Array | WasmResult.NotFound | WasmResult.Empty {
    const queue = this.queues.get(token);
    if (queue === undefined) return WasmResult.NotFound;
    return queue.items.shift() ?? WasmResult.Empty;
  }
}
