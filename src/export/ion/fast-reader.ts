/**
 * A reader for the Ion that DynamoDB writes, several times faster than `ion-js` (figures in
 * docs/export-formats.md): one pass over the line's characters, building the record `parseRecord` returns for
 * DynamoDB JSON directly, with no Ion value objects in between.
 *
 * It reads a strict subset of Ion text: `$ion_1_0`, structs, lists, strings with the usual escapes, field names
 * as identifiers or quoted, decimals and decimal ints, blobs, bools, `null`, and lists annotated
 * `$dynamodb_SS`/`$dynamodb_NS`/`$dynamodb_BS`. For anything else, valid Ion it does not cover (comments, long
 * strings, symbol tables, typed nulls, …) and every error alike, it returns `undefined` and the caller reads
 * the line with `ion-js` instead, which then either reads it or says why not. So it can only be faster, never
 * decide differently: test/unit/export/ion-reader.test.ts checks on every test corpus that whatever it
 * returns equals what the `ion-js` reader makes of the same line.
 */
import type { AttributeValue, DynamoItem } from '../../mapping';
import { setOwnProperty } from '../../mapping/objects';
import type { ExportRecord } from '../records';
import { decimalString, MAX_ION_DEPTH } from './values';

/** Thrown (and caught in `fastIonRecord`) to hand the line to `ion-js`. */
class Bail extends Error {}
const BAIL = new Bail('outside the fast reader');

const QUOTE = 0x22; // "
const APOSTROPHE = 0x27; // '
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const DOLLAR = 0x24;
const UNDERSCORE = 0x5f;
const LOWER_D = 0x64;
const UPPER_D = 0x44;
const PLUS = 0x2b;
const EQUALS = 0x3d;
const SLASH = 0x2f;

const IVM = '$ion_1_0';
const SET_PREFIX = '$dynamodb_';

function isWhitespace(c: number): boolean {
  // space, tab, LF, VT, FF, CR: Ion's whitespace
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isIdentifierStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === UNDERSCORE || c === DOLLAR;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || isDigit(c);
}

function isBase64(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || isDigit(c) || c === PLUS || c === SLASH;
}

/** What may follow a scalar: whitespace, a separator or a closing bracket. */
function endsScalar(c: number): boolean {
  return Number.isNaN(c) /* end of line */ || isWhitespace(c) || c === COMMA || c === RBRACE || c === RBRACKET;
}

/** Characters a quoted text cannot simply be sliced over: escapes, control characters, DEL, surrogates. */
// eslint-disable-next-line no-control-regex
const NEEDS_DECODING = /[\u0000-\u001f\u007f\\\ud800-\udfff]/;

/** Past the surrogate pair at `i` (a high surrogate followed by a low one); an unpaired surrogate: ion-js. */
function pairEnd(s: string, i: number): number {
  const high = s.charCodeAt(i);
  const low = s.charCodeAt(i + 1);
  if (high > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) throw BAIL;
  return i + 2;
}

/** Sixty-four base64 digits' values; `-1` for other characters. */
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++)
  BASE64_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

class LineReader {
  i = 0;
  constructor(readonly s: string) {}

  /** The code at the current position after whitespace (NaN at the end of the line). */
  peek(): number {
    const s = this.s;
    let i = this.i;
    let c = s.charCodeAt(i);
    while (isWhitespace(c)) c = s.charCodeAt(++i);
    this.i = i;
    return c;
  }

  expect(code: number): void {
    if (this.peek() !== code) throw BAIL;
    this.i++;
  }

