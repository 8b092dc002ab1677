// Envoy counters per decision and reason. Names are fixed (dashboards and alerts use them):
// in Envoy's Prometheus output they appear without a prefix, e.g.
// modelguard_requests_denied_quota_exceeded.
import { defineMetric, incrementMetric, METRIC_UNDEFINED, MetricType } from "../abi";
import { Reason, REASON_COUNT, reasonCode } from "./reasons";

export class Metrics {
  allowed: u32 = METRIC_UNDEFINED;
  failedOpen: u32 = METRIC_UNDEFINED;
  configRejected: u32 = METRIC_UNDEFINED;
  extractionFlagged: u32 = METRIC_UNDEFINED;
  responsesHardened: u32 = METRIC_UNDEFINED;
  reportsSent: u32 = METRIC_UNDEFINED;
  reportsFailed: u32 = METRIC_UNDEFINED;
  clientsEvicted: u32 = METRIC_UNDEFINED;
  denied: StaticArray<u32> = new StaticArray<u32>(REASON_COUNT);

  define(): void {
    this.allowed = defineMetric(MetricType.Counter, "modelguard_requests_allowed");
    this.failedOpen = defineMetric(MetricType.Counter, "modelguard_requests_failed_open");
    this.configRejected = defineMetric(MetricType.Counter, "modelguard_config_rejected");
    this.extractionFlagged = defineMetric(MetricType.Counter, "modelguard_extraction_flagged");
    this.responsesHardened = defineMetric(MetricType.Counter, "modelguard_responses_hardened");
    this.reportsSent = defineMetric(MetricType.Counter, "modelguard_detector_reports_sent");
    this.reportsFailed = defineMetric(MetricType.Counter, "modelguard_detector_reports_failed");
    this.clientsEvicted = defineMetric(MetricType.Counter, "modelguard_clients_evicted");
    for (let i = 0; i < REASON_COUNT; i++) {
      this.denied[i] = defineMetric(MetricType.Counter, "modelguard_requests_denied_" + reasonCode(<Reason>i));
    }
  }

  static inc(id: u32): void {
    if (id != METRIC_UNDEFINED) incrementMetric(id, 1);
  }

  deny(r: Reason): void {
    Metrics.inc(this.denied[<i32>r]);
  }
}
