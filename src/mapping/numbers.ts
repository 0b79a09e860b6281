import { MappingError, quoteForMessage } from './errors';
import { NumberMode } from './types';

/** How one `N` value is written (mapping.md §2). */
export interface MappedNumber {
  value: number | string;
  keptAsString: boolean;
  /** `double` mode only: the written double is not the same decimal value as the source. */
  lostPrecision: boolean;
}

/** sign × digits × 10^exponent, digits without leading or trailing zeros; zero is `digits === ''`. */
interface Decimal {
  negative: boolean;
  digits: string;
  exponent: number;
}

// DynamoDB's limits. Enforcing them keeps the exponent-free canonical form short: without them a
// literal such as "1E+999999999" would expand into a gigabyte of zeros.
const MAX_DIGITS = 38;
const MAX_ADJUSTED_EXPONENT = 125;
const MIN_ADJUSTED_EXPONENT = -130;
// Any decimal of at most 15 significant digits in the normal double range survives decimal → double →
// shortest decimal unchanged (DBL_DIG), so such values need no comparison.
const EXACT_DIGITS = 15;
// Shortest round-trip output never needs more than 17 significant digits, so a decimal with more can never
// be what a double prints as.
const MAX_SHORTEST_DIGITS = 17;
// More exponent digits than this cannot be in range for any non-zero mantissa a line can hold.
const MAX_EXPONENT_DIGITS = 9;

const NOT_A_DECIMAL = 'is not a decimal number';
const TOO_MANY_DIGITS = `has more than ${MAX_DIGITS} significant digits`;
const OUT_OF_RANGE =
  "is outside DynamoDB's number range (magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125)";

const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/**
 * Reads a decimal literal `[+-]digits[.digits][(e|E)[+-]digits]` (digits on at least one side of the point)
 * into `out` in one pass, with no regex and no JS number involved. Returns why it was refused, if it was.
 */
