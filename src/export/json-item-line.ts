/**
 * A full export's DynamoDB JSON line (`{"Item":{…}}`) read straight into its Cosmos DB document, in one pass
 * over the line's characters: no JSON.parse, no AttributeValue objects in between. JSON.parse was half of the
 * loader's CPU, and most of the objects it made (one per value, for the type descriptor) were read once by the
 * mapping and dropped (bench/cpu.ts).
 *
 * It gives exactly what `parseRecord` + `mapItem` give, or nothing: anything it does not cover, and every error
 * alike, makes it return `undefined`, and the caller takes the general path, which then maps the line or says
 * why not in its own words. So it can be faster, never decide differently: test/unit/export/json-item-line.test.ts
 * runs both over the sample items, the edge cases and thousands of damaged lines. JSON whitespace and escapes
 * are read (escaped strings are decoded by JSON.parse itself); left to the general path are incremental records,
 * and any line with a name that is an array index (JSON.parse's objects list those first), a name its object
 * already has (a duplicate, or one of `Object.prototype`'s such as `__proto__` or `constructor`), a descriptor
 * spelled with escapes, a value of the wrong shape or with more than one descriptor, nesting at MAX_NESTING, a
 * bad number, or a key attribute that is missing or not S, N or B.
 *
 * Bounded by the line: no regex, recursion only as deep as MAX_NESTING, work linear in the line, and nothing
 * kept beyond the document's values (strings are slices of the line), the item's top-level names until the
 * document is built, and a fixed number of short names to recognise in the next lines.
 */
import { MAX_NESTING, ValueContext } from '../mapping/attribute-values';
import { documentIdOfKeys } from '../mapping/identity';
import { contextFor, planFor } from '../mapping/map-item';
import { MappedNumber, mapNumberInto, shortPlainValueAt } from '../mapping/numbers';
import { newDocumentObject, newMappedObject } from '../mapping/objects';
import { partitionKeyValueOf, PartitionKeyPlan } from '../mapping/partition-key';
import { formatPath, PathSegment } from '../mapping/paths';
import { isSystemPropertyName, RENAME_PREFIX } from '../mapping/reserved-names';
import { commitPendingStats, MappingStats } from '../mapping/stats';
import { AttributeValue, MappedDocument, MappedValue, MappingOptions } from '../mapping/types';

/** Thrown (and caught in `mapJsonItemLine`) to hand the line to the general path. */
class Bail {}
const BAIL = new Bail();

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const SPACE = 0x20;
const ZERO = 0x30;
const NINE = 0x39;
const UNDERSCORE = 0x5f;
const UPPER_B = 0x42;
const UPPER_L = 0x4c;
const UPPER_M = 0x4d;
const UPPER_N = 0x4e;
const UPPER_O = 0x4f;
const UPPER_S = 0x53;
const UPPER_U = 0x55;

// The line being read and the reader's place in it. Module state rather than a reader object: the reader is
// synchronous and not re-entered, and plain variables keep the hot loops free of property loads.
let line = '';
let at = 0;
let end = 0;
let ctx: ValueContext;
let path: PathSegment[];
/** The content of the last string read, as a slice of the line (`lastEscaped`: it holds escapes). */
let lastStart = 0;
let lastEnd = 0;
let lastEscaped = false;

// The top-level attributes of the item, in line order; reused from line to line.
const names: string[] = [];
const values: MappedValue[] = [];
/** The slot of each of those names in `seenNames`, as `nameSlot` gave it. */
const slots: number[] = [];

const number: MappedNumber = { value: 0, keptAsString: false, lostPrecision: false };

/** JSON's whitespace: space, tab, line feed, carriage return. */
function skipWhitespace(): void {
  while (at < end) {
    const c = line.charCodeAt(at);
    if (c !== SPACE && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
    at++;
  }
}

function expect(c: number): void {
  if (line.charCodeAt(at) !== c) {
    skipWhitespace();
    if (line.charCodeAt(at) !== c) throw BAIL;
  }
  at++;
}

/** The next non-whitespace character, without moving past it (NaN at the end of the line). */
function peek(): number {
  const c = line.charCodeAt(at);
  if (c > SPACE) return c;
  skipWhitespace();
  return line.charCodeAt(at);
}

/**
 * Moves past the string that starts at `at` (its opening quote), leaving its content's place in `last*`. A raw
 * control character is not JSON; an escape is decoded later, by JSON.parse itself, so it reads exactly as the
 * general path reads it (surrogate pairs, `\u0000`, and refusing a bad one).
 */
function skipString(): void {
  if (line.charCodeAt(at) !== QUOTE) throw BAIL;
  const start = at + 1;
  let i = start;
  let escaped = false;
  for (;;) {
    if (i >= end) throw BAIL;
    const c = line.charCodeAt(i);
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      escaped = true;
      i += 2;
    } else {
      if (c < SPACE) throw BAIL;
      i++;
    }
  }
  lastStart = start;
  lastEnd = i;
  lastEscaped = escaped;
  at = i + 1;
}

