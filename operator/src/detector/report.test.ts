import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_REPORT_CLIENTS, MAX_REPORT_RECORDS, reportSchema } from "./report.js";

const x = Array.from({ length: 16 }, (_, i) => i / 10 - 0.5);

function report(): Record<string, unknown> {
  return {
    version: 1,
    policy: "ml/tabular-classifier",
    source: "model-7c9f-abcde",
    windowStartMs: 1_770_000_000_000,
    windowEndMs: 1_770_000_002_000,
    dropped: 0,
    clients: [
      {
        client: "alice",
        tier: "pro",
        records: [
          { t: 1_770_000_000_100, model: "credit-risk", status: 200, reason: "", x },
          { t: 1_770_000_000_200, model: "credit-risk", status: 400, reason: "json_malformed" },
        ],
      },
      { client: "svc-batch", tier: "", records: [{ t: 1_770_000_001_000, model: "", status: 429, reason: "quota_exceeded", x }] },
    ],
  };
}

/** A copy of the valid report with `edit` applied. */
function edited(edit: (r: Record<string, unknown> & { clients: { records: Record<string, unknown>[] }[] }) => void): unknown {
  const r = structuredClone(report()) as Record<string, unknown> & { clients: { records: Record<string, unknown>[] }[] };
  edit(r);
  return r;
}

test("a well-formed report parses, with and without sketches", () => {
  const parsed = reportSchema.parse(report());
  assert.equal(parsed.clients[0]?.records[1]?.x, undefined);
  assert.deepEqual(parsed.clients[0]?.records[0]?.x, x);
});

test("unknown fields are refused at every level", () => {
  for (const [where, bad] of [
    ["report", edited((r) => (r.extra = 1))],
    ["client", edited((r) => ((r.clients[0] as Record<string, unknown>).extra = 1))],
    ["record", edited((r) => ((r.clients[0]?.records[0] as Record<string, unknown>).path = "/v1/models/m"))],
  ] as const) {
    assert.equal(reportSchema.safeParse(bad).success, false, where);
  }
});

test("types and bounds are enforced", () => {
  const cases: [string, unknown][] = [
    ["version 2", edited((r) => (r.version = 2))],
    ["policy without namespace", edited((r) => (r.policy = "tabular"))],
    ["policy with upper case", edited((r) => (r.policy = "ML/Tabular"))],
    ["empty source", edited((r) => (r.source = ""))],
    ["window end before start", edited((r) => (r.windowEndMs = (r.windowStartMs as number) - 1))],
    ["fractional time", edited((r) => ((r.clients[0]?.records[0] as Record<string, unknown>).t = 1.5))],
    ["negative dropped", edited((r) => (r.dropped = -1))],
    ["status 99", edited((r) => ((r.clients[0]?.records[0] as Record<string, unknown>).status = 99))],
    ["status 600", edited((r) => ((r.clients[0]?.records[0] as Record<string, unknown>).status = 600))],
    ["reason not a code", edited((r) => ((r.clients[0]?.records[0] as Record<string, unknown>).reason = "Quota exceeded!"))],
    ["15-number sketch", edited((r) => ((r.clients[0]?.records[0] as Record<string, unknown>).x = x.slice(1)))],
    ["sketch with a string", edited((r) => ((r.clients[0]?.records[0] as Record<string, unknown>).x = [...x.slice(1), "1"]))],
    ["empty client id", edited((r) => ((r.clients[0] as Record<string, unknown>).client = ""))],
    ["client id over 256", edited((r) => ((r.clients[0] as Record<string, unknown>).client = "c".repeat(257)))],
    ["model over 256", edited((r) => ((r.clients[0]?.records[0] as Record<string, unknown>).model = "m".repeat(257)))],
    ["client without records", edited((r) => (r.clients[0] as { records: unknown[] }).records.splice(0))],
  ];
  for (const [name, bad] of cases) assert.equal(reportSchema.safeParse(bad).success, false, name);
  assert.equal(reportSchema.safeParse(edited((r) => ((r.clients[0] as Record<string, unknown>).client = "c".repeat(256)))).success, true, "256 characters are fine");
});

test("a report carries at most 4096 records and 1024 clients in total", () => {
  const record = { t: 1, model: "m", status: 200, reason: "" };
  const withClients = (sizes: number[]) => edited((r) => (r.clients = sizes.map((n, i) => ({ client: `c${i}`, tier: "", records: Array.from({ length: n }, () => record) }))));
  const half = MAX_REPORT_RECORDS / 2;
  assert.equal(reportSchema.safeParse(withClients([half, half])).success, true, "4096 records");
  assert.equal(reportSchema.safeParse(withClients([half, half, 1])).success, false, "4097 records over three clients");
  assert.equal(reportSchema.safeParse(withClients(new Array<number>(MAX_REPORT_CLIENTS).fill(1))).success, true, "1024 clients");
  assert.equal(reportSchema.safeParse(withClients(new Array<number>(MAX_REPORT_CLIENTS + 1).fill(1))).success, false, "1025 clients");
});
