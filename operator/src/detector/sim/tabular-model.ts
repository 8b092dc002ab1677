/**
 * The simulated model: a tabular classifier over 12 numeric features. Real inputs come from a
 * mixture of Gaussian clusters with different, correlated covariances, expressed in features of
 * very different units (like age, income, ratios); the classifier is a fixed linear scorer over
 * three classes, so class boundaries are hyperplanes a boundary-sweep attacker can search for.
 */
import { Prng } from "../prng.js";

export const FEATURES = 12;
const CLASSES = 3;

interface Cluster {
  weight: number;
  /** Mean in standardized units. */
  mean: Float64Array;
  /** Row-major FEATURES×FEATURES matrix A with covariance A·Aᵀ. */
  transform: Float64Array;
}

export interface ModelResponse {
  status: number;
}

export class TabularModel {
  readonly clusters: readonly Cluster[];
  /** Feature i in real units is offset[i] + unit[i] · (standardized value). */
  readonly offset: Float64Array;
  readonly unit: Float64Array;
  /** Range the model server accepts for each feature (published in its API schema). */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** Standard deviation of each feature over the whole mixture, in real units. */
  readonly sd: Float64Array;
  private readonly weights: Float64Array;
  private readonly bias: Float64Array;

  constructor(seed: number) {
    const rng = new Prng(seed);
    const clusterWeights = [0.4, 0.3, 0.2, 0.1];
    const clusterScales = [1.0, 0.6, 1.4, 0.8];
    this.clusters = clusterWeights.map((weight, c) => ({
      weight,
      mean: Float64Array.from({ length: FEATURES }, () => 1.6 * rng.normal()),
      transform: randomCovarianceFactor(rng, clusterScales[c] as number),
    }));
    this.offset = Float64Array.from({ length: FEATURES }, () => Math.round(rng.uniform(0, 100)));
    this.unit = Float64Array.from({ length: FEATURES }, () => Math.exp(rng.uniform(Math.log(0.5), Math.log(20))));
    this.weights = Float64Array.from({ length: CLASSES * FEATURES }, () => rng.normal());
    this.bias = Float64Array.from({ length: CLASSES }, () => 0.5 * rng.normal());

    // Ranges and spreads from a large sample, as the model's owners would publish them.
    const n = 20_000;
    const columns = Array.from({ length: FEATURES }, () => new Float64Array(n));
    for (let s = 0; s < n; s++) {
      const x = this.sample(rng);
      for (let i = 0; i < FEATURES; i++) (columns[i] as Float64Array)[s] = x[i] as number;
    }
    this.lo = new Float64Array(FEATURES);
    this.hi = new Float64Array(FEATURES);
    this.sd = new Float64Array(FEATURES);
    for (let i = 0; i < FEATURES; i++) {
      const col = (columns[i] as Float64Array).sort();
      const min = col[Math.floor(n * 0.0005)] as number;
      const max = col[Math.floor(n * 0.9995)] as number;
      const pad = 0.1 * (max - min);
      this.lo[i] = round2(min - pad);
      this.hi[i] = round2(max + pad);
      let sum = 0;
      let sq = 0;
      for (const v of col) {
        sum += v;
        sq += v * v;
      }
      this.sd[i] = Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2));
    }
  }

  /** A real input, from a cluster picked by weight (or the given cluster), in real units. */
  sample(rng: Prng, cluster?: number): number[] {
    const c = this.clusters[cluster ?? this.pickCluster(rng)] as Cluster;
    const noise = Array.from({ length: FEATURES }, () => rng.normal());
    const x = new Array<number>(FEATURES);
    for (let i = 0; i < FEATURES; i++) {
      let z = c.mean[i] as number;
      for (let j = 0; j < FEATURES; j++) z += (c.transform[i * FEATURES + j] as number) * (noise[j] as number);
      x[i] = round2((this.offset[i] as number) + (this.unit[i] as number) * z);
    }
    return x;
  }

  pickCluster(rng: Prng): number {
    let u = rng.next();
    for (let c = 0; c < this.clusters.length; c++) {
      u -= (this.clusters[c] as Cluster).weight;
      if (u < 0) return c;
    }
    return this.clusters.length - 1;
  }

  /** The predicted class of an input in real units. */
  classify(x: readonly number[]): number {
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < CLASSES; k++) {
      let s = this.bias[k] as number;
      for (let i = 0; i < FEATURES; i++) {
        const z = ((x[i] as number) - (this.offset[i] as number)) / (this.unit[i] as number);
        s += (this.weights[k * FEATURES + i] as number) * z;
      }
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    return best;
  }

  /** What the model server answers to a KServe v1 body: 400 for a wrong shape or a value out of range. */
  respond(body: string): ModelResponse {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { status: 400 };
    }
    const instances = (parsed as { instances?: unknown }).instances;
    if (!Array.isArray(instances) || instances.length === 0) return { status: 400 };
    for (const row of instances) {
      if (!Array.isArray(row) || row.length !== FEATURES) return { status: 400 };
      for (let i = 0; i < FEATURES; i++) {
        const v: unknown = row[i];
        if (typeof v !== "number" || v < (this.lo[i] as number) || v > (this.hi[i] as number)) return { status: 400 };
      }
    }
    return { status: 200 };
  }
}

/** Q·diag(s) with Q a random rotation and s random axis scales: a correlated covariance factor. */
function randomCovarianceFactor(rng: Prng, scale: number): Float64Array {
  const q = Array.from({ length: FEATURES }, () => Float64Array.from({ length: FEATURES }, () => rng.normal()));
  // Gram-Schmidt turns the Gaussian rows into an orthonormal basis.
  for (let r = 0; r < FEATURES; r++) {
    const row = q[r] as Float64Array;
    for (let p = 0; p < r; p++) {
      const prev = q[p] as Float64Array;
      let dot = 0;
      for (let i = 0; i < FEATURES; i++) dot += (row[i] as number) * (prev[i] as number);
      for (let i = 0; i < FEATURES; i++) row[i] = (row[i] as number) - dot * (prev[i] as number);
    }
    let norm = 0;
    for (let i = 0; i < FEATURES; i++) norm += (row[i] as number) ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < FEATURES; i++) row[i] = (row[i] as number) / norm;
  }
  const axisScale = Array.from({ length: FEATURES }, () => scale * rng.uniform(0.3, 1.3));
  const a = new Float64Array(FEATURES * FEATURES);
  for (let i = 0; i < FEATURES; i++) {
    for (let j = 0; j < FEATURES; j++) a[i * FEATURES + j] = ((q[j] as Float64Array)[i] as number) * (axisScale[j] as number);
  }
  return a;
}

export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** A KServe v1 request body for one instance. */
export function kserveBody(x: readonly number[]): string {
  return JSON.stringify({ instances: [x] });
}
