import { CLIENT_HEADER, TIER_HEADER } from "../../api/constants.js";
import type { ResolvedPolicy } from "../ir.js";

/** Envoy ratelimit service units and the tier fields that set them. */
export const WINDOWS = [
  { unit: "second", field: "requestsPerSecond" },
  { unit: "minute", field: "requestsPerMinute" },
  { unit: "hour", field: "requestsPerHour" },
  { unit: "day", field: "requestsPerDay" },
] as const;

export type WindowUnit = (typeof WINDOWS)[number]["unit"];

/** One ratelimit-service domain per policy, so policies never share counters. */
export const rateLimitDomain = (policy: ResolvedPolicy) => `modelguard.${policy.namespace}.${policy.name}`;

/** The units at least one tier limits, in fixed order. */
export function windowsInUse(policy: ResolvedPolicy): WindowUnit[] {
  return WINDOWS.filter((w) => policy.spec.tiers.some((t) => t[w.field] !== undefined)).map((w) => w.unit);
}

/**
 * The ratelimit service's configuration for a policy: window → tier → client (each distinct
 * client value gets its own counter). A request sends one descriptor per window in use.
 */
export function buildRateLimitServiceConfig(policy: ResolvedPolicy): Record<string, unknown> {
  return {
    domain: rateLimitDomain(policy),
    descriptors: WINDOWS.flatMap((w) => {
      const tiers = policy.spec.tiers.flatMap((t) => {
        const limit = t[w.field];
        if (limit === undefined) return [];
        return [
          {
            key: "tier",
            value: t.name,
            descriptors: [{ key: "client", rate_limit: { unit: w.unit, requests_per_unit: limit } }],
          },
        ];
      });
      return tiers.length > 0 ? [{ key: "window", value: w.unit, descriptors: tiers }] : [];
    }),
  };
}

/** Route-level actions producing the descriptors above from the filter-set identity headers. */
export function buildRateLimitActions(policy: ResolvedPolicy): Record<string, unknown>[] {
  return windowsInUse(policy).map((unit) => ({
    actions: [
      { generic_key: { descriptor_key: "window", descriptor_value: unit } },
      { request_headers: { header_name: TIER_HEADER, descriptor_key: "tier" } },
      { request_headers: { header_name: CLIENT_HEADER, descriptor_key: "client" } },
    ],
  }));
}
