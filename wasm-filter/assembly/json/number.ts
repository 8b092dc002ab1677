// JSON numbers from bytes: the RFC 8259 grammar `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
// and a correctly rounded conversion to f64 (ties to even), in three tiers:
//   1. exact: ≤ 2^53 significand and |10-exponent| ≤ 22 (one IEEE multiply or divide), or an
//      integer of ≤ 19 digits (one u64 → f64 conversion);
//   2. Eisel-Lemire on the first 19 significant digits (128-bit table, pow10-table.ts);
//   3. the multi-precision decimal of decimal.ts when Eisel-Lemire cannot decide.
// A magnitude above f64's range is an error (NumberOutOfRange), never Infinity; values below
// the smallest subnormal round to (signed) zero, as JSON.parse does.
// Results are left in module globals, so the hot path allocates nothing.
import { decimalOverflow, decimalToF64 } from "./decimal";
import { JsonError } from "./errors";
import { POW10_MAX, POW10_MIN, POW10_TABLE } from "./pow10-table";

/** Value of the last scanned number. */
export let numberValue: f64 = 0;
/** Error of the last scanned number (None on success). */
export let numberError: JsonError = JsonError.None;

// Exact powers of ten as f64 (10^0 .. 10^22 are all exactly representable).
const EXACT_POW10: usize = memory.data<f64>([
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
]);

const MAX_EXP_DIGITS_VALUE: i32 = 1_000_000; // an exponent is saturated here; far beyond any f64

// @ts-ignore: decorator
@inline
function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/**
 * Scans a number starting at `p` (a '-' or a digit) up to `end`. Returns the address just
 * after it, or 0 with `numberError` set. What follows the number is the caller's business
 * ("01" scans as 0 followed by a stray "1").
 */
export function scanNumber(p: usize, end: usize): usize {
  numberError = JsonError.None;
  let negative = false;
  if (load<u8>(p) == 0x2d) {
    negative = true;
    p++;
    if (p >= end) return fail();
  }
  let mantissa: u64 = 0;
  let digits: i32 = 0; // significant digits taken into the mantissa
  let dropped: i32 = 0; // integer digits beyond 19 (each multiplies by 10)
  let truncated = false; // a nonzero digit did not fit the mantissa
  let exp10: i32 = 0;

  // Integer part.
  const intStart = p;
  let c = <u32>load<u8>(p);
  if (c == 0x30) {
    p++;
  } else if (c - 0x31 < 9) {
    while (p < end) {
      c = <u32>load<u8>(p);
      if (!isDigit(c)) break;
      if (digits < 19) {
        mantissa = mantissa * 10 + <u64>(c - 0x30);
        digits++;
      } else {
        dropped++;
        if (c != 0x30) truncated = true;
      }
      p++;
    }
  } else {
    return fail();
  }
  const intEnd = p;

  // Fraction.
  let fracStart = p;
  let fracEnd = p;
  if (p < end && load<u8>(p) == 0x2e) {
    p++;
    fracStart = p;
    while (p < end) {
      c = <u32>load<u8>(p);
      if (!isDigit(c)) break;
      if (mantissa == 0 && c == 0x30) {
        exp10--; // leading zeros of 0.000ddd only move the point
      } else if (digits < 19) {
        mantissa = mantissa * 10 + <u64>(c - 0x30);
        digits++;
        exp10--;
      } else if (c != 0x30) {
        truncated = true;
      }
      p++;
    }
    fracEnd = p;
    if (fracEnd == fracStart) return fail();
  }

  // Exponent.
  let exponent: i32 = 0;
  if (p < end && (load<u8>(p) | 0x20) == 0x65) {
    p++;
    let expNegative = false;
    if (p < end) {
      c = <u32>load<u8>(p);
      if (c == 0x2b || c == 0x2d) {
        expNegative = c == 0x2d;
        p++;
      }
    }
    const expStart = p;
    while (p < end) {
      c = <u32>load<u8>(p);
      if (!isDigit(c)) break;
      if (exponent < MAX_EXP_DIGITS_VALUE) exponent = exponent * 10 + <i32>(c - 0x30);
      p++;
    }
    if (p == expStart) return fail();
    if (expNegative) exponent = -exponent;
  }

  if (mantissa == 0) {
    numberValue = negative ? -0.0 : 0.0;
    return p;
  }
  // The digits after the 19th do not reach exp10 for the fraction; dropped integer
  // digits do. Neither sum can overflow: both terms are bounded (input size, saturation).
  exp10 += dropped + exponent;
  const value = toF64(mantissa, exp10, truncated, negative, intStart, intEnd, fracStart, fracEnd, exponent);
  if (numberError != JsonError.None) return 0;
  numberValue = value;
  return p;
}

