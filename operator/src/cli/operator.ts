import { existsSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import { Controller } from "../controller/controller.js";
import { DetectorService } from "../controller/detector-service.js";
import { EventRecorder } from "../controller/events.js";
import { parseConfigMapRef, type ConfigMapRef } from "../controller/ratelimit-sync.js";
import { ExtractionDetector } from "../detector/index.js";
import { startHttpServer, type RunningHttpServer } from "../controller/http-server.js";
import { errorText, jsonLogger } from "../controller/log.js";
import { OperatorMetrics } from "../controller/metrics.js";
import { UsageError, type Io } from "./io.js";
import { bundledWasmPath, resolveWasmModule, sha256File } from "./wasm-module.js";

export const OPERATOR_USAGE = `Usage: modelguard operator [--kubeconfig <path>] [--metrics-addr <host:port>]
                           [--wasm-url <url>] [--wasm-sha256 <hex>] [--wasm-file <path>]
                           [--workers <n>] [--resync-period <seconds>]
                           [--leader-elect] [--leader-election-namespace <ns>] [--leader-election-id <name>]
                           [--lease-duration <s>] [--renew-deadline <s>] [--retry-period <s>]
                           [--detector-url <http://service:port> --detector-key-file <path>]
                           [--ratelimit-config-map <namespace>/<name>]

Runs the controller: watches ModelEndpointPolicies, annotated Deployments and referenced Secrets,
server-side applies the Istio and rate-limit objects, prunes stale ones and writes status.
Without --kubeconfig it uses the in-cluster ServiceAccount (or $KUBECONFIG / ~/.kube/config).
Serves /healthz, /readyz, /metrics and the filter at /wasm/<sha256>.wasm on --metrics-addr
(default :8080). With --detector-url (this operator's Service URL as sidecars reach it) and
--detector-key-file (a secret of at least 32 bytes), policies with \`detection\` make their sidecars
report traffic to POST /v1/reports, and the detector answers findings with Events and
ClientRestrictions. With --ratelimit-config-map, every policy's descriptors for Envoy's ratelimit
service are gathered into that (existing) ConfigMap, one key per policy. SIGTERM or SIGINT: finish queued work, release the Lease, exit 0.`;

export interface OperatorArgs {
  kubeconfig?: string;
  metricsAddr: string;
  wasmUrl?: string;
  wasmSha256?: string;
  wasmFile?: string;
  workers: number;
  resyncPeriodMs: number;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  detectorUrl?: string;
  detectorKeyFile?: string;
  ratelimitConfigMap?: ConfigMapRef;
}

const seconds = (name: string, v: string | undefined, def: number): number => {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number of seconds`);
  return Math.round(n * 1000);
};

export function parseOperatorArgs(argv: string[]): OperatorArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: "string" },
      "metrics-addr": { type: "string", default: ":8080" },
      "wasm-url": { type: "string" },
      "wasm-sha256": { type: "string" },
      "wasm-file": { type: "string" },
      workers: { type: "string", default: "4" },
      "resync-period": { type: "string" },
      "leader-elect": { type: "boolean", default: false },
      "leader-election-namespace": { type: "string" },
      "leader-election-id": { type: "string", default: "modelguard-operator" },
      "lease-duration": { type: "string" },
      "renew-deadline": { type: "string" },
      "retry-period": { type: "string" },
      "detector-url": { type: "string" },
      "detector-key-file": { type: "string" },
      "ratelimit-config-map": { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const sha = values["wasm-sha256"];
  if (sha !== undefined && !/^[0-9a-f]{64}$/.test(sha)) throw new UsageError("--wasm-sha256 must be 64 lowercase hex digits");
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError("--workers must be an integer from 1 to 64");
  if (!/:\d+$/.test(values["metrics-addr"])) throw new UsageError("--metrics-addr must be host:port");
  const leaseDurationMs = seconds("lease-duration", values["lease-duration"], 15_000);
  const renewDeadlineMs = seconds("renew-deadline", values["renew-deadline"], 10_000);
  const retryPeriodMs = seconds("retry-period", values["retry-period"], 2_000);
  if (!(retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new UsageError("leader election needs --retry-period < --renew-deadline < --lease-duration");
  }
  const detectorUrl = values["detector-url"];
  const detectorKeyFile = values["detector-key-file"];
  if ((detectorUrl === undefined) !== (detectorKeyFile === undefined)) throw new UsageError("--detector-url and --detector-key-file go together");
  if (detectorUrl !== undefined && !/^http:\/\/[^/:]+(:\d+)?\/?$/.test(detectorUrl)) throw new UsageError("--detector-url must be http://<host>[:<port>]");
  let ratelimitConfigMap: ConfigMapRef | undefined;
  if (values["ratelimit-config-map"] !== undefined) {
    try {
      ratelimitConfigMap = parseConfigMapRef(values["ratelimit-config-map"]);
    } catch (err) {
      throw new UsageError(`--ratelimit-config-map: ${errorText(err)}`);
    }
  }
  return {
    ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
    ...(ratelimitConfigMap ? { ratelimitConfigMap } : {}),
    ...(detectorUrl !== undefined ? { detectorUrl: detectorUrl.replace(/\/$/, "") } : {}),
    ...(detectorKeyFile !== undefined ? { detectorKeyFile } : {}),
    metricsAddr: values["metrics-addr"],
    ...(values["wasm-url"] !== undefined ? { wasmUrl: values["wasm-url"] } : {}),
    ...(sha !== undefined ? { wasmSha256: sha } : {}),
    ...(values["wasm-file"] !== undefined ? { wasmFile: values["wasm-file"] } : {}),
    workers,
    resyncPeriodMs: seconds("resync-period", values["resync-period"], 600_000),
    leaderElect: values["leader-elect"],
    leaderElectionNamespace: values["leader-election-namespace"] ?? process.env.POD_NAMESPACE ?? "default",
    leaderElectionId: values["leader-election-id"],
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
  };
}

function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined) kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/** Runs the operator until SIGTERM/SIGINT (exit code 0) or lost leadership / a fatal error (1). */
export async function serveOperator(args: OperatorArgs, io: Io): Promise<number> {
  const log = jsonLogger(io.err, { component: "modelguard-operator" });
  const wasm = resolveWasmModule({
    ...(args.wasmUrl !== undefined ? { url: args.wasmUrl } : {}),
    ...(args.wasmSha256 !== undefined ? { sha256: args.wasmSha256 } : {}),
    ...(args.wasmFile !== undefined ? { wasmFile: args.wasmFile } : {}),
  });
  if (wasm.warning) log.warn(wasm.warning);
  const identity = `${hostname()}-${randomBytes(4).toString("hex")}`;
  const metrics = new OperatorMetrics({ processMetrics: true });
  let detector: { url: string; key: string } | undefined;
  if (args.detectorUrl !== undefined && args.detectorKeyFile !== undefined) {
    const key = readFileSync(args.detectorKeyFile, "utf8").trim();
    if (key.length < 32) {
      log.error("the detector key must be at least 32 characters", { file: args.detectorKeyFile });
      return 1;
    }
    detector = { url: args.detectorUrl, key };
  }
  const controller = new Controller({
    ...(detector ? { detector } : {}),
    ...(args.ratelimitConfigMap ? { ratelimitConfigMap: args.ratelimitConfigMap } : {}),
    kubeConfig: loadKubeConfig(args.kubeconfig),
    wasm: wasm.ref,
    workers: args.workers,
    resyncPeriodMs: args.resyncPeriodMs,
    logger: log,
    metrics,
    ...(args.leaderElect && process.env.POD_NAME
      ? { leaderPod: { namespace: args.leaderElectionNamespace, name: process.env.POD_NAME } }
      : {}),
    ...(args.leaderElect
      ? {
          leaderElection: {
            namespace: args.leaderElectionNamespace,
            name: args.leaderElectionId,
            identity,
            leaseDurationMs: args.leaseDurationMs,
            renewDeadlineMs: args.renewDeadlineMs,
            retryPeriodMs: args.retryPeriodMs,
          },
        }
      : {}),
  });
  const localModule = args.wasmFile ?? bundledWasmPath();
  const servedModule =
    wasm.ref.sha256 !== undefined && existsSync(localModule) && sha256File(localModule) === wasm.ref.sha256
      ? { path: localModule, sha256: wasm.ref.sha256 }
      : undefined;
  if (servedModule === undefined) log.info("not serving a filter module: WasmPlugins fetch it from --wasm-url", { wasmUrl: wasm.ref.url });
  const detection = detector
    ? new DetectorService({
        detector: new ExtractionDetector(),
        key: detector.key,
        client: controller.client,
        policies: controller.caches.policies,
        recorder: new EventRecorder(controller.client),
        metrics,
        log,
        isLeader: () => controller.isLeader(),
      })
    : undefined;
  let http: RunningHttpServer | undefined;
  let stopping = false;
  try {
    http = await startHttpServer({
      addr: args.metricsAddr,
      registry: metrics.registry,
      ready: () => controller.hasSynced(),
      healthy: () => !stopping,
      // Serve the local module only if it is the one the WasmPlugins pin; with --wasm-url and
      // --wasm-sha256 it may be a different build hosted elsewhere.
      ...(servedModule !== undefined ? { wasm: servedModule } : {}),
      ...(detection ? { reports: (body: Buffer, auth: string | undefined) => detection.handleReport(body, auth) } : {}),
    });
  } catch (err) {
    log.error("could not start the HTTP server", { addr: args.metricsAddr, error: errorText(err) });
    return 1;
  }
  log.info("starting", { identity, http: http.url, wasmUrl: wasm.ref.url, leaderElection: args.leaderElect });
  controller.start();
  detection?.start();

  const reason = await new Promise<"signal" | "lost">((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      log.info("shutting down", { signal: sig });
      resolve("signal");
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
    void controller.whenLeadershipLost().then(() => resolve("lost"));
  });
  stopping = true;
  detection?.stop();
  await controller.stop();
  await http.close();
  log.info("stopped", { reason, reconciles: controller.stats.reconciles });
  return reason === "signal" ? 0 : 1;
}

/** `modelguard operator`: parses flags now (usage errors exit 2), then runs until stopped. */
export function runOperator(argv: string[], io: Io): number {
  const args = parseOperatorArgs(argv);
  serveOperator(args, io).then(
    (code) => process.exit(code),
    (err: unknown) => {
      io.err(`error: ${errorText(err)}\n`);
      process.exit(1);
    },
  );
  return 0;
}
