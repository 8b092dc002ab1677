/**
 * Cluster-wide model-extraction detection. Every sidecar's filter reports, per request, the client,
 * status and a 16-number sketch of the JSON body (a fixed random projection that keeps distances);
 * the detector merges all pods' reports in time order and works per (policy, model):
 *
 * - Normal traffic: a decaying reservoir of inputs from clients in good standing (at most 4 slots
 *   each) whitens the sketch space (so no feature's unit dominates) and says where real inputs lie.
 * - Per query, against that reference: is the input off-manifold (k-th neighbour beyond a robust
 *   99th percentile), how many of the client's own recent inputs it revisits (within the local
 *   spacing of real inputs), does its step continue a line (grid and boundary sweeps), plus the
 *   nearest-input distance (PRADA's signal), failures and request rate.
 * - Per client, over its last 128 records: log-scaled shares and counts, shrunk towards normal
 *   while it has few queries; each standardized by a robust per-model baseline (median and the
 *   90th percentile over clients, one vote per client, suspects excluded, smoothed over time).
 * - Score = weighted sum of positive z-scores, each capped; rate and failures weigh little, so a
 *   fast batch job is not flagged for speed. A per-query CUSUM turns a persistently high score into
 *   evidence, so slow-and-low attackers are judged by their queries, not their rate; severity rises
 *   alert → throttle → block at evidence thresholds, with hysteresis, reported once per level.
 * - Cold start: nothing is judged before the reference holds 64 inputs from 8 clients, nothing is
 *   scored before 10 clients have sent 16 inputs, and only alerts are raised until 30 have.
 * Pure (no I/O, no clock), deterministic, bounded memory (LRU on clients and models).
 */
export { ExtractionDetector, type DetectorStats } from "./detector.js";
export { DEFAULT_DETECTOR_OPTIONS, type DetectorOptions } from "./options.js";
export type { Finding } from "./finding.js";
export type { Severity } from "./evidence.js";
export { reportSchema, type Report, type ReportClient, type ReportRecord } from "./report.js";
export { sketchOf, SKETCH_DIM } from "./sketch.js";
