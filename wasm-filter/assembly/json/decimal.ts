// Correctly rounded decimal → f64 for the numbers the fast paths cannot do exactly
// (more than 19 significant digits, or far from 10^±22). A port of the multi-precision
// decimal algorithm of Go's strconv (decimal.go / atof.go floatBits): keep up to 800
// digits, shift by powers of two until the value is in [1/2, 1), then read 53 bits with
// round-half-even. Digits beyond 800 only matter as a "truncated, nonzero" flag, which
// is exactly what halfway rounding needs. Works in two fixed scratch buffers: no allocation.

const MAX_DIGITS: i32 = 800;
/** Digits, one value 0..9 per byte. */
const digits: usize = memory.data(MAX_DIGITS);
/** Room for a left shift (at most 19 new digits per shift) written right to left. */
const SCRATCH: i32 = MAX_DIGITS + 32;
const scratch: usize = memory.data(SCRATCH);
const MAX_SHIFT: i32 = 60;

let nd: i32 = 0; // digits in use
let dp: i32 = 0; // decimal point: value = 0.d1d2d3... × 10^dp
let trunc: bool = false; // nonzero digits were dropped

/** Result of the last `decimalToF64` when it overflowed to Infinity. */
export let decimalOverflow: bool = false;

function trim(): void {
  while (nd > 0 && load<u8>(digits + <usize>(nd - 1)) == 0) nd--;
  if (nd == 0) dp = 0;
}

function rightShift(k: i32): void {
  let r: i32 = 0;
  let w: i32 = 0;
  let n: u64 = 0;
  // Pick up enough leading digits that the first output digit is nonzero.
  for (; n >> k == 0; r++) {
    if (r >= nd) {
      if (n == 0) {
        nd = 0;
        return;
      }
      while (n >> k == 0) {
        n *= 10;
        r++;
      }
      break;
    }
    n = n * 10 + <u64>load<u8>(digits + <usize>r);
  }
  dp -= r - 1;
  const mask: u64 = ((<u64>1) << k) - 1;
  for (; r < nd; r++) {
    const c = <u64>load<u8>(digits + <usize>r);
    const dig = n >> k;
    n &= mask;
    store<u8>(digits + <usize>w, <u8>dig);
    w++;
    n = n * 10 + c;
  }
  while (n > 0) {
    const dig = n >> k;
    n &= mask;
    if (w < MAX_DIGITS) {
      store<u8>(digits + <usize>w, <u8>dig);
      w++;
    } else if (dig > 0) {
      trunc = true;
    }
    n *= 10;
  }
  nd = w;
  trim();
}

function leftShift(k: i32): void {
  // Multiply right to left into the scratch buffer, then copy back.
  let w = SCRATCH;
  let n: u64 = 0;
  for (let r = nd - 1; r >= 0; r--) {
    n += (<u64>load<u8>(digits + <usize>r)) << k;
    const quo = n / 10;
    w--;
    store<u8>(scratch + <usize>w, <u8>(n - quo * 10));
    n = quo;
  }
  while (n > 0) {
    const quo = n / 10;
    w--;
    store<u8>(scratch + <usize>w, <u8>(n - quo * 10));
    n = quo;
  }
  const produced = SCRATCH - w;
  const delta = produced - nd;
  let keep = produced;
  if (keep > MAX_DIGITS) {
    for (let i = w + MAX_DIGITS; i < SCRATCH; i++) {
      if (load<u8>(scratch + <usize>i) != 0) trunc = true;
    }
    keep = MAX_DIGITS;
  }
  memory.copy(digits, scratch + <usize>w, <usize>keep);
  nd = keep;
  dp += delta;
  trim();
}

function shift(k: i32): void {
  if (nd == 0) return;
  if (k > 0) {
    while (k > MAX_SHIFT) {
      leftShift(MAX_SHIFT);
      k -= MAX_SHIFT;
    }
    leftShift(k);
  } else if (k < 0) {
    while (k < -MAX_SHIFT) {
      rightShift(MAX_SHIFT);
      k += MAX_SHIFT;
    }
    rightShift(-k);
  }
}

