// Typed failures a caller of the host can branch on.

/** The guest trapped (unreachable, out-of-bounds access, abort). The VM is unusable afterwards, as in Envoy. */
export class GuestTrapError extends Error {
  override readonly name = "GuestTrapError";
  constructor(
    readonly callback: string,
    readonly contextId: number,
    /** The guest's own account of the failure, when its abort handler logged one. */
    readonly abortMessage: string | undefined,
    options: { cause: unknown },
  ) {
    super(`guest trapped in ${callback}(context ${contextId})${abortMessage ? `: ${abortMessage}` : ""}`, options);
  }
}

/** A call on a VM that trapped earlier. */
export class VmFailedError extends Error {
  override readonly name = "VmFailedError";
  constructor(readonly callback: string) {
    super(`VM failed earlier; refusing to call ${callback}`);
  }
}

/** The module imports functions this host (and Envoy) does not provide. */
export class UnsupportedImportError extends Error {
  override readonly name = "UnsupportedImportError";
  constructor(readonly imports: readonly string[]) {
    super(`module imports functions the host does not provide: ${imports.join(", ")}`);
  }
}

/** proxy_on_vm_start returned false. */
export class VmStartError extends Error {
  override readonly name = "VmStartError";
  constructor() {
    super("proxy_on_vm_start returned false");
  }
}
