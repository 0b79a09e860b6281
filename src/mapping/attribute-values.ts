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
import { shapeProblem, singleKey } from './descriptors';
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

function fail(ctx: ValueContext, code: MappingErrorCode, reason: string): MappingError {
  return new MappingError(code, formatPath(ctx.path, false), reason);
}

/**
 * The type descriptor of `av`, checked to be the only key of an object; throws `BAD_VALUE` at the
 * context's path otherwise. Whether the descriptor is a known one is left to the caller.
 */
function descriptorOf(av: unknown, ctx: ValueContext): string {
  const key = singleKey(av);
  if (key === undefined) throw fail(ctx, 'BAD_VALUE', shapeProblem(av));
  return key;
}

const number: MappedNumber = { value: 0, keptAsString: false, lostPrecision: false };

function mapN(s: unknown, ctx: ValueContext, descriptor: string): number | string {
  if (typeof s !== 'string')
    throw fail(ctx, 'BAD_VALUE', `${descriptor} must hold a string, got ${quoteForMessage(s)}`);
  // Most numbers are short and plain; they need neither the full parse nor the result object.
  if (ctx.numberMode !== 'string') {
    const short = shortPlainValue(s);
    if (!Number.isNaN(short)) return short;
  }
  const reason = mapNumberInto(s, ctx.numberMode, number);
  if (reason !== undefined) throw fail(ctx, 'BAD_NUMBER', `${quoteForMessage(s)} ${reason}`);
  if (number.keptAsString) ctx.pending.numbersAsStrings.push(formatPath(ctx.path, true));
  else if (number.lostPrecision) ctx.pending.precisionLost.push(formatPath(ctx.path, true));
  return number.value;
}

/** SS and BS: the exported array itself, once every element is known to be a string; nothing to convert. */
function checkStringSet(list: unknown, ctx: ValueContext, descriptor: string): string[] {
  if (!Array.isArray(list))
    throw fail(ctx, 'BAD_VALUE', `${descriptor} must hold an array, got ${quoteForMessage(list)}`);
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'string') {
      ctx.path.push(i);
      throw fail(ctx, 'BAD_VALUE', `${descriptor} elements must be strings, got ${quoteForMessage(list[i])}`);
    }
  }
  return list as string[];
}

function mapNumberSet(list: unknown, ctx: ValueContext): (number | string)[] {
  if (!Array.isArray(list)) throw fail(ctx, 'BAD_VALUE', `NS must hold an array, got ${quoteForMessage(list)}`);
  const out: (number | string)[] = [];
  for (let i = 0; i < list.length; i++) {
    ctx.path.push(i);
    out.push(mapN(list[i], ctx, 'NS element'));
    ctx.path.pop();
  }
  return out;
}

function mapList(list: unknown, ctx: ValueContext): MappedValue[] {
  if (!Array.isArray(list)) throw fail(ctx, 'BAD_VALUE', `L must hold an array, got ${quoteForMessage(list)}`);
  const out: MappedValue[] = [];
  for (let i = 0; i < list.length; i++) {
    ctx.path.push(i);
    out.push(mapValue(list[i] as AttributeValue, ctx));
    ctx.path.pop();
  }
  return out;
}

function mapMap(map: unknown, ctx: ValueContext): { [name: string]: MappedValue } {
  if (!isPlainObject(map)) throw fail(ctx, 'BAD_VALUE', `M must hold an object, got ${quoteForMessage(map)}`);
  const out = newMappedObject() as { [name: string]: MappedValue };
  for (const name in map) {
    ctx.path.push(name);
    setOwnProperty(out, name, mapValue(map[name] as AttributeValue, ctx));
    ctx.path.pop();
  }
  return out;
}

/**
 * Maps one attribute value (mapping.md §1–2), checking its shape on the way. `ctx.path` must name the
 * value (push the attribute name first) so that errors and counts carry it; it is restored on success.
 * The result shares `SS`/`BS` arrays and all strings with `av`: treat `av` as consumed.
 */
export function mapValue(av: AttributeValue, ctx: ValueContext): MappedValue {
  if (ctx.path.length > MAX_NESTING) throw fail(ctx, 'TOO_DEEP', `nested more than ${MAX_NESTING} levels deep`);
  const descriptor = descriptorOf(av, ctx);
  const v: unknown = (av as unknown as Record<string, unknown>)[descriptor];
  switch (descriptor) {
    case 'S':
    case 'B':
      if (typeof v !== 'string')
        throw fail(ctx, 'BAD_VALUE', `${descriptor} must hold a string, got ${quoteForMessage(v)}`);
      return v;
    case 'N':
      return mapN(v, ctx, 'N');
    case 'BOOL':
      if (typeof v !== 'boolean')
        throw fail(ctx, 'BAD_VALUE', `BOOL must hold true or false, got ${quoteForMessage(v)}`);
      return v;
    case 'NULL':
      if (v !== true) throw fail(ctx, 'BAD_VALUE', `NULL must hold true, got ${quoteForMessage(v)}`);
      return null;
    case 'M':
      return mapMap(v, ctx);
    case 'L':
      return mapList(v, ctx);
    case 'SS':
    case 'BS':
      return checkStringSet(v, ctx, descriptor);
    case 'NS':
      return mapNumberSet(v, ctx);
    default:
      throw fail(ctx, 'UNKNOWN_TYPE', `unknown type descriptor ${quoteForMessage(descriptor)}`);
  }
}
