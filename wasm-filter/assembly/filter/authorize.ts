// Model × tier × scope × claim × method × path: a request passes when any rule matches all.
import { Glob } from "../util/glob";
import { ClaimReader } from "./claims";
import { AccessRule } from "./config-types";
import { Identity } from "./identity";
import { Reason } from "./reasons";

/** -1 when allowed, else the deny reason of the first rule that names the model. */
export function authorize(rules: AccessRule[], id: Identity, model: string, method: string, path: string, claims: ClaimReader): i32 {
  let reason: i32 = <i32>Reason.ModelNotAllowed;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (!anyGlob(r.models, model)) continue;
    const why = ruleFailure(r, id, method, path, claims);
    if (why < 0) return -1;
    if (reason == <i32>Reason.ModelNotAllowed) reason = why;
  }
  return reason;
}

function ruleFailure(r: AccessRule, id: Identity, method: string, path: string, claims: ClaimReader): i32 {
  if (r.methods.length > 0 && !r.methods.includes(method)) return <i32>Reason.MethodNotAllowed;
  if (r.paths.length > 0 && !anyGlob(r.paths, path)) return <i32>Reason.PathNotAllowed;
  if (r.tiers.length > 0 && !r.tiers.includes(id.tier)) return <i32>Reason.TierNotAllowed;
  for (let i = 0; i < r.scopes.length; i++) {
    if (!id.scopes.includes(r.scopes[i])) return <i32>Reason.ScopeMissing;
  }
  if (r.claims.length > 0) {
    // API-key clients carry no claims, so claim requirements cannot be met by them.
    if (id.viaApiKey) return <i32>Reason.ClaimMissing;
    for (let i = 0; i < r.claims.length; i++) {
      const c = r.claims[i];
      const have = claims.getStrings(c.path);
      let ok = false;
      for (let j = 0; j < c.values.length && !ok; j++) ok = have.includes(c.values[j]);
      if (!ok) return <i32>Reason.ClaimMissing;
    }
  }
  return -1;
}

function anyGlob(patterns: Glob[], text: string): bool {
  for (let i = 0; i < patterns.length; i++) if (patterns[i].matches(text)) return true;
  return false;
}
