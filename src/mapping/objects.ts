/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets `obj[name] = value` as an own data property. Plain assignment of `__proto__` would replace the
 * object's prototype instead of storing the attribute, losing it silently; JSON.parse lets such names through.
 */
export function setOwnProperty(obj: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') {
    Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[name] = value;
  }
}
