// Model × tier × scope × claim × method × path through the real filter, as a generated table
// checked against a reference implementation of the documented rule semantics.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicySpecInput } from "../../../operator/src/api/policy.js";
import type { SimRequest } from "../../host/simulation.js";
import { baseSpec, startFilter } from "./harness.js";

type Rule = NonNullable<PolicySpecInput["rules"]>[number];

const RULES: Rule[] = [
  { name: "small", models: ["small-*"], methods: ["POST"], paths: ["/v1/chat/completions", "/v1/models/*:predict", "/v2/models/*/infer"] },
  { name: "large", models: ["large-*"], tiers: ["pro"], requiredScopes: ["models:large"], methods: ["POST"] },
  { name: "fraud", models: ["fraud-?x", "fraud-*"], requiredClaims: [{ claim: "groups", values: ["risk", "payments"] }] },
  { name: "meta", models: ["*"], methods: ["GET"], paths: ["/v1/models", "/v2/models/*"] },
];

const glob = (p: string, s: string) => new RegExp(`^${p.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(s);

interface Caller {
  name: string;
  claims: Record<string, unknown>;
  tier: string;
  scopes: string[];
  groups: string[];
}

const MANY = Array.from({ length: 120 }, (_, i) => `entry-${i}`);
const CALLERS: Caller[] = [
  { name: "free", claims: { sub: "f", tier: "free" }, tier: "free", scopes: [], groups: [] },
  { name: "pro", claims: { sub: "p", tier: "pro" }, tier: "pro", scopes: [], groups: [] },
  { name: "pro+scope(str)", claims: { sub: "ps", tier: "pro", scope: "read models:large" }, tier: "pro", scopes: ["read", "models:large"], groups: [] },
  { name: "pro+scope(list)", claims: { sub: "pl", tier: "pro", scope: ["models:large"] }, tier: "pro", scopes: ["models:large"], groups: [] },
  { name: "free+scope", claims: { sub: "fs", tier: "free", scope: "models:large" }, tier: "free", scopes: ["models:large"], groups: [] },
  { name: "risk", claims: { sub: "r", tier: "free", groups: ["risk"] }, tier: "free", scopes: [], groups: ["risk"] },
  { name: "payments", claims: { sub: "y", tier: "pro", groups: ["ops", "payments"] }, tier: "pro", scopes: [], groups: ["ops", "payments"] },
  { name: "other-group", claims: { sub: "o", tier: "pro", groups: ["marketing"] }, tier: "pro", scopes: [], groups: ["marketing"] },
  // Long lists (directory groups often run to hundreds): the needed entry comes after the 100th.
  { name: "many-groups", claims: { sub: "mg", tier: "pro", groups: [...MANY, "payments"] }, tier: "pro", scopes: [], groups: [...MANY, "payments"] },
  { name: "many-scopes", claims: { sub: "ms", tier: "pro", scope: [...MANY, "models:large"] }, tier: "pro", scopes: [...MANY, "models:large"], groups: [] },
];

/** The documented semantics: allowed if any rule naming the model passes all of its conditions;
 *  otherwise the first such rule's first failing condition, or model_not_allowed. */
function expected(c: Caller, model: string, method: string, path: string): string {
  let reason = "model_not_allowed";
  for (const r of RULES) {
    if (!r.models.some((m) => glob(m, model))) continue;
    let why = "";
    if (r.methods && !r.methods.includes(method as never)) why = "method_not_allowed";
    else if (r.paths && !r.paths.some((p) => glob(p, path))) why = "path_not_allowed";
    else if (r.tiers && !r.tiers.includes(c.tier)) why = "tier_not_allowed";
    else if ((r.requiredScopes ?? []).some((s) => !c.scopes.includes(s))) why = "scope_missing";
    else if ((r.requiredClaims ?? []).some((rc) => !rc.values.some((v) => c.groups.includes(v)))) why = "claim_missing";
    if (why === "") return "";
    if (reason === "model_not_allowed") reason = why;
  }
  return reason;
}

interface Shape {
  name: string;
  method: string;
  path: (model: string) => string;
  body: (model: string) => string | undefined;
}

const SHAPES: Shape[] = [
  { name: "openai chat", method: "POST", path: () => "/v1/chat/completions", body: (m) => JSON.stringify({ model: m, messages: [] }) },
  { name: "openai other path", method: "POST", path: () => "/v1/embeddings", body: (m) => JSON.stringify({ model: m, input: "x" }) },
  { name: "kserve v1", method: "POST", path: (m) => `/v1/models/${m}:predict`, body: () => JSON.stringify({ instances: [[1, 2]] }) },
  { name: "oip v2", method: "POST", path: (m) => `/v2/models/${m}/infer`, body: () => JSON.stringify({ inputs: [] }) },
  { name: "oip v2 versioned", method: "POST", path: (m) => `/v2/models/${m}/versions/3/infer`, body: () => JSON.stringify({ inputs: [] }) },
  { name: "v2 metadata", method: "GET", path: (m) => `/v2/models/${m}`, body: () => undefined },
  { name: "kserve put", method: "PUT", path: (m) => `/v1/models/${m}:predict`, body: () => JSON.stringify({ instances: [] }) },
];

const MODELS = ["small-a", "small-b", "large-x", "large-", "fraud-1x", "fraud-detector", "other", "smal", "SMALL-a"];

describe("authorization table", () => {
  const spec: PolicySpecInput = { ...baseSpec(), rules: RULES, payload: { maxBodyBytes: 4096 } };
  let count = 0;
  for (const shape of SHAPES) {
    it(`${shape.name}: every caller × model`, async () => {
      const f = await startFilter(spec);
      for (const c of CALLERS) {
        for (const model of MODELS) {
          const path = shape.path(model);
          const body = shape.body(model);
          const req: SimRequest = { method: shape.method, path, claims: c.claims as NonNullable<SimRequest["claims"]>, ...(body ? { body, headers: { "content-type": "application/json" } } : {}) };
          const d = f.send(req);
          const want = expected(c, model, shape.method, path);
          assert.equal(d.reason, want, `${shape.name} ${c.name} ${model}: got ${d.status} ${d.reason}`);
          assert.equal(d.action, want === "" ? "allow" : "deny");
          if (want !== "") assert.equal(d.status, want === "model_not_allowed" || want.endsWith("_missing") || want.endsWith("_not_allowed") ? 403 : 0);
          count++;
        }
      }
      assert.equal(count % (CALLERS.length * MODELS.length), 0);
    });
  }

  it("an OpenAI body without a model is a 400 model_unknown", async () => {
    const f = await startFilter({ ...baseSpec(), protocol: "OpenAI" });
    const d = f.send({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: '{"messages":[]}', claims: { sub: "a", tier: "free" } });
    assert.equal(d.status, 400);
    assert.equal(d.reason, "model_unknown");
  });

  it("model names cannot smuggle path segments", async () => {
    const f = await startFilter({ ...baseSpec(), protocol: "KServeV1", rules: [{ models: ["public-*"] }] });
    for (const path of ["/v1/models/public-a/../secret:predict", "/v1/models/:predict", "/v1/models/public-a%2F..%2Fsecret:predict"]) {
      const d = f.send({ method: "POST", path, headers: { "content-type": "application/json" }, body: "{}", claims: { sub: "a", tier: "free" } });
      assert.equal(d.action, "deny", path);
    }
  });

  it("a query string does not change the model or the path a rule sees", async () => {
    const f = await startFilter({ ...baseSpec(), rules: [{ models: ["m"], paths: ["/v2/models/m/infer"] }] });
    const d = f.send({ method: "POST", path: "/v2/models/m/infer?x=/v2/models/other/infer", headers: { "content-type": "application/json" }, body: "{}", claims: { sub: "a", tier: "free" } });
    assert.equal(d.action, "allow");
  });
});