/** The last string read, decoded. */
function lastString(): string {
  if (!lastEscaped) return line.slice(lastStart, lastEnd);
  try {
    return JSON.parse(line.slice(lastStart - 1, lastEnd + 1)) as string;
  } catch {
    throw BAIL;
  }
}

function readString(): string {
  if (line.charCodeAt(at) !== QUOTE) skipWhitespace();
  skipString();
  return lastString();
}

/**
 * Names read before, by depth and place in their object: the items of one table mostly repeat their names, and
 * a name already used as a property key stores and looks up faster than a fresh slice of the line. A name is kept
 * once it has been used as a key: V8 has then made it its own string, so it does not hold on to the line.
 */
const NAME_SLOTS = 64;
const NAME_DEPTHS = 8;
const MAX_SEEN_NAME = 256;
const seenNames: (string | undefined)[] = new Array<string | undefined>(NAME_DEPTHS * NAME_SLOTS).fill(undefined);
/** The slot the name just read should be kept in once it is a key, or -1 (it came from there, or has escapes). */
let nameSlot = -1;

/**
 * An attribute or map member name, the `index`th of its object at `depth`. One that is an array index (JSON.parse
 * lists those first) goes the general way.
 */
function readName(depth: number, index: number): string {
  if (line.charCodeAt(at) !== QUOTE) skipWhitespace();
  const slot =
    (depth < NAME_DEPTHS ? depth : NAME_DEPTHS - 1) * NAME_SLOTS + (index < NAME_SLOTS ? index : NAME_SLOTS - 1);
  const seen = seenNames[slot];
  let name: string;
  if (
    seen !== undefined &&
    line.charCodeAt(at) === QUOTE &&
    line.charCodeAt(at + 1 + seen.length) === QUOTE &&
    line.startsWith(seen, at + 1)
  ) {
    // The same characters between quotes: the same name (kept names have no escapes, so no quote or backslash).
    name = seen;
    at += seen.length + 2;
    nameSlot = -1;
  } else {
    skipString();
    name = lastString();
    const c = name.charCodeAt(0);
    if (c >= ZERO && c <= NINE) throw BAIL;
    nameSlot = !lastEscaped && name.length <= MAX_SEEN_NAME ? slot : -1;
  }
  expect(COLON);
  return name;
}

/** An `N` value (or `NS` element) at `depth`, mapped as `mapAt` maps it, counts included. */
function readNumber(depth: number): number | string {
  if (line.charCodeAt(at) !== QUOTE) skipWhitespace();
  skipString();
  if (!lastEscaped && ctx.numberMode !== 'string') {
    const short = shortPlainValueAt(line, lastStart, lastEnd);
    if (!Number.isNaN(short)) return short;
  }
  if (mapNumberInto(lastString(), ctx.numberMode, number) !== undefined) throw BAIL;
  if (number.keptAsString) ctx.pending.numbersAsStrings.push(formatPath(path, true, depth + 1));
  else if (number.lostPrecision) ctx.pending.precisionLost.push(formatPath(path, true, depth + 1));
  return number.value;
}

/** `true` or `false`. */
function readBoolean(): boolean {
  const c = peek();
  if (c === 0x74 && line.startsWith('true', at)) {
    at += 4;
    return true;
  }
  if (c === 0x66 && line.startsWith('false', at)) {
    at += 5;
    return false;
  }
  throw BAIL;
}

/** Moves past `[` and reports whether the array is empty (then past its `]` too). */
function openArray(): boolean {
  expect(LBRACKET);
  if (peek() !== RBRACKET) return false;
  at++;
  return true;
}

/** After an element: true when another follows (past its comma), false at the end (past the `]`). */
function nextElement(close: number): boolean {
  const c = peek();
  at++;
  if (c === COMMA) return true;
  if (c === close) return false;
  throw BAIL;
}

