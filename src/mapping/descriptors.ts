import { quoteForMessage } from './errors';
import { isPlainObject } from './objects';

/** The ten descriptors of DynamoDB JSON. */
export const TYPE_DESCRIPTORS: ReadonlySet<string> = new Set([
  'S',
  'N',
  'B',
  'BOOL',
  'NULL',
  'M',
  'L',
  'SS',
  'NS',
  'BS',
]);

/**
 * The only key of `av` when it is an object with exactly one key, else undefined. A `for…in` that stops at
 * the second key, because `Object.keys` would allocate an array for every value.
 */
export function singleKey(av: unknown): string | undefined {
  if (!isPlainObject(av)) return undefined;
  let key: string | undefined;
  for (const k in av) {
    if (key !== undefined) return undefined;
    key = k;
  }
  return key;
}

/** Why `av` is not an object with one type descriptor, for an error message. */
export function shapeProblem(av: unknown): string {
  return isPlainObject(av)
    ? `expected exactly one type descriptor, got ${quoteForMessage(Object.keys(av))}`
    : `expected an attribute value object, got ${quoteForMessage(av)}`;
}
