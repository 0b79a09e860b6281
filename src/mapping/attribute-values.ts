/*
 * DynamoDB JSON value → Cosmos DB JSON value (mapping.md §1–2).
 *
 * Why not `unmarshall` from @aws-sdk/util-dynamodb: its output is a JavaScript value, not the contract's
 * JSON. Sets become `Set` objects (which JSON.stringify writes as `{}`), numbers become lossy `number`s,
 * `BigInt`s (which JSON.stringify refuses; and `"1E+30"` throws) or `NumberValue` wrappers, and `B` is
 * handed through as whatever it was given (`Uint8Array` from SDK clients, which the contract would need as
 * base64 again). It does not validate (`BOOL: "no"` becomes `true`, `NULL: false` becomes `null`), knows no
 * attribute paths, so it can neither say where a line is bad nor count numbers per path, and it allocates an
 * entries array per value. Here: base64 text kept as exported, sets as arrays in export order, numbers
 * exact or as canonical strings, and per-path counts for the report.
 */
import { MappingError, MappingErrorCode, quoteForMessage } from './errors';
import { shapeProblem } from './descriptors';
import { MappedNumber, mapNumberInto, shortPlainValue } from './numbers';
import { isPlainObject, newMappedObject, setOwnProperty } from './objects';
import { formatPath, PathSegment } from './paths';
import { newPendingStats, PendingStats } from './stats';
import { AttributeValue, MappedValue, NumberMode } from './types';

/** DynamoDB allows 32 levels. Far above that, yet far below the call stack's limit, a line is refused. */
export const MAX_NESTING = 100;

/** State for mapping the values of one item. */
export interface ValueContext {
  readonly numberMode: NumberMode;
  /** Where the value being mapped sits; a stack, so paths become strings only when one is needed. */
  readonly path: PathSegment[];
  /** Counts for the report, held back until the item has mapped completely. */
  readonly pending: PendingStats;
}

/** A context at the root of an item; push an attribute name before mapping its value. */
export function createValueContext(numberMode: NumberMode, pending: PendingStats = newPendingStats()): ValueContext {
  return { numberMode, path: [], pending };
}

/*
 * The walk below keeps the path as an array indexed by depth rather than a stack: a value at depth `d` has its
 * path in `ctx.path[0..d]`, and a child writes its own segment at `d + 1` without pushing or popping. Entries
 * past the current depth are stale and ignored; paths are built into strings only for an error or a count.
 * Each value's descriptor and content are read in one `for…in` (the enumeration's own load, not a keyed load
 * by name), and the recursion carries the depth, so a value costs one call (bench/: the mapping is most of the
 * loader's CPU beyond JSON.parse).
 */

function fail(ctx: ValueContext, depth: number, code: MappingErrorCode, reason: string): MappingError {
  return new MappingError(code, formatPath(ctx.path, false, depth + 1), reason);
}

const number: MappedNumber = { value: 0, keptAsString: false, lostPrecision: false };

function mapN(s: unknown, ctx: ValueContext, depth: number, descriptor: string): number | string {
  if (typeof s !== 'string')
    throw fail(ctx, depth, 'BAD_VALUE', `${descriptor} must hold a string, got ${quoteForMessage(s)}`);
  // Most numbers are short and plain; they need neither the full parse nor the result object.
  if (ctx.numberMode !== 'string') {
    const short = shortPlainValue(s);
    if (!Number.isNaN(short)) return short;
  }
  const reason = mapNumberInto(s, ctx.numberMode, number);
  if (reason !== undefined) throw fail(ctx, depth, 'BAD_NUMBER', `${quoteForMessage(s)} ${reason}`);
  if (number.keptAsString) ctx.pending.numbersAsStrings.push(formatPath(ctx.path, true, depth + 1));
  else if (number.lostPrecision) ctx.pending.precisionLost.push(formatPath(ctx.path, true, depth + 1));
  return number.value;
}

/** SS and BS: the exported array itself, once every element is known to be a string; nothing to convert. */
function checkStringSet(list: unknown, ctx: ValueContext, depth: number, descriptor: string): string[] {
  if (!Array.isArray(list))
    throw fail(ctx, depth, 'BAD_VALUE', `${descriptor} must hold an array, got ${quoteForMessage(list)}`);
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'string') {
      ctx.path[depth + 1] = i;
      throw fail(
        ctx,
        depth + 1,
        'BAD_VALUE',
        `${descriptor} elements must be strings, got ${quoteForMessage(list[i])}`,
      );
    }
  }
  return list as string[];
}

