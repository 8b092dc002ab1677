// Moving bytes across the boundary. The host writes results into static
// return slots and hands over blocks it got from proxy_on_memory_allocate
// (heap.alloc, outside the GC); we copy them into managed ArrayBuffers and free
// them at once, so nothing the host owns is ever reachable from GC objects.

/** Return slots for `uint8_t **` / `size_t *` / `uint64_t *` results. Hostcalls never nest, so one set suffices. */
export const RETURN_PTR: usize = memory.data(4, 4);
export const RETURN_SIZE: usize = memory.data(4, 4);
export const RETURN_U32: usize = memory.data(4, 4);
export const RETURN_U64: usize = memory.data(8, 8);

/** Copies a host-allocated block into a managed buffer and frees the block. */
export function takeHostBlock(ptr: usize, size: usize): ArrayBuffer {
  const out = new ArrayBuffer(<i32>size);
  if (ptr != 0) {
    if (size > 0) memory.copy(changetype<usize>(out), ptr, size);
    heap.free(ptr);
  }
  return out;
}

/** Reads the block the host returned through RETURN_PTR / RETURN_SIZE. */
export function takeReturnedBlock(): ArrayBuffer {
  return takeHostBlock(load<usize>(RETURN_PTR), load<usize>(RETURN_SIZE));
}

/** Clears the return slots so a host that writes nothing reads back as empty. */
export function resetReturnSlots(): void {
  store<usize>(RETURN_PTR, 0);
  store<usize>(RETURN_SIZE, 0);
}

export function ptrOf(buffer: ArrayBuffer): usize {
  return changetype<usize>(buffer);
}

export function utf8(text: string): ArrayBuffer {
  return String.UTF8.encode(text);
}
