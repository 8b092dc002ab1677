// Drives simulated traffic through the real compiled filter, one Node proxy-wasm host per pod (each
// with its own shared data, like separate sidecars), and collects the reports each pod's VM sends
// from its tick with proxy_http_call: exactly what the operator's detector receives in a cluster.
// `npm run eval:extraction` uses it so the evaluation covers the filter's records and sketches too.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { policySchema, type PolicySpecInput } from "../../operator/src/api/policy.js";
import { reportSchema, type Report } from "../../operator/src/detector/report.js";
import type { PipelineSetup } from "../../operator/src/detector/sim/pipeline.js";
import { translate } from "../../operator/src/translate/translate.js";
import { ProxyWasmHost } from "./host.js";
import { simulateOne } from "./simulation.js";
import type { WasmVm } from "./vm.js";

export const MODULE_PATH = fileURLToPath(new URL("../build/modelguard.wasm", import.meta.url));
export interface WasmPipelineOptions extends PipelineSetup {
  /** Module to load (default: the built filter). */
  modulePath?: string;
}

/** The policy the evaluation protects its model with: JWT, the setup's tiers and rates, detection on. */
export function evalPolicySpec(setup: PipelineSetup): PolicySpecInput {
  const tiers = Object.entries(setup.requestsPerMinute).map(([name, rpm]) => ({ name, requestsPerMinute: rpm, burst: rpm }));
  return {
    protocol: "KServeV1",
    authentication: { jwt: [{ name: "idp", issuer: "https://idp.eval.test", jwks: '{"keys":[]}' }] },
    tiers: tiers.length > 0 ? tiers : [{ name: "default" }],
    rules: [{ models: ["*"] }],
    detection: { maxAction: "Block" },
  };
}

function filterConfig(setup: PipelineSetup): string {
  const [namespace = "", name = ""] = setup.policy.split("/");
  const policy = { apiVersion: "modelguard.dev/v1alpha1", kind: "ModelEndpointPolicy", metadata: { namespace, name }, spec: evalPolicySpec(setup) };
  policySchema.parse(policy);
  const t = translate({
    policy,
    deployments: [],
    secrets: [],
    wasm: { url: "file:///modelguard.wasm" },
    detector: { url: "http://modelguard.modelguard-system.svc.cluster.local:8080", key: "eval-".repeat(8) },
  });
  if (!t.filterConfig?.detector) throw new Error(`translate refused the evaluation policy: ${JSON.stringify(t.diagnostics)}`);
  return JSON.stringify(t.filterConfig);
}

interface Pod {
  host: ProxyWasmHost;
  vm: WasmVm;
}

export class WasmReportPipeline {
  private readonly pods: Pod[];
  private readonly path: string;
  private readonly upstream: (body: string) => number;
  private sent = 0;

  constructor(o: WasmPipelineOptions) {
    const module = new WebAssembly.Module(readFileSync(o.modulePath ?? MODULE_PATH));
    const config = filterConfig(o);
    this.upstream = o.upstream;
    this.pods = Array.from({ length: o.pods }, (_, i) => {
      const host = new ProxyWasmHost(module);
      return { host, vm: host.createConfiguredVm(config, { onLog: () => undefined, properties: { node: { id: `eval-pod-${i}` } } }) };
    });
    this.path = `/v1/models/${o.model}:predict`;
  }

  private pod(i: number): Pod {
    const p = this.pods[i];
    if (!p) throw new Error(`no pod ${i}`);
    return p;
  }

  private setClock(p: Pod, nowMs: number): void {
    const ns = BigInt(Math.round(nowMs)) * 1_000_000n;
    if (ns > p.host.clock.now()) p.host.clock.set(ns);
  }

  /** One request from `client` (verified claims sub and tier) to pod `pod` at `nowMs`. */
  handle(pod: number, client: string, tier: string, body: string, nowMs: number): void {
    const p = this.pod(pod);
    this.setClock(p, nowMs);
    simulateOne(
      p.host,
      p.vm,
      {
        method: "POST",
        path: this.path,
        headers: { "content-type": "application/json" },
        body,
        claims: { sub: client, tier },
        response: { status: this.upstream(body), headers: { "content-type": "application/json" }, body: '{"predictions":[[0.7,0.2,0.1]]}' },
      },
      this.sent++,
    );
  }

  /** Fires the pod's tick and returns the reports its VM sent (answered 202, as the operator does). */
  flush(pod: number, nowMs: number): Report[] {
    const p = this.pod(pod);
    this.setClock(p, nowMs);
    p.vm.tick();
    const out: Report[] = [];
    for (const call of p.vm.pendingHttpCalls) {
      out.push(reportSchema.parse(JSON.parse(Buffer.from(call.body).toString("utf8"))));
      p.vm.respondToHttpCall(call.token, { headers: { ":status": "202" }, body: "accepted" });
    }
    return out;
  }
}

export function createWasmPipeline(o: WasmPipelineOptions): WasmReportPipeline {
  return new WasmReportPipeline(o);
}