function shouldRoundUp(at: i32): bool {
  if (at < 0 || at >= nd) return false;
  const d = load<u8>(digits + <usize>at);
  if (d == 5 && at + 1 == nd) {
    // Exactly halfway (unless digits were dropped): round to even.
    if (trunc) return true;
    return at > 0 && (load<u8>(digits + <usize>(at - 1)) & 1) == 1;
  }
  return d >= 5;
}

function roundedInteger(): u64 {
  if (dp > 20) return u64.MAX_VALUE;
  let i: i32 = 0;
  let n: u64 = 0;
  for (; i < dp && i < nd; i++) n = n * 10 + <u64>load<u8>(digits + <usize>i);
  for (; i < dp; i++) n *= 10;
  if (shouldRoundUp(dp)) n++;
  return n;
}

// @ts-ignore: decorator
@inline
function powShift(n: i32): i32 {
  // Bits needed to move the decimal point by n (table from Go's strconv).
  switch (n) {
    case 0:
      return 1;
    case 1:
      return 3;
    case 2:
      return 6;
    case 3:
      return 9;
    case 4:
      return 13;
    case 5:
      return 16;
    case 6:
      return 19;
    case 7:
      return 23;
    case 8:
      return 26;
    default:
      return 27;
  }
}

/**
 * Converts the decimal number whose significant digits are in the byte ranges
 * [intStart, intEnd) then [fracStart, fracEnd) of ASCII digits, times 10^exp10, to the
 * nearest f64 (ties to even). `intEnd - intStart` digits sit before the decimal point.
 * Sets `decimalOverflow` when the magnitude is too large for an f64.
 */
export function decimalToF64(intStart: usize, intEnd: usize, fracStart: usize, fracEnd: usize, exp10: i32, negative: bool): f64 {
  nd = 0;
  dp = 0;
  trunc = false;
  decimalOverflow = false;
  let sawNonzero = false;
  let pointAt: i64 = 0;
  for (let p = intStart; p < intEnd; p++) {
    const c = <u32>load<u8>(p) - 0x30;
    if (c == 0 && !sawNonzero) continue;
    sawNonzero = true;
    pointAt++;
    if (nd < MAX_DIGITS) {
      store<u8>(digits + <usize>nd, <u8>c);
      nd++;
    } else if (c != 0) {
      trunc = true;
    }
  }
  for (let p = fracStart; p < fracEnd; p++) {
    const c = <u32>load<u8>(p) - 0x30;
    if (c == 0 && !sawNonzero) {
      pointAt--;
      continue;
    }
    sawNonzero = true;
    if (nd < MAX_DIGITS) {
      store<u8>(digits + <usize>nd, <u8>c);
      nd++;
    } else if (c != 0) {
      trunc = true;
    }
  }
  trim();
  let bits: u64 = 0;
  const point = pointAt + <i64>exp10;
  if (nd == 0 || point < -330) {
    bits = 0;
  } else if (point > 310) {
    decimalOverflow = true;
    bits = 0x7ff0000000000000;
  } else {
    dp = <i32>point;
    bits = floatBits();
  }
  if (negative) bits |= 0x8000000000000000;
  return reinterpret<f64>(bits);
}

function floatBits(): u64 {
  const bias: i32 = -1023;
  let exp: i32 = 0;
  while (dp > 0) {
    const n = powShift(dp);
    shift(-n);
    exp += n;
  }
  while (dp < 0 || (dp == 0 && load<u8>(digits) < 5)) {
    const n = powShift(-dp);
    shift(n);
    exp -= n;
  }
  // Now the value is in [1/2, 1): as a float, its exponent is exp - 1.
  exp--;
  if (exp < bias + 1) {
    const n = bias + 1 - exp;
    shift(-n);
    exp += n;
  }
  if (exp - bias >= 0x7ff) {
    decimalOverflow = true;
    return 0x7ff0000000000000;
  }
  shift(53);
  let mant = roundedInteger();
  if (mant == (<u64>2) << 52) {
    mant >>= 1;
    exp++;
    if (exp - bias >= 0x7ff) {
      decimalOverflow = true;
      return 0x7ff0000000000000;
    }
  }
  if ((mant & ((<u64>1) << 52)) == 0) exp = bias; // denormal
  return (mant & (((<u64>1) << 52) - 1)) | ((<u64>((exp - bias) & 0x7ff)) << 52);
}
