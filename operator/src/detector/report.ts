/**
 * The report every sidecar's filter VM POSTs to the detector (contract 2): the records it saw
 * since its previous report, grouped by client. Strict: an unknown field or an out-of-range value
 * rejects the report, so a filter and an operator that disagree on the format fail loudly.
 */
import { z } from "zod";
import { SKETCH_DIM } from "./sketch.js";

export const MAX_REPORT_RECORDS = 4096;
export const MAX_REPORT_CLIENTS = 1024;
export const MAX_REPORT_STRING = 256;

const text = (what: string) => z.string().max(MAX_REPORT_STRING).describe(what);
const epochMs = (what: string) => z.int().gte(0).describe(what);

export const reportRecordSchema = z
  .object({
    t: epochMs("When the request arrived, ms since the epoch (the pod's clock)."),
    model: text("The model the request addressed, empty when none was found."),
    status: z.int().gte(100).lte(599).describe("HTTP status the client got."),
    reason: z
      .string()
      .max(MAX_REPORT_STRING)
      .regex(/^([a-z][a-z0-9_]*)?$/, { message: "must be a lower_snake deny reason code or empty" })
      .describe("Deny reason code, empty when the request was allowed."),
    x: z.array(z.number()).length(SKETCH_DIM).optional().describe("Input sketch; absent for requests without a JSON body."),
  })
  .strict();

export const reportClientSchema = z
  .object({
    client: text("Client id (verified JWT subject or API-key name).").min(1),
    tier: text("The client's tier, empty when it has none."),
    records: z.array(reportRecordSchema).min(1).max(MAX_REPORT_RECORDS).describe("Records in the order the VM saw them."),
  })
  .strict();

export const reportSchema = z
  .object({
    version: z.literal(1),
    policy: z
      .string()
      .max(MAX_REPORT_STRING)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: "must be <namespace>/<name>" })
      .describe("The ModelEndpointPolicy the reporting filter enforces."),
    source: text("The reporting pod or VM.").min(1),
    windowStartMs: epochMs("Start of the reporting window."),
    windowEndMs: epochMs("End of the reporting window: the VM has reported every record it saw before this."),
    dropped: z.int().gte(0).describe("Records the VM dropped because its buffer was full."),
    clients: z.array(reportClientSchema).max(MAX_REPORT_CLIENTS),
  })
  .strict()
  .refine((r) => r.windowStartMs <= r.windowEndMs, { message: "windowStartMs must not be after windowEndMs", path: ["windowEndMs"] })
  .refine((r) => r.clients.reduce((n, c) => n + c.records.length, 0) <= MAX_REPORT_RECORDS, {
    message: `a report carries at most ${MAX_REPORT_RECORDS} records`,
    path: ["clients"],
  });

export type Report = z.output<typeof reportSchema>;
export type ReportClient = z.output<typeof reportClientSchema>;
export type ReportRecord = z.output<typeof reportRecordSchema>;
