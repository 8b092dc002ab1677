// A callback the host makes from inside another (Envoy: proxy_on_http_call_response from inside
// proxy_http_call) must not collect garbage the outer callback still holds (abi/collect.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fixtureHost } from "./test-support.js";

describe("callbacks from inside callbacks", () => {
  it("an http call completed inside proxy_http_call reaches the guest, and collection waits for the outer callback", () => {
    const host = fixtureHost("reentrant");
    const lines: string[] = [];
    let answered = 0;
    const vm = host.createConfiguredVm("{}", {
      onLog: (e) => lines.push(e.message),
      answerHttpCallsInline: () => {
        answered++;
        return { headers: { ":status": "503" } };
      },
    });
    for (let i = 0; i < 5; i++) vm.tick();
    assert.equal(answered, 200);
    assert.deepEqual(lines, Array.from({ length: 5 }, () => "intact inline=40"));
    assert.equal(vm.pendingHttpCalls.length, 0, "inline answers leave nothing pending");
  });
});
