import assert from "node:assert/strict";
import { test } from "node:test";
import { KeyBackoff } from "./backoff.js";
import { WorkQueue } from "./work-queue.js";

test("a key queued many times is handed out once", async () => {
  const q = new WorkQueue();
  q.add("ns/a");
  q.add("ns/b");
  q.add("ns/a");
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), "ns/a");
  assert.equal(await q.get(), "ns/b");
  assert.equal(q.len(), 0);
});

test("a key added while it is processed comes back after done, never to a second worker", async () => {
  const q = new WorkQueue();
  q.add("ns/a");
  const key = await q.get();
  assert.equal(key, "ns/a");
  q.add("ns/a");
  assert.equal(q.len(), 0, "not handed out while in progress");
  let second: string | undefined;
  void q.get().then((k) => (second = k));
  await Promise.resolve();
  assert.equal(second, undefined);
  q.done("ns/a");
  await Promise.resolve();
  assert.equal(second, "ns/a");
});

test("a waiting worker gets a key as soon as it is added", async () => {
  const q = new WorkQueue();
  const got = q.get();
  q.add("ns/x");
  assert.equal(await got, "ns/x");
});

test("backoff doubles per failure up to the cap and resets on forget", () => {
  const b = new KeyBackoff(100, 1_000);
  assert.deepEqual([b.next("k"), b.next("k"), b.next("k"), b.next("k"), b.next("k")], [100, 200, 400, 800, 1_000]);
  assert.equal(b.next("other"), 100, "per key");
  b.forget("k");
  assert.equal(b.next("k"), 100);
});

test("addRateLimited re-adds the key after its backoff", async () => {
  const q = new WorkQueue({ baseDelayMs: 5, maxDelayMs: 20 });
  assert.equal(q.addRateLimited("ns/a"), 5);
  assert.equal(q.len(), 0);
  assert.equal(await q.get(), "ns/a");
  assert.equal(q.failures("ns/a"), 1);
  q.forget("ns/a");
  assert.equal(q.failures("ns/a"), 0);
});

test("shutDown with drain hands out what is queued, then undefined; without drain drops it", async () => {
  const q = new WorkQueue();
  q.add("ns/a");
  q.shutDown(true);
  q.add("ns/b");
  assert.equal(await q.get(), "ns/a");
  assert.equal(await q.get(), undefined);

  const r = new WorkQueue();
  r.add("ns/a");
  const waiting = new WorkQueue();
  const pending = waiting.get();
  waiting.shutDown(false);
  assert.equal(await pending, undefined);
  r.shutDown(false);
  assert.equal(await r.get(), undefined);
});

test("whenIdle resolves once nothing is queued or in progress", async () => {
  const q = new WorkQueue();
  q.add("ns/a");
  let idle = false;
  void q.whenIdle().then(() => (idle = true));
  const k = await q.get();
  await Promise.resolve();
  assert.equal(idle, false);
  q.done(k ?? "");
  await Promise.resolve();
  assert.equal(idle, true);
});