function readStringSet(): string[] {
  const out: string[] = [];
  if (openArray()) return out;
  do out.push(readString());
  while (nextElement(RBRACKET));
  return out;
}

function readNumberSet(depth: number): (number | string)[] {
  const out: (number | string)[] = [];
  if (openArray()) return out;
  const inner = depth + 1;
  let i = 0;
  do {
    path[inner] = i++;
    out.push(readNumber(inner));
  } while (nextElement(RBRACKET));
  return out;
}

function readList(depth: number): MappedValue[] {
  const out: MappedValue[] = [];
  if (openArray()) return out;
  const inner = depth + 1;
  let i = 0;
  do {
    path[inner] = i++;
    out.push(readValue(inner));
  } while (nextElement(RBRACKET));
  return out;
}

function readMap(depth: number): { [name: string]: MappedValue } {
  const out = newMappedObject() as { [name: string]: MappedValue };
  expect(LBRACE);
  if (peek() === RBRACE) {
    at++;
    return out;
  }
  const inner = depth + 1;
  let index = 0;
  do {
    const name = readName(inner, index++);
    const slot = nameSlot;
    path[inner] = name;
    const value = readValue(inner);
    // A name seen before (JSON.parse keeps the last value) or one the object inherits (`__proto__`).
    if (out[name] !== undefined) throw BAIL;
    out[name] = value;
    if (slot >= 0) seenNames[slot] = name;
  } while (nextElement(RBRACE));
  return out;
}

/** The descriptor codes, read from the line without cutting the descriptor out. */
const enum Descriptor {
  S,
  N,
  B,
  BOOL,
  NULL,
  M,
  L,
  SS,
  NS,
  BS,
}

/** The descriptor whose name is the string just read; anything else (escapes included) goes the general way. */
function lastDescriptor(): Descriptor {
  if (lastEscaped) throw BAIL;
  const c = line.charCodeAt(lastStart);
  switch (lastEnd - lastStart) {
    case 1:
      if (c === UPPER_S) return Descriptor.S;
      if (c === UPPER_N) return Descriptor.N;
      if (c === UPPER_M) return Descriptor.M;
      if (c === UPPER_L) return Descriptor.L;
      if (c === UPPER_B) return Descriptor.B;
      break;
    case 2:
      if (line.charCodeAt(lastStart + 1) !== UPPER_S) break;
      if (c === UPPER_S) return Descriptor.SS;
      if (c === UPPER_N) return Descriptor.NS;
      if (c === UPPER_B) return Descriptor.BS;
      break;
    case 4:
      if (c === UPPER_B && line.charCodeAt(lastStart + 1) === UPPER_O && line.startsWith('OL', lastStart + 2))
        return Descriptor.BOOL;
      if (c === UPPER_N && line.charCodeAt(lastStart + 1) === UPPER_U && line.startsWith('LL', lastStart + 2))
        return Descriptor.NULL;
      break;
  }
  throw BAIL;
}

/** The descriptor of the value `readValue` read last (an enclosing value's is set after its members'). */
let lastValueDescriptor: Descriptor = Descriptor.S;

/** The attribute value at `depth` (its path in `path[0..depth]`), mapped: `{"<descriptor>": <content>}`. */
function readValue(depth: number): MappedValue {
  if (depth >= MAX_NESTING) throw BAIL;
  expect(LBRACE);
  if (line.charCodeAt(at) !== QUOTE) skipWhitespace();
  skipString();
  const descriptor = lastDescriptor();
  expect(COLON);
  let value: MappedValue;
  switch (descriptor) {
    case Descriptor.S:
    case Descriptor.B:
      value = readString();
      break;
    case Descriptor.N:
      value = readNumber(depth);
      break;
    case Descriptor.M:
      value = readMap(depth);
      break;
    case Descriptor.L:
      value = readList(depth);
      break;
    case Descriptor.BOOL:
      value = readBoolean();
      break;
    case Descriptor.NULL:
      if (peek() !== 0x74 || !line.startsWith('true', at)) throw BAIL;
      at += 4;
      value = null;
      break;
    case Descriptor.SS:
    case Descriptor.BS:
      value = readStringSet();
      break;
    case Descriptor.NS:
      value = readNumberSet(depth);
      break;
  }
  expect(RBRACE);
  lastValueDescriptor = descriptor;
  return value;
}

