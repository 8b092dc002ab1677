/**
 * A model's robust baseline of per-client features: for each feature the median over the
 * model's clients in good standing, and a scale from the distance between the median and an upper
 * quantile (for a normal distribution both give σ; for a heavy benign tail the quantile widens the
 * scale, so the tail is not flagged). One vector per client, so a busy client counts once; the
 * median and the quantile ignore a minority of extreme clients, and new estimates are blended into
 * the old ones, so the baseline moves slowly.
 */
import { FEATURE_COUNT, FEATURE_SPECS } from "./features.js";
import { normalQuantile, quantileInPlace } from "./robust-stats.js";

export class FeatureBaseline {
  readonly center = new Float64Array(FEATURE_COUNT).fill(NaN);
  readonly scale = new Float64Array(FEATURE_COUNT).fill(NaN);
  /** Clients behind the latest estimate. */
  clients = 0;
  private estimated = false;

  constructor(
    private readonly quantile: number,
    private readonly smoothing: number,
  ) {}

  get ready(): boolean {
    return this.estimated;
  }

  /** Re-estimates from one feature vector per client; fewer than `minClients` leaves it unchanged. */
  update(vectors: readonly Float64Array[], minClients: number): void {
    if (vectors.length < minClients) return;
    const zQuantile = normalQuantile(this.quantile);
    const column: number[] = [];
    for (let f = 0; f < FEATURE_COUNT; f++) {
      column.length = 0;
      for (const v of vectors) {
        const x = v[f] as number;
        if (!Number.isNaN(x)) column.push(x);
      }
      if (column.length < minClients) continue;
      const center = quantileInPlace(column, 0.5);
      const upper = quantileInPlace(column, this.quantile);
      const scale = Math.max((upper - center) / zQuantile, FEATURE_SPECS[f]?.minScale ?? 0);
      const first = Number.isNaN(this.center[f] as number);
      const w = first ? 1 : this.smoothing;
      this.center[f] = (1 - w) * (first ? 0 : (this.center[f] as number)) + w * center;
      this.scale[f] = (1 - w) * (first ? 0 : (this.scale[f] as number)) + w * scale;
    }
    this.clients = vectors.length;
    this.estimated = true;
  }

  /** Standardized value of feature `f` (0 while the feature has no baseline). */
  z(f: number, value: number): number {
    const c = this.center[f] as number;
    const s = this.scale[f] as number;
    if (Number.isNaN(value) || Number.isNaN(c) || !(s > 0)) return 0;
    return (value - c) / s;
  }
}