  /** A `"…"` or `'…'` body with simple escapes; the opening quote is at `this.i`. */
  quoted(quote: number): string {
    const s = this.s;
    const start = ++this.i;
    // Most strings hold nothing to decode: find the closing quote natively, check the text in one regex test.
    const end = s.indexOf(quote === QUOTE ? '"' : "'", start);
    if (end < 0) throw BAIL;
    const text = s.slice(start, end);
    if (!NEEDS_DECODING.test(text)) {
      this.i = end + 1;
      return text;
    }
    let i = start;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === quote) {
        this.i = i + 1;
        return s.slice(start, i);
      }
      if (c === BACKSLASH) break;
      // End of line, raw control characters and DEL, unpaired surrogates: left to ion-js.
      if (!(c >= 0x20 && c !== 0x7f)) throw BAIL;
      i = c >= 0xd800 && c <= 0xdfff ? pairEnd(s, i) : i + 1;
    }
    let out = s.slice(start, i);
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === quote) {
        this.i = i + 1;
        return out;
      }
      if (c === BACKSLASH) {
        const e = s.charCodeAt(i + 1);
        i += 2;
        switch (e) {
          case 0x22: // "
          case 0x27: // '
          case 0x5c: // \
          case 0x2f: // /
          case 0x3f: // ?
            out += String.fromCharCode(e);
            break;
          case 0x6e: // n
            out += '\n';
            break;
          case 0x74: // t
            out += '\t';
            break;
          case 0x72: // r
            out += '\r';
            break;
          case 0x62: // b
            out += '\b';
            break;
          case 0x66: // f
            out += '\f';
            break;
          case 0x76: // v
            out += '\v';
            break;
          case 0x61: // a
            out += '\x07';
            break;
          case 0x30: // 0
            out += '\0';
            break;
          case 0x78: // xHH
            out += String.fromCharCode(this.hex(i, 2));
            i += 2;
            break;
          case 0x75: {
            // uHHHH, not a surrogate (ion-js decides what escaped surrogates mean)
            const code = this.hex(i, 4);
            if (code >= 0xd800 && code <= 0xdfff) throw BAIL;
            out += String.fromCharCode(code);
            i += 4;
            break;
          }
          default:
            throw BAIL;
        }
        continue;
      }
      const run = i;
      while (i < s.length) {
        const d = s.charCodeAt(i);
        if (d === quote || d === BACKSLASH) break;
        if (!(d >= 0x20 && d !== 0x7f)) throw BAIL;
        i = d >= 0xd800 && d <= 0xdfff ? pairEnd(s, i) : i + 1;
      }
      if (i >= s.length) throw BAIL;
      out += s.slice(run, i);
    }
  }

  hex(at: number, count: number): number {
    let value = 0;
    for (let k = 0; k < count; k++) {
      const c = this.s.charCodeAt(at + k);
      let digit: number;
      if (isDigit(c)) digit = c - ZERO;
      else if (c >= 0x61 && c <= 0x66) digit = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) digit = c - 0x41 + 10;
      else throw BAIL;
      value = value * 16 + digit;
    }
    return value;
  }

  /** A field name: an identifier (not a keyword, not a symbol id like `$10`), `'quoted'` or `"a string"`. */
  fieldName(): string {
    const c = this.peek();
    if (c === QUOTE || c === APOSTROPHE) {
      // `'''` starts a long string, which ion-js reads.
      if (c === APOSTROPHE && this.s.charCodeAt(this.i + 1) === APOSTROPHE) throw BAIL;
      return this.quoted(c);
    }
    if (!isIdentifierStart(c)) throw BAIL;
    const s = this.s;
    const start = this.i;
    let i = start + 1;
    let digitsOnly = true;
    for (let d = s.charCodeAt(i); isIdentifierPart(d); d = s.charCodeAt(++i)) digitsOnly &&= isDigit(d);
    this.i = i;
    const name = s.slice(start, i);
    if (c === DOLLAR && digitsOnly) throw BAIL; // `$` alone, or a symbol id: ion-js
    if (name === 'true' || name === 'false' || name === 'null' || name === 'nan') throw BAIL;
    return name;
  }

  /**
   * A decimal (`-`? int (`.` digits?)? (`d` `-`? digits)?, with a point or a `d`) or a plain decimal int, as the
   * `N` string of its value. Floats, underscores, radix prefixes, leading zeros: ion-js.
   */
  number(): string {
    const s = this.s;
    const begin = this.i;
    let i = begin;
    let negative = false;
    if (s.charCodeAt(i) === MINUS) {
      negative = true;
      i++;
    }
    const intStart = i;
    if (s.charCodeAt(i) === ZERO) i++;
    else while (isDigit(s.charCodeAt(i))) i++;
    if (i === intStart || isDigit(s.charCodeAt(i))) throw BAIL;
    const intEnd = i;
    let fracEnd = i;
    let decimal = false;
    if (s.charCodeAt(i) === DOT) {
      decimal = true;
      i++;
      while (isDigit(s.charCodeAt(i))) i++;
      fracEnd = i;
    }
    let exponent = 0;
    const e = s.charCodeAt(i);
    if (e === LOWER_D || e === UPPER_D) {
      decimal = true;
      i++;
      let exponentNegative = false;
      const sign = s.charCodeAt(i);
      if (sign === MINUS || sign === PLUS) {
        exponentNegative = sign === MINUS;
        i++;
      }
      const start = i;
      while (isDigit(s.charCodeAt(i))) i++;
      // No digits, a leading zero or an exponent too long to be exact as a number: ion-js.
      if (i === start || i - start > 9 || (s.charCodeAt(start) === ZERO && i - start > 1)) throw BAIL;
      exponent = Number(s.slice(start, i));
      if (exponentNegative) exponent = -exponent;
    }
    if (!endsScalar(s.charCodeAt(i))) throw BAIL;
    this.i = i;
    // Without an exponent the text is already the plain decimal decimalString would write: `8694.49`, `0.50`,
    // `-0.` (less its point). Up to 20 places, where decimalString writes no exponent either.
    if (e !== LOWER_D && e !== UPPER_D && fracEnd - intEnd <= 21) {
      if (decimal) return s.slice(begin, fracEnd === intEnd + 1 ? intEnd : fracEnd);
      // An int: `-0` is 0, as ion-js's BigInt has it.
      return negative && intEnd === intStart + 1 && s.charCodeAt(intStart) === ZERO ? '0' : s.slice(begin, i);
    }
    let digits = intEnd > intStart + 1 || s.charCodeAt(intStart) !== ZERO ? s.slice(intStart, intEnd) : '';
    if (fracEnd > intEnd + 1) digits += s.slice(intEnd + 1, fracEnd);
    exponent -= fracEnd > intEnd ? fracEnd - intEnd - 1 : 0;
    let first = 0;
    while (first < digits.length && digits.charCodeAt(first) === ZERO) first++;
    digits = first === digits.length ? '0' : first > 0 ? digits.slice(first) : digits;
    if (!decimal) return negative && digits !== '0' ? `-${digits}` : digits;
    return decimalString(negative, digits, exponent);
  }

  /** `{{ base64 }}` whose text is standard, padded and canonical base64: that text is the `B` string. */
  blob(): string {
    const s = this.s;
    this.i += 2;
    let c = this.peek();
    const start = this.i;
    let i = start;
    while (isBase64(c)) c = s.charCodeAt(++i);
    const end = i;
    let padding = 0;
    while (c === EQUALS) {
      padding++;
      c = s.charCodeAt(++i);
    }
    const length = end - start;
    // Anything but one unbroken run of digits with correct padding whose unused bits are zero: ion-js.
    if (padding > 2 || (length + padding) % 4 !== 0 || (padding > 0 && length === 0)) throw BAIL;
    if (padding > 0) {
      const lastBits = BASE64_VALUE[s.charCodeAt(end - 1)];
      if ((padding === 1 && (lastBits & 0x03) !== 0) || (padding === 2 && (lastBits & 0x0f) !== 0)) throw BAIL;
    }
    this.i = i;
    if (this.peek() !== RBRACE || s.charCodeAt(this.i + 1) !== RBRACE) throw BAIL;
    this.i += 2;
    return s.slice(start, i);
  }

  /** `true`, `false`, `null`, `null.null`. */
  keyword(): AttributeValue {
    const s = this.s;
    const i = this.i;
    if (s.startsWith('true', i) && endsScalar(s.charCodeAt(i + 4))) {
      this.i = i + 4;
      return { BOOL: true };
    }
    if (s.startsWith('false', i) && endsScalar(s.charCodeAt(i + 5))) {
      this.i = i + 5;
      return { BOOL: false };
    }
    if (s.startsWith('null', i)) {
      if (endsScalar(s.charCodeAt(i + 4))) {
        this.i = i + 4;
        return { NULL: true };
      }
      if (s.startsWith('.null', i + 4) && endsScalar(s.charCodeAt(i + 9))) {
        this.i = i + 9;
        return { NULL: true };
      }
    }
    throw BAIL;
  }

  set(depth: number): AttributeValue {
    const s = this.s;
    const i = this.i + SET_PREFIX.length;
    const kind = s.slice(i, i + 2);
    if ((kind !== 'SS' && kind !== 'NS' && kind !== 'BS') || s.charCodeAt(i + 2) !== COLON) throw BAIL;
    if (s.charCodeAt(i + 3) !== COLON) throw BAIL;
    this.i = i + 4;
    this.expect(LBRACKET);
    const out: string[] = [];
    if (this.peek() === RBRACKET) {
      this.i++;
    } else {
      for (;;) {
        const c = this.peek();
        if (kind === 'SS') {
          if (c !== QUOTE) throw BAIL;
          out.push(this.quoted(QUOTE));
        } else if (kind === 'NS') {
          if (!(isDigit(c) || c === MINUS)) throw BAIL;
          out.push(this.number());
        } else {
          if (c !== LBRACE || s.charCodeAt(this.i + 1) !== LBRACE) throw BAIL;
          out.push(this.blob());
        }
        const next = this.peek();
        this.i++;
        if (next === RBRACKET) break;
        if (next !== COMMA) throw BAIL;
      }
    }
    if (depth > MAX_ION_DEPTH) throw BAIL;
    return kind === 'SS' ? { SS: out } : kind === 'NS' ? { NS: out } : { BS: out };
  }

  value(depth: number): AttributeValue {
    if (depth > MAX_ION_DEPTH) throw BAIL;
    const c = this.peek();
    if (c === QUOTE) return { S: this.quoted(QUOTE) };
    if (isDigit(c) || c === MINUS) return { N: this.number() };
    if (c === LBRACE) {
      if (this.s.charCodeAt(this.i + 1) === LBRACE) return { B: this.blob() };
      return { M: this.struct(depth + 1) };
    }
    if (c === LBRACKET) return { L: this.list(depth + 1) };
    if (c === DOLLAR && this.s.startsWith(SET_PREFIX, this.i)) return this.set(depth);
    return this.keyword();
  }

  list(depth: number): AttributeValue[] {
    this.i++;
    const out: AttributeValue[] = [];
    if (this.peek() === RBRACKET) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      const next = this.peek();
      this.i++;
      if (next === RBRACKET) return out;
      if (next !== COMMA) throw BAIL;
    }
  }

  /** A struct as a name → attribute value map; a name given twice goes to ion-js (which refuses the line). */
  struct(depth: number): DynamoItem {
    this.i++;
    const out: DynamoItem = {};
    if (this.peek() === RBRACE) {
      this.i++;
      return out;
    }
    for (;;) {
      const name = this.fieldName();
      this.expect(COLON);
      const value = this.value(depth);
      if (Object.prototype.hasOwnProperty.call(out, name)) throw BAIL;
      if (name === '__proto__') setOwnProperty(out, name, value);
      else out[name] = value;
      const next = this.peek();
      this.i++;
      if (next === RBRACE) return out;
      if (next !== COMMA) throw BAIL;
    }
  }
}

