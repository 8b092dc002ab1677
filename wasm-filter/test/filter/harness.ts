// Drives the real compiled filter (build/modelguard.wasm) in the Node proxy-wasm host with
// configs produced by the real translator, so every test exercises the shipped code paths.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { policySchema, type PolicySpecInput } from "../../../operator/src/api/policy.js";
import type { FilterConfig } from "../../../operator/src/api/filter-config.js";
import { translate } from "../../../operator/src/translate/translate.js";
import type { Secret } from "../../../operator/src/translate/inputs.js";
import { ProxyWasmHost } from "../../host/host.js";
import { simulateOne, type SimDecision, type SimRequest } from "../../host/simulation.js";
import type { WasmVm } from "../../host/vm.js";

export const MODULE_PATH = fileURLToPath(new URL("../../build/modelguard.wasm", import.meta.url));

/** Builds the module if a test runs before `npm run build:wasm`. */
export async function ensureModule(): Promise<string> {
  if (!existsSync(MODULE_PATH)) {
    const build = (await import(new URL("../../scripts/build.mjs", import.meta.url).href)) as {
      buildEntry: (e: { name: string; source: string; output: string }) => Promise<string>;
    };
    await build.buildEntry({ name: "modelguard", source: "assembly/index.ts", output: "build/modelguard.wasm" });
  }
  return MODULE_PATH;
}

/** A minimal valid spec; tests override parts of it. */
export function baseSpec(): PolicySpecInput {
  return {
    protocol: "Auto",
    authentication: { jwt: [{ name: "idp", issuer: "https://idp.example.com", jwks: '{"keys":[]}' }] },
    tiers: [{ name: "free" }, { name: "pro" }],
    rules: [{ models: ["*"] }],
  };
}

/** The filter config the translator emits for `spec` (and Secrets), as the operator would. */
export function filterConfigFor(spec: PolicySpecInput, secrets: Secret[] = []): FilterConfig {
  const policy = { apiVersion: "modelguard.dev/v1alpha1", kind: "ModelEndpointPolicy", metadata: { name: "test", namespace: "ns" }, spec };
  const parsed = policySchema.safeParse(policy);
  if (!parsed.success) throw new Error(`test policy is invalid: ${JSON.stringify(parsed.error.issues)}`);
  const t = translate({ policy, deployments: [], secrets, wasm: { url: "file:///x.wasm" } });
  if (!t.filterConfig) throw new Error(`translate refused the test policy: ${JSON.stringify(t.diagnostics)}`);
  return t.filterConfig;
}

let compiled: WebAssembly.Module | undefined;

export interface Filter {
  host: ProxyWasmHost;
  vms: WasmVm[];
  send(req: SimRequest, vmIndex?: number): SimDecision;
  /** Log lines the filter wrote (audit lines and others), across VMs. */
  logs: string[];
}

/** A fresh host (own clock, shared data, metrics) with `workers` VMs configured from `spec`. */
export async function startFilter(spec: PolicySpecInput, opts: { secrets?: Secret[]; workers?: number; config?: string } = {}): Promise<Filter> {
  await ensureModule();
  // Compile once per test process; each host still gets fresh instances, clock and shared data.
  compiled ??= new WebAssembly.Module(readFileSync(MODULE_PATH));
  const host = new ProxyWasmHost(compiled);
  const logs: string[] = [];
  const config = opts.config ?? JSON.stringify(filterConfigFor(spec, opts.secrets ?? []));
  const vms = Array.from({ length: opts.workers ?? 1 }, () =>
    host.createConfiguredVm(config, { vmId: "modelguard", onLog: (e) => logs.push(e.message) }),
  );
  let n = 0;
  return {
    host,
    vms,
    logs,
    send(req, vmIndex) {
      const vm = vms[vmIndex ?? n % vms.length];
      if (!vm) throw new Error("no such VM");
      return simulateOne(host, vm, req, n++);
    },
  };
}

export const json = (v: unknown) => JSON.stringify(v);

/** A POST with a JSON body and verified claims. */
export const ALICE = { sub: "alice", tier: "free" };

/** A POST with a JSON body; `claims: null` sends none (an unauthenticated request). */
export function post(path: string, body: unknown, claims: Record<string, unknown> | null = ALICE, headers: Record<string, string> = {}): SimRequest {
  return {
    method: "POST",
    path,
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(claims !== null ? { claims: claims as NonNullable<SimRequest["claims"]> } : {}),
  };
}

export function chat(model: string, content: string, extra: Record<string, unknown> = {}, claims: Record<string, unknown> | null = ALICE): SimRequest {
  return post("/v1/chat/completions", { model, messages: [{ role: "user", content }], ...extra }, claims);
}