function parseDecimal(s: string, out: Decimal): string | undefined {
  const length = s.length;
  let i = 0;
  let negative = false;
  if (length > 0) {
    const c = s.charCodeAt(0);
    if (c === MINUS) {
      negative = true;
      i = 1;
    } else if (c === PLUS) {
      i = 1;
    }
  }
  const intStart = i;
  while (i < length && isDigit(s.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < length && s.charCodeAt(i) === DOT) {
    i++;
    fracStart = i;
    while (i < length && isDigit(s.charCodeAt(i))) i++;
    fracEnd = i;
  }
  if (intEnd === intStart && fracEnd === fracStart) return NOT_A_DECIMAL;

  let exponent = 0;
  if (i < length && (s.charCodeAt(i) === LOWER_E || s.charCodeAt(i) === UPPER_E)) {
    i++;
    let exponentNegative = false;
    if (i < length && (s.charCodeAt(i) === MINUS || s.charCodeAt(i) === PLUS)) {
      exponentNegative = s.charCodeAt(i) === MINUS;
      i++;
    }
    const exponentStart = i;
    while (i < length && s.charCodeAt(i) === ZERO) i++;
    const significantStart = i;
    while (i < length && isDigit(s.charCodeAt(i))) i++;
    if (i === exponentStart) return NOT_A_DECIMAL;
    if (i - significantStart > MAX_EXPONENT_DIGITS) {
      exponent = 10 ** MAX_EXPONENT_DIGITS;
    } else {
      for (let j = significantStart; j < i; j++) exponent = exponent * 10 + (s.charCodeAt(j) - ZERO);
    }
    if (exponentNegative) exponent = -exponent;
  }
  if (i !== length) return NOT_A_DECIMAL;

  // Positions of the first and last non-zero digit, looking through the point.
  let first = -1;
  for (let j = intStart; j < intEnd && first < 0; j++) if (s.charCodeAt(j) !== ZERO) first = j;
  for (let j = fracStart; j < fracEnd && first < 0; j++) if (s.charCodeAt(j) !== ZERO) first = j;
  if (first < 0) {
    out.negative = false;
    out.digits = '';
    out.exponent = 0;
    return undefined;
  }
  let last = -1;
  for (let j = fracEnd - 1; j >= fracStart && last < 0; j--) if (s.charCodeAt(j) !== ZERO) last = j;
  for (let j = intEnd - 1; j >= intStart && last < 0; j--) if (s.charCodeAt(j) !== ZERO) last = j;

  let digits: string;
  if (first < intEnd && last >= fracStart) digits = s.slice(first, intEnd) + s.slice(fracStart, last + 1);
  else digits = s.slice(first, last + 1);
  // Exponent of the last significant digit's place: the literal's exponent shifted by where that digit sits.
  const place = last < intEnd ? intEnd - 1 - last : fracStart - 1 - last;
  const digitExponent = exponent + place;

  if (digits.length > MAX_DIGITS) return TOO_MANY_DIGITS;
  const adjusted = digitExponent + digits.length - 1;
  if (adjusted > MAX_ADJUSTED_EXPONENT || adjusted < MIN_ADJUSTED_EXPONENT) return OUT_OF_RANGE;
  out.negative = negative;
  out.digits = digits;
  out.exponent = digitExponent;
  return undefined;
}

/** Plain notation, no exponent: `-0.00000015`, `100`, `0`. */
function renderDecimal(d: Decimal): string {
  if (d.digits === '') return '0';
  const sign = d.negative ? '-' : '';
  if (d.exponent >= 0) return sign + d.digits + '0'.repeat(d.exponent);
  const point = d.digits.length + d.exponent;
  if (point > 0) return sign + d.digits.slice(0, point) + '.' + d.digits.slice(point);
  return sign + '0.' + '0'.repeat(-point) + d.digits;
}

// 10^0 … 10^15, every one exact as a double.
const POWERS_OF_TEN: readonly number[] = Array.from({ length: EXACT_DIGITS + 1 }, (_, k) => 10 ** k);

/**
 * The value of `s` when it is `-?` plus at most 15 digits with at most one point and no exponent (valid, in
 * range and exact as a double), else NaN. One pass, no second parse: the digits make an integer below 2^53
 * and the divisor is a power of ten that is exact as a double, so the single correctly rounded division
 * gives the double nearest to the decimal, which is what `Number(s)` gives (Clinger's fast path). -0 is 0.
 */
export function shortPlainValue(s: string): number {
  return shortPlainValueAt(s, 0, s.length);
}

/**
 * `shortPlainValue` of `text.slice(start, end)`, read in place: a reader scanning a whole line gets the number
 * without cutting its string out first (export/json-item-line.ts).
 */
export function shortPlainValueAt(text: string, start: number, end: number): number {
  const length = end - start;
  if (length <= 0 || length > EXACT_DIGITS + 2) return NaN;
  let i = start;
  let negative = false;
  if (text.charCodeAt(start) === MINUS) {
    negative = true;
    i++;
  }
  let digitCount = 0;
  let mantissa = 0;
  let point = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digitCount++;
    } else if (c === DOT && point < 0) {
      point = i;
    } else {
      return NaN;
    }
  }
  if (digitCount === 0 || digitCount > EXACT_DIGITS) return NaN;
  const value = point < 0 ? mantissa : mantissa / POWERS_OF_TEN[end - 1 - point];
  return negative && mantissa !== 0 ? -value : value;
}

