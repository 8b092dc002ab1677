// The operator's side of cluster-wide extraction detection: sidecars POST traffic reports (checked
// against the policy's HMAC token), the detector scores clients across every pod, and findings
// become an Event (alert) and, up to the policy's `detection.maxAction`, a ClientRestriction that
// throttles or blocks the client until it expires. Only the leader acts; every replica ingests.
import { createHash, timingSafeEqual } from "node:crypto";
import { RESTRICTION_KIND, type RestrictionSpec } from "../api/client-restriction.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, POLICY_LABEL } from "../api/constants.js";
import type { PolicySpec } from "../api/policy.js";
import type { ExtractionDetector, Finding, Severity } from "../detector/index.js";
import { reportSchema, type Report } from "../detector/report.js";
import { reportToken } from "../translate/detection.js";
import type { EventRecorder } from "./events.js";
import type { Informer } from "./informer.js";
import type { KubeClient } from "./kube-client.js";
import { errorText, type Logger } from "./log.js";
import type { OperatorMetrics } from "./metrics.js";
import type { ApiObject } from "./objects.js";
import { resourcePath, RESTRICTION_RESOURCE } from "./resources.js";

/** What the service needs of a detector: ingest reports, and findings when asked. */
export type Detector = Pick<ExtractionDetector, "ingest" | "evaluate">;

export interface DetectorServiceOptions {
  detector: Detector;
  /** Key the report tokens are derived from (see translate/detection.ts). */
  key: string;
  client: KubeClient;
  policies: Informer<ApiObject>;
  recorder: EventRecorder;
  metrics: OperatorMetrics;
  log: Logger;
  /** Only the leader turns findings into actions. */
  isLeader: () => boolean;
  evaluateEveryMs?: number;
  /** The detector's clock (default Date.now); restriction expiries always use the wall clock. */
  now?: () => number;
}

export interface ReportAnswer {
  status: number;
  body: string;
}

const RANK: Record<Severity, number> = { alert: 0, throttle: 1, block: 2 };
const MAX_ACTION: Record<string, Severity> = { Alert: "alert", Throttle: "throttle", Block: "block" };

/** The action taken for a finding: its severity, capped by what the policy allows. */
export function cappedSeverity(found: Severity, maxAction: string | undefined): Severity {
  const cap = MAX_ACTION[maxAction ?? "Throttle"] ?? "throttle";
  return RANK[found] <= RANK[cap] ? found : cap;
}

/** Name of the detector's restriction for a client: stable, so a repeat finding updates it. */
export function restrictionName(policyName: string, client: string): string {
  return `${policyName.slice(0, 40)}-${createHash("sha256").update(client).digest("hex").slice(0, 12)}`;
}

export class DetectorService {
  private timer: NodeJS.Timeout | undefined;
  private evaluating = false;

  constructor(private readonly o: DetectorServiceOptions) {}

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  /** POST /v1/reports: 202 when ingested; 401 for a wrong token, 400 for a malformed report. */
  handleReport(body: Buffer, authorization: string | undefined): ReportAnswer {
    let report: Report;
    try {
      const parsed = reportSchema.safeParse(JSON.parse(body.toString("utf8")));
      if (!parsed.success) {
        this.o.metrics.reports.inc({ result: "invalid" });
        return { status: 400, body: `invalid report: ${parsed.error.issues[0]?.message ?? "schema"}\n` };
      }
      report = parsed.data;
    } catch {
      this.o.metrics.reports.inc({ result: "invalid" });
      return { status: 400, body: "report is not JSON\n" };
    }
    const want = Buffer.from(reportToken(this.o.key, report.policy));
    const got = Buffer.from((authorization ?? "").replace(/^Bearer /, ""));
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
      this.o.metrics.reports.inc({ result: "unauthorized" });
      return { status: 401, body: "bad report token for this policy\n" };
    }
    this.o.detector.ingest(report, this.now());
    this.o.metrics.reports.inc({ result: "accepted" });
    this.o.metrics.reportRecords.inc(report.clients.reduce((n, c) => n + c.records.length, 0));
    return { status: 202, body: "accepted\n" };
  }

  start(): void {
    const every = this.o.evaluateEveryMs ?? 2000;
    this.timer = setInterval(() => void this.evaluateOnce(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Scores clients and acts on new findings; returns the actions taken (for tests). */
  async evaluateOnce(): Promise<{ finding: Finding; action: Severity }[]> {
    if (this.evaluating) return [];
    this.evaluating = true;
    try {
      const findings = this.o.detector.evaluate(this.now());
      if (!this.o.isLeader()) return [];
      const done: { finding: Finding; action: Severity }[] = [];
      for (const f of findings) {
        const action = await this.respond(f);
        if (action) done.push({ finding: f, action });
      }
      return done;
    } finally {
      this.evaluating = false;
    }
  }

  private async respond(f: Finding): Promise<Severity | undefined> {
    const [namespace = "", name = ""] = f.policy.split("/");
    const policy = this.o.policies.get(namespace, name);
    const detection = (policy?.spec as PolicySpec | undefined)?.detection;
    if (!policy || !detection) return undefined; // the policy went away or stopped opting in
    const action = cappedSeverity(f.severity, detection.maxAction);
    this.o.metrics.findings.inc({ severity: f.severity, action });
    const what = `client ${f.client} on model ${f.model || "(none)"}: score ${f.score.toFixed(2)} after ${f.queries} queries (${f.reason})`;
    // The audit record: one structured log line per action, and an Event on the policy.
    this.o.log.info("extraction finding", { policy: f.policy, client: f.client, model: f.model, severity: f.severity, action, score: f.score, queries: f.queries, signals: f.signals });
    try {
      if (action !== "alert") {
        const seconds = action === "block" ? detection.blockSeconds : detection.throttleSeconds;
        const spec: RestrictionSpec = {
          policyName: name,
          client: f.client,
          action: action === "block" ? "Block" : "Throttle",
          ...(action === "throttle" ? { requestsPerMinute: detection.throttleRequestsPerMinute } : {}),
          // Restrictions expire in wall-clock time (the apiserver's and the filter's), whatever
          // clock the detector's traffic timestamps use.
          expiresAt: new Date(Date.now() + seconds * 1000).toISOString(),
          reason: f.reason.slice(0, 1024),
          source: "Detector",
          score: Math.max(0, f.score),
        };
        const obj = {
          apiVersion: RESTRICTION_RESOURCE.apiVersion,
          kind: RESTRICTION_KIND,
          metadata: {
            name: restrictionName(name, f.client),
            namespace,
            labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [POLICY_LABEL]: name },
          },
          spec,
        };
        await this.o.client.request({
          method: "PATCH",
          path: resourcePath(RESTRICTION_RESOURCE, namespace, obj.metadata.name),
          query: { fieldManager: "modelguard-detector", force: true },
          body: obj,
          contentType: "application/apply-patch+yaml",
        });
        await this.o.recorder.record(policy, "Warning", action === "block" ? "ClientBlocked" : "ClientThrottled", `${what}; ClientRestriction ${obj.metadata.name} until ${spec.expiresAt}`);
      } else {
        await this.o.recorder.record(policy, "Warning", "ExtractionSuspected", what);
      }
    } catch (err) {
      this.o.log.warn("could not act on a finding", { policy: f.policy, client: f.client, error: errorText(err) });
      return undefined;
    }
    return action;
  }
}
