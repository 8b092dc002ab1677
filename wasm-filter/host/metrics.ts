// Envoy-style stats shared by every VM of a host: a name defined twice (by two
// workers) is one stat. Ids follow Envoy: the type lives in the low two bits
// and ids of a type step by 4, so the first counter is id 0.
import { MetricType, WasmResult } from "./abi.js";

export interface Metric {
  readonly id: number;
  readonly name: string;
  readonly type: MetricType;
  /** Counter total or gauge level; histograms keep samples instead. */
  value: bigint;
  /** Histogram samples, oldest dropped past the store's cap. */
  readonly samples: number[];
  count: number;
}

export class MetricsStore {
  private readonly byId = new Map<number, Metric>();
  private readonly byName = new Map<string, Metric>();
  private readonly nextSeq = [0, 0, 0];

  constructor(private readonly maxSamples = 100_000) {}

  /** The metric's id, or undefined for an unknown metric type. */
  define(type: number, name: string): number | undefined {
    if (type !== MetricType.Counter && type !== MetricType.Gauge && type !== MetricType.Histogram) return undefined;
    const key = `${type}:${name}`;
    const existing = this.byName.get(key);
    if (existing !== undefined) return existing.id;
    const seq = this.nextSeq[type] as number;
    this.nextSeq[type] = seq + 1;
    const metric: Metric = { id: seq * 4 + type, name, type, value: 0n, samples: [], count: 0 };
    this.byId.set(metric.id, metric);
    this.byName.set(key, metric);
    return metric.id;
  }

  increment(id: number, delta: bigint): WasmResult {
    const metric = this.byId.get(id);
    if (metric === undefined) return WasmResult.NotFound;
    if (metric.type === MetricType.Counter) {
      if (delta < 0n) return WasmResult.BadArgument;
      metric.value += delta;
      return WasmResult.Ok;
    }
    if (metric.type === MetricType.Gauge) {
      metric.value += delta;
      return WasmResult.Ok;
    }
    return WasmResult.BadArgument;
  }

  record(id: number, value: bigint): WasmResult {
    const metric = this.byId.get(id);
    if (metric === undefined) return WasmResult.NotFound;
    if (metric.type === MetricType.Counter) metric.value += value; // Envoy adds to counters
    else if (metric.type === MetricType.Gauge) metric.value = value;
    else {
      metric.count++;
      metric.samples.push(Number(value));
      if (metric.samples.length > this.maxSamples) metric.samples.shift();
    }
    return WasmResult.Ok;
  }

  read(id: number): bigint | WasmResult.NotFound | WasmResult.BadArgument {
    const metric = this.byId.get(id);
    if (metric === undefined) return WasmResult.NotFound;
    if (metric.type === MetricType.Histogram) return WasmResult.BadArgument;
    return metric.value;
  }

  /** Counter or gauge value by name, as a number; undefined if never defined. */
  value(name: string): number | undefined {
    const metric = this.byName.get(`${MetricType.Counter}:${name}`) ?? this.byName.get(`${MetricType.Gauge}:${name}`);
    return metric === undefined ? undefined : Number(metric.value);
  }

  histogram(name: string): { count: number; samples: readonly number[] } | undefined {
    const metric = this.byName.get(`${MetricType.Histogram}:${name}`);
    return metric === undefined ? undefined : { count: metric.count, samples: metric.samples };
  }

  all(): readonly Metric[] {
    return [...this.byId.values()];
  }
}
