/** For long-running scripts (demo, benches): everything started is stopped in reverse order, on
 *  success, failure or Ctrl-C. */
export interface StopStack {
  push(stop: () => Promise<void>): void;
  stopAll(): Promise<void>;
}

export function stopStack(say: (line: string) => void, interruptExitCode: () => number): StopStack {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  let interrupted = false;
  process.on("SIGINT", () => {
    if (interrupted) return;
    interrupted = true;
    say("\nstopping…");
    void stopAll().then(() => process.exit(interruptExitCode()));
  });
  return { push: (stop) => void stops.push(stop), stopAll };
}
