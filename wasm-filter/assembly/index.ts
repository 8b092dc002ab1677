// The ModelGuard filter module (build/modelguard.wasm). AssemblyScript exports only what the entry
// file exports: the proxy-wasm ABI callbacks, with ModelGuard's root context registered.
import { registerRootContext, RootContext } from "./abi";
import { ModelGuardRoot } from "./filter/root";

export * from "./abi/exports";

registerRootContext((id: u32): RootContext => new ModelGuardRoot(id));
