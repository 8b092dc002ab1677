// Field paths into a JsonValue, compiled once (from config) and applied per request.
// Syntax: segments separated by "."; a segment is a key of [A-Za-z0-9_$@-]+ followed by any
// number of "[*]" (every item of an array) or "[<index>]" (one item; decimal, no leading
// zeros, at most 9 digits). Only the first segment may omit its key, to start at a
// top-level array ("[0].id", "[*]"). Examples: `messages[*].content`, `instances[0].image_url`,
// `outputs[*].data`, `max_tokens`, `choices[*].logprobs`, `data[*][0]`.
// Matching never fails: a missing key, an index out of range or a step of the wrong kind
// (a key on an array, a wildcard on an object) simply matches nothing there.
// No closures (AssemblyScript cannot capture locals): matches are collected into caller
// arrays, as values (`select`) or as slots (`selectSlots`) that can replace the value.
import { JsonKind, JsonValue } from "./value";

export enum PathStep {
  Key = 0,
  Index = 1,
  Wildcard = 2,
}

/** Most steps in one path: matching recurses once per step. */
export const JSON_PATH_MAX_STEPS: i32 = 64;

export class JsonPath {
  /** The text it was compiled from. */
  source: string = "";
  /** Kind of each step. */
  steps: Array<PathStep> = [];
  /** Key of each Key step ("" for the others). */
  keys: Array<string> = [];
  /** Index of each Index step (-1 for the others). */
  indexes: Array<i32> = [];

  get length(): i32 {
    return this.steps.length;
  }
}

/** Where a matched value lives: `parent` is an array (item `index`) or an object (entry `index`). */
export class JsonSlot {
  constructor(
    public parent: JsonValue,
    public index: i32,
  ) {}

  /** The matched value (null if the parent changed since the slot was taken). */
  get value(): JsonValue | null {
    return this.parent.valueAt(this.index);
  }

  /** Object key of the slot, "" for array items. */
  get key(): string {
    return this.parent.kind == JsonKind.Object ? this.parent.keyAt(this.index) : "";
  }

  /** Puts `value` where the match was. False if the slot is stale. */
  replace(value: JsonValue): bool {
    return this.parent.setAt(this.index, value);
  }
}

// @ts-ignore: decorator
@inline
function isKeyChar(c: u32): bool {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x5f || c == 0x24 || c == 0x40 || c == 0x2d
  );
}

/** Compiles `text`, or returns null when it is not a valid path. */
export function compilePath(text: string): JsonPath | null {
  const n = text.length;
  if (n == 0) return null;
  const path = new JsonPath();
  path.source = text;
  let i = 0;
  let first = true;
  while (true) {
    const keyStart = i;
    while (i < n && isKeyChar(<u32>text.charCodeAt(i))) i++;
    if (i > keyStart) {
      path.steps.push(PathStep.Key);
      path.keys.push(text.substring(keyStart, i));
      path.indexes.push(-1);
    } else if (!first || i >= n || text.charCodeAt(i) != 0x5b) {
      return null;
    }
    while (i < n && text.charCodeAt(i) == 0x5b) {
      i++;
      if (i + 1 < n && text.charCodeAt(i) == 0x2a && text.charCodeAt(i + 1) == 0x5d) {
        path.steps.push(PathStep.Wildcard);
        path.keys.push("");
        path.indexes.push(-1);
        i += 2;
        continue;
      }
      const digitsStart = i;
      let index: i32 = 0;
      while (i < n) {
        const c = <u32>text.charCodeAt(i);
        if (c - 0x30 >= 10) break;
        index = index * 10 + <i32>(c - 0x30);
        i++;
        if (i - digitsStart > 9) return null;
      }
      const count = i - digitsStart;
      if (count == 0 || (count > 1 && text.charCodeAt(digitsStart) == 0x30)) return null;
      if (i >= n || text.charCodeAt(i) != 0x5d) return null;
      i++;
      path.steps.push(PathStep.Index);
      path.keys.push("");
      path.indexes.push(index);
    }
    if (path.steps.length > JSON_PATH_MAX_STEPS) return null;
    if (i == n) return path;
    if (text.charCodeAt(i) != 0x2e) return null;
    i++;
    if (i == n) return null;
    first = false;
  }
  return null;
}

