/**
 * What both Ion readers share: the DynamoDB meaning of Ion values (docs/export-formats.md) and how a decoded
 * value is written into the record shape that `parseRecord` returns for DynamoDB JSON, so the mapping contract
 * applies unchanged whichever format a line came in.
 */
import { setOwnProperty } from '../../mapping/objects';

/** The annotations DynamoDB puts on a list to say it is a set. */
export const SET_ANNOTATIONS: Readonly<Record<string, 'SS' | 'NS' | 'BS'>> = {
  $dynamodb_SS: 'SS',
  $dynamodb_NS: 'NS',
  $dynamodb_BS: 'BS',
};

/** DynamoDB allows 32 levels; like the mapping (`MAX_NESTING`), far above that a line is refused. */
export const MAX_ION_DEPTH = 100;

/** Where in a line a value sits, for messages: `Item.address.geo[1]`. */
export function describePath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part) ? (out ? `.${part}` : part) : `[${JSON.stringify(part)}]`;
  }
  return out || '(line)';
}

/** Thrown by both readers for a line that is not a DynamoDB record in Ion; the message is the dead-letter reason. */
export class IonRecordError extends Error {}

/**
 * An Ion decimal's value as a DynamoDB `N` string: `sign`, `digits` (the coefficient, no leading zeros, "0" for
 * zero) and `exponent`. Plain decimal text when that is short (so the mapping's fast path for short plain
 * numbers applies), else `digitsEexponent`; either way the mapping reads the same value (docs/mapping.md §2–3).
 * Negative zero stays `-0`, as an `N` string may spell it.
 */
export function decimalString(negative: boolean, digits: string, exponent: number): string {
  const sign = negative ? '-' : '';
  if (exponent === 0) return sign + digits;
  if (exponent > 0) {
    if (digits === '0') return `${sign}0`;
    return exponent <= 20 ? sign + digits + '0'.repeat(exponent) : `${sign}${digits}E${exponent}`;
  }
  const places = -exponent;
  if (places < digits.length) return `${sign}${digits.slice(0, digits.length - places)}.${digits.slice(-places)}`;
  if (places - digits.length <= 20) return `${sign}0.${'0'.repeat(places - digits.length)}${digits}`;
  return `${sign}${digits}E${exponent}`;
}

/** Adds `name → value` to a struct being built, refusing a name given twice (Ion allows it; an item cannot). */
export function addField(
  target: Record<string, unknown>,
  name: string,
  value: unknown,
  path: readonly (string | number)[],
): void {
  if (Object.prototype.hasOwnProperty.call(target, name)) {
    throw new IonRecordError(`${describePath([...path, name])}: field ${JSON.stringify(name)} appears twice`);
  }
  setOwnProperty(target, name, value);
}
