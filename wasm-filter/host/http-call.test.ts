// HTTP callouts: the call is recorded, the stream waits, and the answer
// resumes it (continue_stream) or ends it (local reply).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FEATURES_CONFIG, OK_UPSTREAM, fixtureHost, header, utf8 } from "./test-support.js";

describe("http_call", () => {
  it("records the call and resumes the request when the answer is 200", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG, { knownUpstreams: ["auth-cluster"] });
    const calls: string[] = [];
    const result = host.exchange(vm, { headers: { ":path": "/callout" } }, OK_UPSTREAM, {
      answerHttpCall: (call) => {
        calls.push(`${call.upstream} ${header(call.headers, ":path")} ${utf8(call.body)} ${call.timeoutMs} ${call.contextId}`);
        return { headers: { ":status": "200" }, body: "allowed" };
      },
    });
    assert.deepEqual(calls, [`auth-cluster /check probe 1000 ${result.contextId}`]);
    assert.equal(result.outcome, "forwarded");
    assert.equal(header(result.request?.headers, "x-callout-body"), "allowed");
  });

  it("answers locally when the call fails", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    const result = host.exchange(vm, { headers: { ":path": "/callout" } }, OK_UPSTREAM, { answerHttpCall: () => null });
    assert.equal(result.outcome, "local_reply");
    assert.equal(result.localReply?.status, 503);
    assert.equal(result.localReply?.phase, "proxy_on_http_call_response");
  });

  it("stalls without an answer, leaving the call pending", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    const result = host.exchange(vm, { headers: { ":path": "/callout" } }, OK_UPSTREAM);
    assert.equal(result.outcome, "stalled");
    assert.equal(result.stalledIn, "request");
    assert.equal(result.request, null);
    assert.equal(vm.pendingHttpCalls.length, 1);
  });

  it("rejects unknown upstreams like an unknown cluster", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG, { knownUpstreams: ["other"] });
    const result = host.exchange(vm, { headers: { ":path": "/callout" } }, OK_UPSTREAM);
    assert.equal(result.localReply?.status, 500);
    assert.equal(result.localReply?.details, "callout_dispatch_failed");
  });
});
