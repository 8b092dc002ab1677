import { z } from "zod";
import { withRules } from "./cel-rule.js";
import { fieldPath, glob, list, positiveInt } from "./common.js";

const MiB = 1024 * 1024;

export const jsonLimitsSchema = z
  .object({
    maxDepth: positiveInt("Deepest nesting of objects and arrays. Default 32.", 256).default(32),
    maxStringLength: positiveInt("Longest string value, in bytes. Default 1048576.").default(MiB),
    maxArrayLength: positiveInt("Most elements in one array. Default 100000.").default(100_000),
    maxObjectKeys: positiveInt("Most keys in one object. Default 1000.").default(1000),
  })
  .strict()
  .describe("Limits applied while parsing JSON bodies; a malformed body is a 400.");

export const fieldConstraintSchema = withRules(
  z
    .object({
      path: fieldPath("Field to check, such as `max_tokens` or `messages[*].content`."),
      type: z.enum(["string", "number", "integer", "boolean", "array", "object"]).optional().describe("Required JSON type."),
      required: z.boolean().default(false).describe("Deny requests without the field. Default false."),
      minimum: z.number().optional().describe("Smallest allowed number."),
      maximum: z.number().optional().describe("Largest allowed number."),
      maxLength: positiveInt("Longest allowed string (bytes) or array (elements).").optional(),
      enum: list(z.string().max(256), 64, "Allowed string values.").optional(),
    })
    .strict()
    .describe("A constraint on one field of the JSON body."),
  [
    {
      rule: "!has(self.minimum) || !has(self.maximum) || self.minimum <= self.maximum",
      message: "minimum must not exceed maximum",
      fieldPath: ".minimum",
      path: ["minimum"],
      check: (f) => f.minimum === undefined || f.maximum === undefined || f.minimum <= f.maximum,
    },
  ],
);

export const urlPolicySchema = z
  .object({
    fields: list(fieldPath("A field holding a URL."), 16, "Fields holding URLs the model will fetch.").min(1),
    allowedSchemes: list(z.enum(["https", "http"]), 2, "Allowed URL schemes. Default [https].").default(["https"]),
    allowedHosts: list(glob("Host pattern, such as `*.example.com`.", 253), 64, "Hosts the URLs may point to. Empty: any public host.").optional(),
    denyPrivateAddresses: z
      .boolean()
      .default(true)
      .describe("Deny IP literals and names in private, loopback, link-local, CGNAT, multicast and cloud-metadata ranges, in every encoding. Default true."),
  })
  .strict()
  .describe("Server-side request forgery protection for URL fields.");

export const imagePolicySchema = z
  .object({
    fields: list(fieldPath("A field holding a base64 image."), 16, "Fields holding base64 images (a `data:` URL prefix is accepted).").min(1),
    formats: list(z.enum(["png", "jpeg", "gif", "webp"]), 4, "Allowed formats, checked by magic bytes. Default [png, jpeg].").default(["png", "jpeg"]),
    maxDecodedBytes: positiveInt("Largest decoded image, in bytes. Default 5242880.").default(5 * MiB),
    maxWidth: positiveInt("Widest declared image, in pixels. Default 4096.", 65535).default(4096),
    maxHeight: positiveInt("Tallest declared image, in pixels. Default 4096.", 65535).default(4096),
    maxPixels: positiveInt("Most declared pixels (width × height), against decompression bombs. Default 16777216.").default(16_777_216),
  })
  .strict()
  .describe("Checks on base64-encoded images.");

export const promptPolicySchema = z
  .object({
    fields: list(fieldPath("A field holding prompt text."), 16, "Fields holding prompt text. Default [`messages[*].content`, `prompt`].").default([
      "messages[*].content",
      "prompt",
    ]),
    denyPatterns: list(z.string().min(1).max(256), 64, "Case-insensitive patterns; a prompt containing one is denied. `*` matches any run of characters.").optional(),
    maxChars: positiveInt("Longest prompt, summed over all prompt fields, in bytes.").optional(),
  })
  .strict()
  .describe("Prompt rules for LLM endpoints.");

export const payloadSchema = z
  .object({
    maxBodyBytes: positiveInt("Largest request body, in bytes; larger requests get 413 before the body is read. Default 1048576.", 64 * MiB).default(MiB),
    contentTypes: list(
      z.string().min(1).max(128).regex(/^[a-z0-9.+-]+\/[a-z0-9.+*-]+$/, { message: "must be a media type such as application/json" }),
      16,
      "Accepted media types for requests with a body; others get 415. Default [application/json].",
    ).default(["application/json"]),
    json: jsonLimitsSchema.prefault({}),
    fields: list(fieldConstraintSchema, 64, "Constraints on fields of the JSON body.").optional(),
    urls: urlPolicySchema.optional(),
    images: imagePolicySchema.optional(),
    prompts: promptPolicySchema.optional(),
  })
  .strict()
  .describe("Request payload validation.");
