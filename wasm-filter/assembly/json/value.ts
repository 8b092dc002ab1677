// The JSON document model: one class for every kind of value. Objects keep their keys in
// document order (parallel `keys`/`values` arrays, linear lookup: objects in requests and
// config are small; the parser rejects duplicate keys, and `set` keeps keys unique).
// Nothing here throws: a read of the wrong kind answers a neutral value (null, "", 0, false)
// and a mutation of the wrong kind answers false.

export enum JsonKind {
  Null = 0,
  Bool = 1,
  Number = 2,
  String = 3,
  Array = 4,
  Object = 5,
}

// Null, true and false are shared nodes (kind and bool are readonly, so sharing is safe);
// numbers and strings get a node each, so `num` and `str` may be rewritten in place.
export class JsonValue {
  readonly kind: JsonKind;
  /** The value of a Bool. */
  readonly bool: bool;
  /** The value of a Number (always finite when parsed). */
  num: f64 = 0;
  /** The value of a String. */
  str: string = "";
  // Arrays use `list`; objects use `names` and `list` in parallel. Null for scalars.
  private list: Array<JsonValue> | null = null;
  private names: Array<string> | null = null;

  /**
   * A new empty array or object, or a scalar with its zero value (0, ""); prefer the static
   * constructors. `storage = false` is for ofItems/ofEntries, which bring their own arrays.
   */
  constructor(kind: JsonKind, bool: bool = false, storage: bool = true) {
    this.kind = kind;
    this.bool = bool;
    if (!storage) {
      // ofItems / ofEntries set the arrays.
    } else if (kind == JsonKind.Array) {
      this.list = new Array<JsonValue>();
    } else if (kind == JsonKind.Object) {
      this.list = new Array<JsonValue>();
      this.names = new Array<string>();
    }
  }

  // ---- constructors -------------------------------------------------------------------

  /** The shared null node. */
  static nullValue(): JsonValue {
    return NULL_VALUE;
  }

  /** The shared true or false node. */
  static boolean(value: bool): JsonValue {
    return value ? TRUE_VALUE : FALSE_VALUE;
  }

  /** A number; non-finite values are kept but serialize as null. */
  static number(value: f64): JsonValue {
    const v = new JsonValue(JsonKind.Number);
    v.num = value;
    return v;
  }

  static string(value: string): JsonValue {
    const v = new JsonValue(JsonKind.String);
    v.str = value;
    return v;
  }

  static array(): JsonValue {
    return new JsonValue(JsonKind.Array);
  }

  static object(): JsonValue {
    return new JsonValue(JsonKind.Object);
  }

  /** @internal an array that takes ownership of `items` (the parser's exact-size slice). */
  static ofItems(items: Array<JsonValue>): JsonValue {
    const v = new JsonValue(JsonKind.Array, false, false);
    v.list = items;
    return v;
  }

  /** @internal an object that takes ownership of parallel `names` and `values` (unique names). */
  static ofEntries(names: Array<string>, values: Array<JsonValue>): JsonValue {
    const v = new JsonValue(JsonKind.Object, false, false);
    v.list = values;
    v.names = names;
    return v;
  }

  // ---- kind tests ---------------------------------------------------------------------

  isNull(): bool {
    return this.kind == JsonKind.Null;
  }
  isBool(): bool {
    return this.kind == JsonKind.Bool;
  }
  isNumber(): bool {
    return this.kind == JsonKind.Number;
  }
  isString(): bool {
    return this.kind == JsonKind.String;
  }
  isArray(): bool {
    return this.kind == JsonKind.Array;
  }
  isObject(): bool {
    return this.kind == JsonKind.Object;
  }

  // ---- typed reads --------------------------------------------------------------------

  /** The string, or "" for other kinds. */
  asString(): string {
    return this.kind == JsonKind.String ? this.str : "";
  }

  /** The number, or `fallback` for other kinds. */
  asNumber(fallback: f64 = 0): f64 {
    return this.kind == JsonKind.Number ? this.num : fallback;
  }

  /** The bool, or `fallback` for other kinds. */
  asBool(fallback: bool = false): bool {
    return this.kind == JsonKind.Bool ? this.bool : fallback;
  }

  /** Items of an array, keys of an object, 0 otherwise. */
  get size(): i32 {
    const list = this.list;
    return list === null ? 0 : list.length;
  }

  /** The items of an array (live: do not add non-JsonValue state), empty for other kinds. */
  get items(): Array<JsonValue> {
    const list = this.list;
    if (list === null || this.kind != JsonKind.Array) return new Array<JsonValue>();
    return list;
  }

  /** Array item `index`, or null (other kinds, out of range). */
  at(index: i32): JsonValue | null {
    const list = this.list;
    if (list === null || this.kind != JsonKind.Array) return null;
    if (index < 0 || index >= list.length) return null;
    return unchecked(list[index]);
  }