/** True when `s` already is its own canonical form as an integer: `-?[1-9][0-9]*` up to 38 digits, or `0`. */
export function isCanonicalInteger(s: string): boolean {
  const start = s.length > 0 && s.charCodeAt(0) === MINUS ? 1 : 0;
  const digitCount = s.length - start;
  if (digitCount === 0 || digitCount > MAX_DIGITS) return false;
  const lead = s.charCodeAt(start);
  if (lead === ZERO) return s.length === 1;
  if (!isDigit(lead)) return false;
  for (let i = start + 1; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/**
 * The count of significant digits of `s` when it is already its own canonical form in plain notation
 * (`-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?`, not zero) and within DynamoDB's range, else 0. One pass over the
 * characters: a long number that needs no rewriting (the usual kind beyond a double, such as
 * `1000000000000000000000.507309`) is recognised without parsing it into parts and printing it back.
 */
function canonicalSignificantDigits(s: string): number {
  const length = s.length;
  const start = length > 0 && s.charCodeAt(0) === MINUS ? 1 : 0;
  if (start === length) return 0;
  let i = start;
  let last = -1;
  if (s.charCodeAt(i) === ZERO) {
    i++;
  } else {
    while (i < length && isDigit(s.charCodeAt(i))) {
      if (s.charCodeAt(i) !== ZERO) last = i;
      i++;
    }
    if (last < 0) return 0;
  }
  const intEnd = i;
  // Place of the first significant digit (the adjusted exponent) and how many digits there are.
  let adjusted: number;
  let digits: number;
  if (intEnd === length) {
    if (last < 0) return 0;
    adjusted = intEnd - start - 1;
    digits = last - start + 1;
  } else {
    if (s.charCodeAt(i) !== DOT) return 0;
    i++;
    const fracStart = i;
    let first = -1;
    while (i < length && isDigit(s.charCodeAt(i))) {
      if (first < 0 && s.charCodeAt(i) !== ZERO) first = i;
      i++;
    }
    // Digits after the point, the last of them not a zero, and nothing else.
    if (i !== length || first < 0 || s.charCodeAt(length - 1) === ZERO) return 0;
    if (last >= 0) {
      adjusted = intEnd - start - 1;
      digits = intEnd - start + (length - fracStart);
    } else {
      adjusted = fracStart - first - 1;
      digits = length - first;
    }
  }
  return adjusted > MAX_ADJUSTED_EXPONENT || adjusted < MIN_ADJUSTED_EXPONENT ? 0 : digits;
}

// Reused across calls: mapping is synchronous, and these hold nothing once a call returns.
const source: Decimal = { negative: false, digits: '', exponent: 0 };
const shortest: Decimal = { negative: false, digits: '', exponent: 0 };

/** Whether the double `n`, printed in its shortest form (`String(n)`, maybe `1.5e-7`), is the decimal `d`. */
function denotes(n: number, d: Decimal): boolean {
  if (d.digits.length <= EXACT_DIGITS) return true;
  if (d.digits.length > MAX_SHORTEST_DIGITS) return false;
  parseDecimal(String(n), shortest);
  return shortest.negative === d.negative && shortest.exponent === d.exponent && shortest.digits === d.digits;
}

function asNumber(out: MappedNumber, value: number, lostPrecision: boolean): undefined {
  out.value = value;
  out.keptAsString = false;
  out.lostPrecision = lostPrecision;
  return undefined;
}

function asString(out: MappedNumber, value: string): undefined {
  out.value = value;
  out.keptAsString = true;
  out.lostPrecision = false;
  return undefined;
}

/**
 * Maps `s` per `mode` into `out`, without allocating a result. Returns why `s` is not a valid DynamoDB
 * number, leaving `out` untouched; callers add the attribute path to that reason.
 */
export function mapNumberInto(s: string, mode: NumberMode, out: MappedNumber): string | undefined {
  if (mode !== 'string') {
    const short = shortPlainValue(s);
    if (!Number.isNaN(short)) return asNumber(out, short, false);
  }
  if (mode === 'string' && isCanonicalInteger(s)) return asString(out, s);
  if (mode === 'lossless') {
    // Too many digits for any double to print, and already canonical: the string as it is (see below).
    const digits = canonicalSignificantDigits(s);
    if (digits > MAX_SHORTEST_DIGITS && digits <= MAX_DIGITS) return asString(out, s);
  }
  const reason = parseDecimal(s, source);
  if (reason !== undefined) return reason;
  if (mode === 'string') return asString(out, renderDecimal(source));
  // No double prints as more than 17 digits, so lossless can skip the conversion altogether.
  if (mode === 'lossless' && source.digits.length > MAX_SHORTEST_DIGITS) return asString(out, renderDecimal(source));
  const n = Number(s) + 0;
  const exact = denotes(n, source);
  if (mode === 'double') return asNumber(out, n, !exact);
  return exact ? asNumber(out, n, false) : asString(out, renderDecimal(source));
}

/** How `s` is written under `mode`; throws `BAD_NUMBER` (at `path`) for anything but a DynamoDB number. */
export function mapNumber(s: string, mode: NumberMode, path = ''): MappedNumber {
  const out: MappedNumber = { value: 0, keptAsString: false, lostPrecision: false };
  const reason = mapNumberInto(s, mode, out);
  if (reason !== undefined) throw new MappingError('BAD_NUMBER', path, `${quoteForMessage(s)} ${reason}`);
  return out;
}

/**
 * The canonical decimal of mapping.md §3: no `+`, no exponent, no leading zeros except the one in `0.5`,
 * no trailing fraction zeros, no point without a fraction, `-0` → `0`. Throws `BAD_NUMBER` (at `path`).
 */
export function canonicalDecimal(s: string, path = ''): string {
  if (isCanonicalInteger(s)) return s;
  const reason = parseDecimal(s, source);
  if (reason !== undefined) throw new MappingError('BAD_NUMBER', path, `${quoteForMessage(s)} ${reason}`);
  return renderDecimal(source);
}
