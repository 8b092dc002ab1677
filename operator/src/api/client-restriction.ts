import { z } from "zod";
import { withRules } from "./cel-rule.js";
import { dnsLabel, positiveInt } from "./common.js";

/** ClientRestriction: a throttle or block on one client of one policy, until it expires. */
export const RESTRICTION_KIND = "ClientRestriction";
export const RESTRICTION_PLURAL = "clientrestrictions";
export const RESTRICTION_SINGULAR = "clientrestriction";
export const RESTRICTION_SHORT_NAMES = ["mgcr"] as const;

export const restrictionSpecSchema = withRules(
  z
    .object({
      policyName: dnsLabel("Name of the ModelEndpointPolicy (same namespace) whose sidecars enforce this restriction."),
      client: z.string().min(1).max(256).describe("Client identity as the filter sees it: the JWT client-id claim, or `<secret>/<entry>` for an API key."),
      action: z.enum(["Throttle", "Block"]).describe("Throttle holds the client to requestsPerMinute (429 client_throttled); Block denies it (403 client_blocked)."),
      requestsPerMinute: positiveInt("Rate a throttled client is held to, per pod.", 100_000).optional(),
      expiresAt: z.iso.datetime({ offset: true }).describe("RFC 3339 time after which the restriction no longer applies; the operator then deletes it and records an Event."),
      reason: z.string().max(1024).default("").describe("Why: the detector's signals, or an administrator's note."),
      source: z.enum(["Detector", "Manual"]).default("Manual").describe("Who created it: the operator's detector or a person."),
      score: z.number().gte(0).optional().describe("The detector's score when it acted."),
    })
    .strict()
    .describe("Desired restriction. Delete the object to lift it early."),
  [
    {
      rule: "self.action != 'Throttle' || has(self.requestsPerMinute)",
      message: "requestsPerMinute is required when action is Throttle",
      fieldPath: ".requestsPerMinute",
      path: ["requestsPerMinute"],
      check: (s) => s.action !== "Throttle" || s.requestsPerMinute !== undefined,
    },
  ],
);

export type RestrictionSpec = z.output<typeof restrictionSpecSchema>;

export interface ClientRestriction {
  apiVersion: string;
  kind: typeof RESTRICTION_KIND;
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec: RestrictionSpec;
}