function fail(): usize {
  numberError = JsonError.Malformed;
  return 0;
}

function toF64(
  mantissa: u64,
  exp10: i32,
  truncated: bool,
  negative: bool,
  intStart: usize,
  intEnd: usize,
  fracStart: usize,
  fracEnd: usize,
  exponent: i32,
): f64 {
  if (!truncated) {
    if (exp10 == 0) {
      const f = <f64>mantissa; // u64 → f64 rounds to nearest even
      return negative ? -f : f;
    }
    if (mantissa <= (<u64>1) << 53) {
      const m = <f64>mantissa;
      let f: f64 = 0;
      let exact = true;
      if (exp10 > 0 && exp10 <= 22) {
        f = m * load<f64>(EXACT_POW10 + (<usize>exp10 << 3));
      } else if (exp10 < 0 && exp10 >= -22) {
        f = m / load<f64>(EXACT_POW10 + (<usize>-exp10 << 3));
      } else {
        exact = false;
      }
      if (exact) return negative ? -f : f;
    }
  }
  if (exp10 >= POW10_MIN && exp10 <= POW10_MAX) {
    const f = eiselLemire(mantissa, exp10, negative);
    if (eiselOk) {
      if (!truncated) return f;
      const up = eiselLemire(mantissa + 1, exp10, negative);
      if (eiselOk && up == f) return f;
    }
  }
  const slow = decimalToF64(intStart, intEnd, fracStart, fracEnd, exponent, negative);
  if (decimalOverflow) numberError = JsonError.NumberOutOfRange;
  return slow;
}

let eiselOk: bool = false;

/** High 64 bits of the 128-bit product a × b. */
// @ts-ignore: decorator
@inline
function mulHigh(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff;
  const a1 = a >> 32;
  const b0 = b & 0xffffffff;
  const b1 = b >> 32;
  const w0 = a0 * b0;
  const t = a1 * b0 + (w0 >> 32);
  let w1 = t & 0xffffffff;
  const w2 = t >> 32;
  w1 += a0 * b1;
  return a1 * b1 + w2 + (w1 >> 32);
}

/**
 * Eisel-Lemire (after Go's strconv eiselLemire64): mantissa × 10^exp10 → f64, or
 * `eiselOk = false` when the 128-bit approximation cannot decide the rounding or the result
 * leaves the normal range (the caller then uses the exact slow path).
 */
function eiselLemire(mantissa: u64, exp10: i32, negative: bool): f64 {
  eiselOk = false;
  const entry = POW10_TABLE + (<usize>(exp10 - POW10_MIN) << 4);
  const powHi = load<u64>(entry);
  const powLo = load<u64>(entry, 8);
  const exp2 = 1 + ((exp10 * 108853) >> 15); // floor(exp10 × log2(10))
  const lz = <i32>clz<u64>(mantissa);
  const man = mantissa << <u64>lz;
  let retExp2: u64 = <u64>(exp2 + 63 + 1023) - <u64>lz;

  let xHi = mulHigh(man, powHi);
  let xLo = man * powHi;
  if ((xHi & 0x1ff) == 0x1ff && xLo + man < man) {
    const yHi = mulHigh(man, powLo);
    const yLo = man * powLo;
    let mergedHi = xHi;
    const mergedLo = xLo + yHi;
    if (mergedLo < xLo) mergedHi++;
    if ((mergedHi & 0x1ff) == 0x1ff && mergedLo + 1 == 0 && yLo + man < man) return 0;
    xHi = mergedHi;
    xLo = mergedLo;
  }
  const msb = xHi >> 63;
  let retMantissa = xHi >> (msb + 9);
  retExp2 -= 1 ^ msb;
  if (xLo == 0 && (xHi & 0x1ff) == 0 && (retMantissa & 3) == 1) return 0; // halfway: undecided
  retMantissa += retMantissa & 1;
  retMantissa >>= 1;
  if (retMantissa >> 53 > 0) {
    retMantissa >>= 1;
    retExp2 += 1;
  }
  if (retExp2 - 1 >= 0x7ff - 1) return 0; // subnormal or overflow: slow path decides
  let bits = (retExp2 << 52) | (retMantissa & (((<u64>1) << 52) - 1));
  if (negative) bits |= 0x8000000000000000;
  eiselOk = true;
  return reinterpret<f64>(bits);
}