/**
 * The record of one Ion export line, or `undefined` when the line is outside this reader's subset or not a
 * record (then `ion-js` decides). Same result as `readIonRecordWithIonJs` whenever it returns one.
 */
export function fastIonRecord(text: string, incremental: boolean): ExportRecord | undefined {
  const reader = new LineReader(text);
  try {
    reader.peek();
    if (text.startsWith(IVM, reader.i)) {
      reader.i += IVM.length;
      if (isIdentifierPart(text.charCodeAt(reader.i))) return undefined;
    }
    if (reader.peek() !== LBRACE || text.charCodeAt(reader.i + 1) === LBRACE) return undefined;
    const record = reader.struct(1);
    if (!Number.isNaN(reader.peek())) return undefined; // something follows the struct

    if (!incremental) {
      const item = record.Item;
      return item !== undefined && 'M' in item ? { kind: 'put', item: item.M } : undefined;
    }
    const newImage = record.NewImage;
    if (newImage !== undefined) return 'M' in newImage ? { kind: 'put', item: newImage.M } : undefined;
    const keys = record.Keys;
    return keys !== undefined && 'M' in keys ? { kind: 'delete', keys: keys.M } : undefined;
  } catch (error) {
    if (error === BAIL) return undefined;
    throw error;
  }
}
