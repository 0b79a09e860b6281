/** Properties Cosmos adds to every document; they are not part of the migrated item. */
export const SYSTEM_PROPERTIES = new Set(['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn']);

export interface Difference {
  path: string;
  expected: unknown;
  actual: unknown;
}

/**
 * An own property's value, or undefined. Attribute names are data: `__proto__`, `constructor` or `toString`
 * must be read as the item's own attributes, never through the prototype (`{}.constructor` is `Object`).
 */
function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'array';
  return value === null ? 'null' : typeof value;
}

function compareValues(expected: unknown, actual: unknown, path: string, out: Difference[], limit: number): void {
  if (out.length >= limit) return;
  if (Object.is(expected, actual) || (expected === 0 && actual === 0)) return;
  const kind = describe(expected);
  if (kind !== describe(actual)) {
    out.push({ path, expected, actual });
    return;
  }
  if (kind === 'array') {
    const a = expected as unknown[];
    const b = actual as unknown[];
    if (a.length !== b.length) {
      out.push({ path: `${path}.length`, expected: a.length, actual: b.length });
      return;
    }
    for (let i = 0; i < a.length; i++) compareValues(a[i], b[i], `${path}[${i}]`, out, limit);
    return;
  }
  if (kind === 'object') {
    const a = expected as Record<string, unknown>;
    const b = actual as Record<string, unknown>;
    for (const key of Object.keys(a))
      compareValues(own(a, key), own(b, key), path ? `${path}.${key}` : key, out, limit);
    for (const key of Object.keys(b)) {
      if (!Object.hasOwn(a, key))
        out.push({ path: path ? `${path}.${key}` : key, expected: undefined, actual: b[key] });
    }
    return;
  }
  out.push({ path, expected, actual });
}

/**
 * Attribute-by-attribute comparison of the document the mapping says should exist with the one read back,
 * ignoring Cosmos system properties at the top level. Returns at most `limit` differences.
 */
export function compareDocuments(
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  limit = 10,
): Difference[] {
  // Built without a prototype and with defineProperty: `stripped.__proto__ = value` would set the prototype and
  // lose the attribute, reporting a false mismatch for an item that was stored correctly.
  const stripped: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(actual)) {
    if (!SYSTEM_PROPERTIES.has(key)) {
      Object.defineProperty(stripped, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  const out: Difference[] = [];
  compareValues(expected, stripped, '', out, limit);
  return out;
}