/** Appends every value `path` matches in `root`, in document order; returns how many. */
export function select(root: JsonValue, path: JsonPath, out: Array<JsonValue>): i32 {
  const before = out.length;
  walk(root, path, 0, path.steps.length, out);
  return out.length - before;
}

/** The first value `path` matches in `root`, or null. */
export function selectFirst(root: JsonValue, path: JsonPath): JsonValue | null {
  const out = new Array<JsonValue>();
  walk(root, path, 0, path.steps.length, out);
  return out.length > 0 ? unchecked(out[0]) : null;
}

/** Appends a slot for every match (for in-place replacement); returns how many. */
export function selectSlots(root: JsonValue, path: JsonPath, out: Array<JsonSlot>): i32 {
  const before = out.length;
  const steps = path.steps.length;
  const parents = new Array<JsonValue>();
  walk(root, path, 0, steps - 1, parents);
  const last = steps - 1;
  const kind = unchecked(path.steps[last]);
  for (let p = 0, np = parents.length; p < np; p++) {
    const parent = unchecked(parents[p]);
    if (kind == PathStep.Key) {
      if (parent.kind != JsonKind.Object) continue;
      const at = parent.indexOf(unchecked(path.keys[last]));
      if (at >= 0) out.push(new JsonSlot(parent, at));
    } else if (kind == PathStep.Index) {
      const at = unchecked(path.indexes[last]);
      if (parent.kind == JsonKind.Array && at < parent.size) out.push(new JsonSlot(parent, at));
    } else if (parent.kind == JsonKind.Array) {
      for (let i = 0, n = parent.size; i < n; i++) out.push(new JsonSlot(parent, i));
    }
  }
  return out.length - before;
}

/**
 * Removes what `path` matches: the key from its object, the item from its array, or for a
 * final "[*]" every item (the array stays, empty). Returns how many values were removed.
 */
export function removeAt(root: JsonValue, path: JsonPath): i32 {
  const steps = path.steps.length;
  const parents = new Array<JsonValue>();
  walk(root, path, 0, steps - 1, parents);
  const last = steps - 1;
  const kind = unchecked(path.steps[last]);
  let removed: i32 = 0;
  for (let p = 0, np = parents.length; p < np; p++) {
    const parent = unchecked(parents[p]);
    if (kind == PathStep.Key) {
      if (parent.kind == JsonKind.Object && parent.remove(unchecked(path.keys[last]))) removed++;
    } else if (kind == PathStep.Index) {
      if (parent.kind == JsonKind.Array && parent.removeIndex(unchecked(path.indexes[last]))) removed++;
    } else if (parent.kind == JsonKind.Array) {
      removed += parent.size;
      parent.clear();
    }
  }
  return removed;
}

/** Collects the values reached after steps [step, limit) from `value`. */
function walk(value: JsonValue, path: JsonPath, step: i32, limit: i32, out: Array<JsonValue>): void {
  if (step >= limit) {
    out.push(value);
    return;
  }
  const kind = unchecked(path.steps[step]);
  if (kind == PathStep.Key) {
    const child = value.get(unchecked(path.keys[step]));
    if (child !== null) walk(child, path, step + 1, limit, out);
  } else if (kind == PathStep.Index) {
    const child = value.at(unchecked(path.indexes[step]));
    if (child !== null) walk(child, path, step + 1, limit, out);
  } else if (value.kind == JsonKind.Array) {
    for (let i = 0, n = value.size; i < n; i++) {
      const child = value.valueAt(i);
      if (child !== null) walk(child, path, step + 1, limit, out);
    }
  }
}
