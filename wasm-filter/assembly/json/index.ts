// JSON for the filter: strict parsing with limits, a mutable document model, compact
// serialization and field paths. Pure (no host calls); never throws on any input.
export { JsonError, jsonErrorName } from "./errors";
export { JSON_MAX_DEPTH_CEILING, JsonLimits } from "./limits";
export { JsonParseResult, parseJson, parseJsonAt, parseJsonString } from "./parse";
export { JSON_PATH_MAX_STEPS, JsonPath, JsonSlot, PathStep, compilePath, removeAt, select, selectFirst, selectSlots } from "./path";
export { JsonWriter, serializeJson, serializeJsonString } from "./serialize";
export { JsonKind, JsonValue, jsonEquals } from "./value";
