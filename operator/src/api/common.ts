import { z } from "zod";

/** Reusable field schemas. Every list and string is bounded so CEL cost estimates stay low. */

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const dnsLabel = (what: string) =>
  z
    .string()
    .min(1)
    .max(63)
    .regex(DNS_LABEL, { message: "must be a lowercase RFC 1123 label (a-z, 0-9, '-')" })
    .describe(what);

/** A JSON field path such as `messages[*].content` or `instances[0].image_url`. */
export const FIELD_PATH = /^[A-Za-z0-9_$@-]+(\[(\*|[0-9]+)\])*(\.[A-Za-z0-9_$@-]+(\[(\*|[0-9]+)\])*)*$/;

export const fieldPath = (what: string) =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(FIELD_PATH, { message: "must be a field path such as `messages[*].content` or `instances[0].image_url`" })
    .describe(what);

/** A glob where `*` matches any run of characters. */
export const glob = (what: string, max = 253) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\s]+$/, { message: "must not contain whitespace" })
    .describe(what);

export const positiveInt = (what: string, max = 1_000_000_000) => z.number().int().gt(0).lte(max).describe(what);

export const list = <T extends z.ZodType>(item: T, max: number, what: string) => z.array(item).max(max).describe(what);

export const secretRef = (what: string) =>
  z
    .object({
      name: z
        .string()
        .min(1)
        .max(253)
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: "must be a valid Secret name" })
        .describe("Name of a Secret in the policy's namespace."),
    })
    .strict()
    .describe(what);
