// Garbage collection at safe points. Modules are built with AssemblyScript's minimal runtime:
// no shadow stack and no collector steps interleaved with filter code, which together cost about
// a third of the filter's time under the incremental runtime. The price: __collect() does not
// scan the wasm stack, so it may only run where no managed object is held by a local alone, i.e.
// last thing in a host callback, when every live object hangs off a global (the context maps).

/** Units of work (finished streams, ticks, configurations) between collections. */
const UNITS_PER_COLLECTION: u32 = 16;
/** Body bytes handled between collections: parsing allocates several times a body's size. */
const BYTES_PER_COLLECTION: usize = 256 << 10;

let unitsSinceCollection: u32 = 0;
let bytesSinceCollection: usize = 0;

/** A complete body (request, response or call response) of `size` bytes was handed to the guest. */
export function noteBodyBytes(size: usize): void {
  bytesSinceCollection += size;
}

/**
 * Called last in a callback that ends a unit of work: collects every UNITS_PER_COLLECTION units
 * or BYTES_PER_COLLECTION body bytes, whichever comes first, so garbage stays at a few small
 * requests' worth (or one large request's) and linear memory stops growing after warm-up.
 */
export function collectIfDue(): void {
  unitsSinceCollection++;
  if (unitsSinceCollection < UNITS_PER_COLLECTION && bytesSinceCollection < BYTES_PER_COLLECTION) return;
  __collect();
  unitsSinceCollection = 0;
  bytesSinceCollection = 0;
}
