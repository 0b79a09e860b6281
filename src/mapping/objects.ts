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

/**
 * Constructors of the objects the mapping builds (documents, mapped `M` values). Their `prototype` is
 * Object.prototype, so what they make cannot be told from a `{}` (same prototype, `constructor === Object`, same
 * JSON, equal under any comparison); but V8 reserves in-object room for the properties added to objects made by
 * `new`, where a `{}` literal keeps only the first few in the object and moves the rest to a separate store that
 * is regrown as they come. On the sample items (bench/) building a document this way takes about a third of the
 * literal's time, and JSON.stringify (the SDK serialising bulk bodies) reads the result faster as well.
 */
const MappedObject = function MappedObject(): void {} as unknown as new () => Record<string, unknown>;
MappedObject.prototype = Object.prototype;

const DocumentObject = function DocumentObject(this: Record<string, unknown>, id: string): void {
  this.id = id;
} as unknown as new (id: string) => Record<string, unknown>;
DocumentObject.prototype = Object.prototype;

/** An empty plain object, for a mapped `M` value. */
export function newMappedObject(): Record<string, unknown> {
  return new MappedObject();
}

/** A plain object whose first property is `id`, for a document. */
export function newDocumentObject(id: string): Record<string, unknown> {
  return new DocumentObject(id);
}