  /** Object key at position `index` (document order), or "". */
  keyAt(index: i32): string {
    const names = this.names;
    if (names === null || index < 0 || index >= names.length) return "";
    return unchecked(names[index]);
  }

  /** Object value or array item at position `index`, or null. */
  valueAt(index: i32): JsonValue | null {
    const list = this.list;
    if (list === null || index < 0 || index >= list.length) return null;
    return unchecked(list[index]);
  }

  /** Position of `key` in an object, or -1. */
  indexOf(key: string): i32 {
    const names = this.names;
    if (names === null) return -1;
    const n = names.length;
    for (let i = 0; i < n; i++) {
      if (unchecked(names[i]) == key) return i;
    }
    return -1;
  }

  has(key: string): bool {
    return this.indexOf(key) >= 0;
  }

  /** The value under `key` in an object, or null (missing key, not an object). */
  get(key: string): JsonValue | null {
    const i = this.indexOf(key);
    if (i < 0) return null;
    const list = this.list;
    if (list === null) return null;
    return unchecked(list[i]);
  }

  /** `get(key)` as a string, or `fallback` when missing or not a string. */
  getString(key: string, fallback: string = ""): string {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.String ? v.str : fallback;
  }

  /** `get(key)` as a number, or `fallback` when missing or not a number. */
  getNumber(key: string, fallback: f64 = 0): f64 {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.Number ? v.num : fallback;
  }

  /** `get(key)` as a bool, or `fallback` when missing or not a bool. */
  getBool(key: string, fallback: bool = false): bool {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.Bool ? v.bool : fallback;
  }

  // ---- mutation -----------------------------------------------------------------------

  /** Object: replaces the value of `key` in place, or appends it. False for other kinds. */
  set(key: string, value: JsonValue): bool {
    const names = this.names;
    const list = this.list;
    if (names === null || list === null) return false;
    const i = this.indexOf(key);
    if (i >= 0) {
      unchecked((list[i] = value));
    } else {
      names.push(key);
      list.push(value);
    }
    return true;
  }

  /** Object: removes `key`, keeping the order of the others. False when absent. */
  remove(key: string): bool {
    const i = this.indexOf(key);
    if (i < 0) return false;
    return this.removeIndex(i);
  }

  /** Array: appends. False for other kinds. */
  push(value: JsonValue): bool {
    const list = this.list;
    if (list === null || this.kind != JsonKind.Array) return false;
    list.push(value);
    return true;
  }

  /** Array item or object value at `index` is replaced. False when out of range. */
  setAt(index: i32, value: JsonValue): bool {
    const list = this.list;
    if (list === null || index < 0 || index >= list.length) return false;
    unchecked((list[index] = value));
    return true;
  }

  /** Array item, or object entry, at `index` is removed. False when out of range. */
  removeIndex(index: i32): bool {
    const list = this.list;
    if (list === null || index < 0 || index >= list.length) return false;
    list.splice(index, 1);
    const names = this.names;
    if (names !== null) names.splice(index, 1);
    return true;
  }

  /** Array or object keeps its first `count` entries (top-k). False for scalars. */
  truncate(count: i32): bool {
    const list = this.list;
    if (list === null) return false;
    if (count < 0) count = 0;
    if (count < list.length) {
      list.length = count;
      const names = this.names;
      if (names !== null) names.length = count;
    }
    return true;
  }

  /** Removes every entry of an array or object. False for scalars. */
  clear(): bool {
    return this.truncate(0);
  }
}

const NULL_VALUE = new JsonValue(JsonKind.Null);
const TRUE_VALUE = new JsonValue(JsonKind.Bool, true);
const FALSE_VALUE = new JsonValue(JsonKind.Bool, false);

/**
 * Structural equality: same kinds, numbers by value (0 == -0, NaN == NaN), objects with the
 * same keys in the same order. Trees nested deeper than 1024 levels (or cyclic) compare unequal.
 */
export function jsonEquals(a: JsonValue, b: JsonValue): bool {
  return equalsAt(a, b, 0);
}

function equalsAt(a: JsonValue, b: JsonValue, depth: i32): bool {
  if (a.kind != b.kind || depth > 1024) return false;
  switch (a.kind) {
    case JsonKind.Null:
      return true;
    case JsonKind.Bool:
      return a.bool == b.bool;
    case JsonKind.Number:
      return a.num == b.num || (isNaN(a.num) && isNaN(b.num));
    case JsonKind.String:
      return a.str == b.str;
    default:
      break;
  }
  const n = a.size;
  if (n != b.size) return false;
  const isObject = a.kind == JsonKind.Object;
  for (let i = 0; i < n; i++) {
    if (isObject && a.keyAt(i) != b.keyAt(i)) return false;
    const x = a.valueAt(i);
    const y = b.valueAt(i);
    if (x === null || y === null) {
      if (x !== y) return false;
    } else if (!equalsAt(x, y, depth + 1)) {
      return false;
    }
  }
  return true;
}
