import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The operator's Prometheus metrics, in a registry of its own (several operators can share a process in tests). */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: "modelguard_reconcile_total",
    help: "Reconciles of ModelEndpointPolicy keys by result (success, rejected, error).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: "modelguard_reconcile_errors_total",
    help: "Reconciles that failed and were requeued with backoff.",
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "modelguard_reconcile_duration_seconds",
    help: "Time to reconcile one policy key.",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "modelguard_workqueue_depth",
    help: "Policy keys waiting in the work queue.",
    registers: [this.registry],
  });
  readonly managedObjects = new Gauge({
    name: "modelguard_managed_objects",
    help: "Generated objects currently in the cluster, by kind.",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly objectWrites = new Counter({
    name: "modelguard_object_writes_total",
    help: "Generated objects applied or pruned, by operation.",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: "modelguard_api_requests_total",
    help: "Requests the operator sent to the Kubernetes API, by verb.",
    labelNames: ["verb"] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: "modelguard_leader",
    help: "1 while this process holds the leader Lease (or leader election is off), else 0.",
    registers: [this.registry],
  });

  readonly reports = new Counter({
    name: "modelguard_detector_reports_total",
    help: "Traffic reports received from sidecars, by result (accepted, invalid, unauthorized).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly reportRecords = new Counter({
    name: "modelguard_detector_records_total",
    help: "Per-request records received in accepted reports.",
    registers: [this.registry],
  });
  readonly findings = new Counter({
    name: "modelguard_detector_findings_total",
    help: "Clients the extraction detector flagged, by severity found and action taken (alert, throttle, block).",
    labelNames: ["severity", "action"] as const,
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: "modelguard_" });
  }
}
