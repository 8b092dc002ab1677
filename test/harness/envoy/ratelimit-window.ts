import { pollUntil } from "../poll.js";

/** The ratelimit service counts in fixed windows aligned to the clock (per minute in our tests). If
 *  fewer than `marginS` seconds are left in the current minute, wait for the next one, so every
 *  request of a test falls into one window. Polls the clock with a deadline; no blind sleep. */
export async function awaitFreshMinute(marginS = 15): Promise<void> {
  const secondsLeft = () => 60 - (Math.floor(Date.now() / 1000) % 60);
  if (secondsLeft() >= marginS) return;
  const start = Math.floor(Date.now() / 60_000);
  await pollUntil(() => (Math.floor(Date.now() / 60_000) > start ? true : undefined), {
    what: "the next rate-limit minute",
    timeoutMs: (marginS + 5) * 1000,
    intervalMs: 200,
  });
}
