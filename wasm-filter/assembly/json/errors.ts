// Why a document was rejected. Values are stable: tests and callers compare the numbers.

export enum JsonError {
  None = 0,
  /** Not JSON: bad grammar, invalid UTF-8, lone surrogate escape, trailing bytes, empty input. */
  Malformed = 1,
  /** Containers nested deeper than `JsonLimits.maxDepth`. */
  TooDeep = 2,
  /** A string or key longer than `JsonLimits.maxStringLength` bytes once decoded (UTF-8). */
  StringTooLong = 3,
  /** An array with more than `JsonLimits.maxArrayLength` items. */
  ArrayTooLong = 4,
  /** An object with more than `JsonLimits.maxObjectKeys` keys. */
  TooManyKeys = 5,
  /** More than `JsonLimits.maxTotalValues` values in the whole document. */
  TooManyValues = 6,
  /** The same key twice in one object (rejected: parsers disagree on which one wins). */
  DuplicateKey = 7,
  /** A number whose magnitude does not fit an f64 (it would be Infinity). */
  NumberOutOfRange = 8,
}

/** Stable lower_snake name of an error, for reasons and logs. */
export function jsonErrorName(error: JsonError): string {
  switch (error) {
    case JsonError.None:
      return "none";
    case JsonError.Malformed:
      return "malformed";
    case JsonError.TooDeep:
      return "too_deep";
    case JsonError.StringTooLong:
      return "string_too_long";
    case JsonError.ArrayTooLong:
      return "array_too_long";
    case JsonError.TooManyKeys:
      return "too_many_keys";
    case JsonError.TooManyValues:
      return "too_many_values";
    case JsonError.DuplicateKey:
      return "duplicate_key";
    case JsonError.NumberOutOfRange:
      return "number_out_of_range";
    default:
      return "unknown";
  }
}
