// Garbage collection at safe points. Modules are built with AssemblyScript's minimal runtime:
// no shadow stack and no collector steps interleaved with filter code, which together cost about
// a third of the filter's time under the incremental runtime. The price: __collect() does not
// scan the wasm stack, so it may only run where no managed object is held by a local alone, i.e.
// when the outermost host callback returns and every live object hangs off a global (the context
// maps). exports.ts brackets every callback with enter() and leave(); a callback the host makes
// from inside another (a hostcall that calls back) never collects.

/** Units of work (finished streams, ticks, configurations) between collections: at least… */
const MIN_UNITS: u32 = 16;
/** …and at most. */
const MAX_UNITS: u32 = 1024;
/** Body bytes handled between collections: parsing allocates several times a body's size. */
const BYTES_PER_COLLECTION: usize = 256 << 10;

let depth: i32 = 0;
let unitsPerCollection: u32 = MIN_UNITS;
let unitsSinceCollection: u32 = 0;
let bytesSinceCollection: usize = 0;

/** A complete body (request, response or call response) of `size` bytes was handed to the guest. */
export function noteBodyBytes(size: usize): void {
  bytesSinceCollection += size;
}

/** A host callback starts. */
export function enter(): void {
  depth++;
}

/**
 * A host callback returns; `unit`: it ended a unit of work. When the outermost callback returns,
 * collects after `unitsPerCollection` units or BYTES_PER_COLLECTION body bytes, whichever comes
 * first, so garbage stays bounded and linear memory stops growing after warm-up. A collection visits the whole heap (a large configuration
 * too), so the unit count follows the heap's bound, linear memory: one unit per 64 KiB page.
 * The cost per request then stays flat as the configuration grows, and since a small request
 * leaves a few KiB of garbage, garbage stays a small fraction of memory.
 */
export function leave(unit: bool): void {
  depth--;
  if (unit) unitsSinceCollection++;
  if (depth > 0) return;
  if (unitsSinceCollection < unitsPerCollection && bytesSinceCollection < BYTES_PER_COLLECTION) return;
  __collect();
  const pages = <u32>memory.size();
  unitsPerCollection = pages < MIN_UNITS ? MIN_UNITS : pages > MAX_UNITS ? MAX_UNITS : pages;
  unitsSinceCollection = 0;
  bytesSinceCollection = 0;
}
