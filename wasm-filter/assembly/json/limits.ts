// Bounds the parser enforces while it reads, so a hostile document costs at most what
// the limits allow. Every limit is inclusive: a value exactly at the limit is accepted.

/** Hard ceiling on nesting whatever `maxDepth` says: serialization, equality and path
 *  selection recurse once per level, and this keeps them far from the native stack limit. */
export const JSON_MAX_DEPTH_CEILING: i32 = 1024;

export class JsonLimits {
  /** Deepest container nesting: `[]` is depth 1, `[[]]` depth 2; scalars are depth 0. */
  maxDepth: i32 = 64;
  /** Longest string or key, in bytes of its decoded UTF-8 (escapes count as what they mean). */
  maxStringLength: i32 = 1 << 20;
  /** Most items in one array. */
  maxArrayLength: i32 = 100_000;
  /** Most keys in one object. */
  maxObjectKeys: i32 = 1_000;
  /** Most values in the document, containers and keys' values included; 0: no limit. */
  maxTotalValues: i32 = 0;

  static of(maxDepth: i32, maxStringLength: i32, maxArrayLength: i32, maxObjectKeys: i32, maxTotalValues: i32 = 0): JsonLimits {
    const l = new JsonLimits();
    l.maxDepth = maxDepth;
    l.maxStringLength = maxStringLength;
    l.maxArrayLength = maxArrayLength;
    l.maxObjectKeys = maxObjectKeys;
    l.maxTotalValues = maxTotalValues;
    return l;
  }
}
