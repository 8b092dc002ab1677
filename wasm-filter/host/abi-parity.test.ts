// The ABI numbers are written twice, once per language (guest: assembly/abi/types.ts, host:
// host/abi.ts). This test keeps the two in agreement: every member the host knows must have the
// same value in the guest.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import * as host from "./abi.js";

function guestEnums(): Map<string, Map<string, number>> {
  const text = readFileSync(new URL("../assembly/abi/types.ts", import.meta.url), "utf8");
  const out = new Map<string, Map<string, number>>();
  for (const m of text.matchAll(/export enum (\w+) \{([^}]*)\}/g)) {
    const members = new Map<string, number>();
    for (const line of (m[2] ?? "").split("\n")) {
      const mm = /^\s*(\w+)\s*=\s*(\d+),?/.exec(line);
      if (mm?.[1] && mm[2]) members.set(mm[1], Number(mm[2]));
    }
    if (m[1]) out.set(m[1], members);
  }
  return out;
}

it("host and guest agree on every ABI number", () => {
  const guest = guestEnums();
  const hostEnums: Record<string, Record<string, unknown>> = {
    WasmResult: host.WasmResult, LogLevel: host.LogLevel, FilterHeadersStatus: host.FilterHeadersStatus,
    FilterDataStatus: host.FilterDataStatus, FilterTrailersStatus: host.FilterTrailersStatus, BufferType: host.BufferType,
    MapType: host.MapType, StreamType: host.StreamType, MetricType: host.MetricType,
  };
  let checked = 0;
  for (const [name, e] of Object.entries(hostEnums)) {
    const g = guest.get(name);
    assert.ok(g, `guest has no enum ${name}`);
    for (const [member, value] of Object.entries(e)) {
      if (typeof value !== "number") continue; // reverse mapping entries
      assert.equal(g.get(member), value, `${name}.${member}`);
      checked++;
    }
  }
  assert.ok(checked > 40, `only ${checked} members compared`);
});