function mapNumberSet(list: unknown, ctx: ValueContext, depth: number): (number | string)[] {
  if (!Array.isArray(list)) throw fail(ctx, depth, 'BAD_VALUE', `NS must hold an array, got ${quoteForMessage(list)}`);
  const out: (number | string)[] = [];
  const path = ctx.path;
  const inner = depth + 1;
  for (let i = 0; i < list.length; i++) {
    path[inner] = i;
    out.push(mapN(list[i], ctx, inner, 'NS element'));
  }
  return out;
}

function mapList(list: unknown, ctx: ValueContext, depth: number): MappedValue[] {
  if (!Array.isArray(list)) throw fail(ctx, depth, 'BAD_VALUE', `L must hold an array, got ${quoteForMessage(list)}`);
  const out: MappedValue[] = [];
  const path = ctx.path;
  const inner = depth + 1;
  for (let i = 0; i < list.length; i++) {
    path[inner] = i;
    out.push(mapAt(list[i], ctx, inner));
  }
  return out;
}

function mapMap(map: unknown, ctx: ValueContext, depth: number): { [name: string]: MappedValue } {
  if (!isPlainObject(map)) throw fail(ctx, depth, 'BAD_VALUE', `M must hold an object, got ${quoteForMessage(map)}`);
  const out = newMappedObject() as { [name: string]: MappedValue };
  const path = ctx.path;
  const inner = depth + 1;
  for (const name in map) {
    path[inner] = name;
    const value = mapAt(map[name], ctx, inner);
    if (name === '__proto__') setOwnProperty(out, name, value);
    else out[name] = value;
  }
  return out;
}

/**
 * Maps the value at `depth` (its path is `ctx.path[0..depth]`), checking its shape on the way: an object with
 * exactly one key, the type descriptor, holding the JSON type that descriptor needs.
 */
export function mapAt(av: unknown, ctx: ValueContext, depth: number): MappedValue {
  if (depth >= MAX_NESTING) throw fail(ctx, depth, 'TOO_DEEP', `nested more than ${MAX_NESTING} levels deep`);
  if (!isPlainObject(av)) throw fail(ctx, depth, 'BAD_VALUE', shapeProblem(av));
  let descriptor: string | undefined;
  let v: unknown;
  for (const key in av) {
    if (descriptor !== undefined) throw fail(ctx, depth, 'BAD_VALUE', shapeProblem(av));
    descriptor = key;
    v = av[key];
  }
  switch (descriptor) {
    case 'S':
    case 'B':
      if (typeof v !== 'string')
        throw fail(ctx, depth, 'BAD_VALUE', `${descriptor} must hold a string, got ${quoteForMessage(v)}`);
      return v;
    case 'N':
      return mapN(v, ctx, depth, 'N');
    case 'M':
      return mapMap(v, ctx, depth);
    case 'L':
      return mapList(v, ctx, depth);
    case 'BOOL':
      if (typeof v !== 'boolean')
        throw fail(ctx, depth, 'BAD_VALUE', `BOOL must hold true or false, got ${quoteForMessage(v)}`);
      return v;
    case 'NULL':
      if (v !== true) throw fail(ctx, depth, 'BAD_VALUE', `NULL must hold true, got ${quoteForMessage(v)}`);
      return null;
    case 'SS':
    case 'BS':
      return checkStringSet(v, ctx, depth, descriptor);
    case 'NS':
      return mapNumberSet(v, ctx, depth);
    case undefined:
      throw fail(ctx, depth, 'BAD_VALUE', shapeProblem(av));
    default:
      throw fail(ctx, depth, 'UNKNOWN_TYPE', `unknown type descriptor ${quoteForMessage(descriptor)}`);
  }
}

/**
 * Maps one attribute value (mapping.md §1–2), checking its shape on the way. `ctx.path` must name the
 * value (push the attribute name first) so that errors and counts carry it; it is restored on success.
 * The result shares `SS`/`BS` arrays and all strings with `av`: treat `av` as consumed.
 */
export function mapValue(av: AttributeValue, ctx: ValueContext): MappedValue {
  const length = ctx.path.length;
  const value = mapAt(av, ctx, length - 1);
  if (ctx.path.length !== length) ctx.path.length = length;
  return value;
}