/** A key attribute's value as `parseRecord` has it, for the id: S, N or B, else the general way decides. */
function keyValue(value: MappedValue): AttributeValue {
  // The key's value was the last string read: S and B map to that string itself, and N's text is wanted as written.
  switch (lastValueDescriptor) {
    case Descriptor.S:
      return { S: value as string };
    case Descriptor.B:
      return { B: value as string };
    case Descriptor.N:
      return { N: lastString() };
    default:
      throw BAIL;
  }
}

const MAX_NAMES_TO_SEARCH = 64;

/**
 * The document name of top-level attribute `name` (mapping.md §4), as `documentName` gives it: the names of the
 * item are `names`, not an object's own properties.
 */
function documentNameOf(name: string, value: MappedValue, id: string): string {
  if (name === 'id') {
    if (value === id) return name;
  } else if (name.charCodeAt(0) !== UNDERSCORE || !isSystemPropertyName(name)) {
    return name;
  }
  // Looked up in a list: an item of many attributes that needs a rename goes the general way, which looks up
  // its item's own properties, so that a line of many `_ts`, `_ddb__ts`, … names costs no more here than there.
  if (names.length > MAX_NAMES_TO_SEARCH) throw BAIL;
  let target = RENAME_PREFIX + name;
  while (names.includes(target)) target = RENAME_PREFIX + target;
  ctx.pending.renames.push(name);
  return target;
}

function readItem(options: MappingOptions, plan: PartitionKeyPlan, stats: MappingStats): MappedDocument {
  const { partitionKey, sortKey } = options.keySchema;
  expect(LBRACE);
  if (peek() !== QUOTE || !line.startsWith('"Item"', at)) throw BAIL;
  at += 6;
  expect(COLON);
  expect(LBRACE);
  let partition: AttributeValue | undefined;
  let sort: AttributeValue | undefined;
  if (peek() !== RBRACE) {
    let index = 0;
    do {
      const name = readName(0, index++);
      slots.push(nameSlot);
      path[0] = name;
      const value = readValue(0);
      if (name === partitionKey) {
        if (partition !== undefined) throw BAIL;
        partition = keyValue(value);
      } else if (name === sortKey) {
        if (sort !== undefined) throw BAIL;
        sort = keyValue(value);
      }
      names.push(name);
      values.push(value);
    } while (nextElement(RBRACE));
  } else {
    at++;
  }
  expect(RBRACE);
  skipWhitespace();
  if (at !== end) throw BAIL;

  const id = documentIdOfKeys(partition, sort, options.keySchema);
  const document = newDocumentObject(id);
  let partitionName: string | undefined;
  let sortName: string | undefined;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const value = values[i];
    const target = documentNameOf(name, value, id);
    if (name === partitionKey) partitionName = target;
    else if (name === sortKey) sortName = target;
    // A name seen before (JSON.parse keeps the last value) or one the document inherits (`__proto__`). A renamed
    // attribute, and `id` (the document has its id already), are looked up among the names instead.
    if (target !== name || name === 'id') {
      if (names.indexOf(name) !== i) throw BAIL;
    } else if (document[target] !== undefined) {
      throw BAIL;
    }
    document[target] = value;
    if (target === name && slots[i] >= 0) seenNames[slots[i]] = name;
  }
  const partitionKeyValue = partitionKeyValueOf(plan, document, (key) =>
    key === partitionKey ? partitionName : sortName,
  );
  commitPendingStats(ctx.pending, stats);
  return { id, partitionKey: partitionKeyValue, document };
}

function release(): void {
  line = '';
  while (names.length !== 0) names.pop();
  while (values.length !== 0) values.pop();
  while (slots.length !== 0) slots.pop();
}

/**
 * The document of a full export's DynamoDB JSON line, exactly as `mapItem(parseRecord(text, false).item)` maps
 * it, counts into `stats` included; or undefined, with nothing counted, when the general path must decide.
 */
export function mapJsonItemLine(
  text: string,
  options: MappingOptions,
  stats: MappingStats,
): MappedDocument | undefined {
  // Not an object (an Ion line, say): nothing to try.
  let first = 0;
  while (first < text.length && text.charCodeAt(first) <= SPACE) first++;
  if (text.charCodeAt(first) !== LBRACE) return undefined;
  let plan: PartitionKeyPlan;
  try {
    ctx = contextFor(options);
    plan = planFor(options);
  } catch {
    // A bad option is the general path's to report, after anything wrong with the line itself.
    return undefined;
  }
  path = ctx.path;
  line = text;
  at = 0;
  end = text.length;
  try {
    return readItem(options, plan, stats);
  } catch {
    return undefined;
  } finally {
    release();
  }
}
