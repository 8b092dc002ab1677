// One import for filter code: types, hostcalls, contexts, header pairs.
export * from "./types";
export * from "./hostcalls";
export * from "./context";
export { HeaderPair, PairsView, serializePairs, deserializePairs } from "./pairs";
export * from "./decode";
