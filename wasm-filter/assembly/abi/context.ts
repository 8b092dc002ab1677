// What filter authors extend: a RootContext per plugin (config, timers,
// callouts) that creates one HttpContext per stream. Every callback has a no-op
// default, so a filter overrides only what it uses.
import { BufferType, FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus } from "./types";
import { getBufferBytes } from "./hostcalls";

export class BaseContext {
  contextId: u32;

  constructor(contextId: u32) {
    this.contextId = contextId;
  }

  /** Return false to keep the context alive and call hostcalls.done() later. */
  onDone(): bool {
    return true;
  }

  onLog(): void {}

  onDelete(): void {}
}

export class RootContext extends BaseContext {
  onVmStart(vmConfigurationSize: usize): bool {
    return true;
  }

  /** Return false to reject the configuration (the host then fails the plugin closed). */
  onConfigure(pluginConfigurationSize: usize): bool {
    return true;
  }

  onTick(): void {}

  onQueueReady(queueId: u32): void {}

  /** numHeaders == 0 means the call failed or timed out. */
  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: usize, numTrailers: u32): void {}

  /** Called once per stream; null means this plugin ignores the stream. */
  createHttpContext(contextId: u32): HttpContext | null {
    return null;
  }

  /** The VM configuration; only available inside onVmStart. */
  getVmConfiguration(size: usize): ArrayBuffer | null {
    return getBufferBytes(BufferType.VmConfiguration, 0, size);
  }

  /** The plugin configuration; only available inside onConfigure. */
  getPluginConfiguration(size: usize): ArrayBuffer | null {
    return getBufferBytes(BufferType.PluginConfiguration, 0, size);
  }
}

export class HttpContext extends BaseContext {
  root: RootContext;

  constructor(contextId: u32, root: RootContext) {
    super(contextId);
    this.root = root;
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  /** bodySize counts everything buffered so far when earlier chunks returned StopIterationAndBuffer. */
  onRequestBody(bodySize: usize, endOfStream: bool): FilterDataStatus {
    return FilterDataStatus.Continue;
  }

  onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    return FilterTrailersStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  onResponseBody(bodySize: usize, endOfStream: bool): FilterDataStatus {
    return FilterDataStatus.Continue;
  }

  onResponseTrailers(numTrailers: u32): FilterTrailersStatus {
    return FilterTrailersStatus.Continue;
  }
}

/** Builds the root context for a new plugin; registered once at module start. */
export type RootContextFactory = (contextId: u32) => RootContext;

function defaultRootFactory(contextId: u32): RootContext {
  return new RootContext(contextId);
}

let rootFactory: RootContextFactory = defaultRootFactory;

export function registerRootContext(factory: RootContextFactory): void {
  rootFactory = factory;
}

// The table from context id to context. Map#get traps on a missing key, so
// lookups go through has() first and return null instead.
const roots = new Map<u32, RootContext>();
const streams = new Map<u32, HttpContext>();

export function createRootContext(contextId: u32): void {
  roots.set(contextId, rootFactory(contextId));
}

export function createHttpContext(contextId: u32, rootId: u32): void {
  const root = findRoot(rootId);
  if (root === null) return;
  const http = root.createHttpContext(contextId);
  if (http !== null) streams.set(contextId, http);
}

export function findRoot(contextId: u32): RootContext | null {
  return roots.has(contextId) ? roots.get(contextId) : null;
}

export function findStream(contextId: u32): HttpContext | null {
  return streams.has(contextId) ? streams.get(contextId) : null;
}

/** Either kind of context, for the lifecycle callbacks both share. */
export function findContext(contextId: u32): BaseContext | null {
  if (streams.has(contextId)) return streams.get(contextId);
  if (roots.has(contextId)) return roots.get(contextId);
  return null;
}

export function forgetContext(contextId: u32): void {
  if (!streams.delete(contextId)) roots.delete(contextId);
}
