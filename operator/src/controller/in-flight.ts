/**
 * Writes the operator made that its caches have not shown yet. A reconcile that runs before the
 * watch event of its own last write arrives would otherwise see the old state and write again.
 * An entry is dropped as soon as any event for that object arrives, ours or someone else's.
 */
export class InFlight {
  private readonly pending = new Map<string, string>();

  /** Records that `object` was written with content `hash`. */
  wrote(object: string, hash: string): void {
    this.pending.set(object, hash);
  }

  /** True if `hash` was written to `object` and no event about it has arrived since. */
  pendingWith(object: string, hash: string): boolean {
    return this.pending.get(object) === hash;
  }

  observed(object: string): void {
    this.pending.delete(object);
  }

  clear(): void {
    this.pending.clear();
  }
}
