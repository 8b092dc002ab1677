// ClientRestrictions of a policy: which apply now (they go into the filter config), which have
// expired (the operator deletes them), and when the next one expires (the policy is reconciled
// again then, so the filter config drops it on time; the filter also enforces the expiry itself).
import type { FilterRestriction } from "../api/filter-config.js";
import type { RestrictionSpec } from "../api/client-restriction.js";
import type { ApiObject } from "./objects.js";

export interface RestrictionSplit {
  active: FilterRestriction[];
  expired: ApiObject[];
  /** Milliseconds until the earliest active restriction expires; undefined when none is active. */
  nextExpiryInMs?: number;
}

function specOf(o: ApiObject): RestrictionSpec | undefined {
  const s = (o as { spec?: RestrictionSpec }).spec;
  return s && typeof s.client === "string" && typeof s.expiresAt === "string" ? s : undefined;
}

/** The restrictions in `objects` that name `policyName`, split by `nowMs`. Pure. */
export function splitRestrictions(objects: readonly ApiObject[], policyName: string, nowMs: number): RestrictionSplit {
  const out: RestrictionSplit = { active: [], expired: [] };
  for (const o of objects) {
    const s = specOf(o);
    if (!s || s.policyName !== policyName) continue;
    const expiresAtMs = Date.parse(s.expiresAt);
    if (!Number.isFinite(expiresAtMs)) continue;
    if (expiresAtMs <= nowMs) {
      out.expired.push(o);
      continue;
    }
    out.active.push({
      client: s.client,
      action: s.action === "Block" ? "block" : "throttle",
      ...(s.action === "Throttle" && s.requestsPerMinute !== undefined ? { requestsPerMinute: s.requestsPerMinute } : {}),
      expiresAtMs,
    });
    const inMs = expiresAtMs - nowMs;
    if (out.nextExpiryInMs === undefined || inMs < out.nextExpiryInMs) out.nextExpiryInMs = inMs;
  }
  return out;
}
