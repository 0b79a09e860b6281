import { RpcTypedData } from '../core/coreTypes';

/** How the host hands a JSON value to a binding: RpcTypedData `string`, which the library JSON-parses. */
export function jsonTypedData(value: unknown): RpcTypedData | undefined {
  return value === undefined ? undefined : { string: JSON.stringify(value) };
}

/**
 * Re-encodes a function's return value as JSON text, as the extension stores activity results:
 * `{string:"x"}` → `"\"x\""`, `{json}` as is, numbers as literals, bytes as a base64 JSON string
 * (what Newtonsoft does with byte[]), nothing → null.
 */
export function typedDataToJsonText(data: RpcTypedData | null | undefined): string | null {
  if (!data) {
    return null;
  }
  if (typeof data.string === 'string') {
    return JSON.stringify(data.string);
  }
  if (typeof data.json === 'string') {
    return data.json;
  }
  if (typeof data.int === 'number' || typeof data.double === 'number') {
    return String(data.int ?? data.double);
  }
  const bytes = data.bytes ?? data.stream;
  if (bytes) {
    return JSON.stringify(Buffer.from(bytes).toString('base64'));
  }
  return null;
}

/** Parses a JSON-carrying RpcTypedData back into a value (used for the orchestrator's returned state). */
export function typedDataToValue(data: RpcTypedData | null | undefined): unknown {
  if (!data) {
    return undefined;
  }
  if (typeof data.json === 'string') {
    return JSON.parse(data.json) as unknown;
  }
  if (typeof data.string === 'string') {
    try {
      return JSON.parse(data.string) as unknown;
    } catch {
      return data.string;
    }
  }
  return data.int ?? data.double ?? undefined;
}

export function typedDataToBuffer(data: RpcTypedData | null | undefined): Buffer {
  if (!data) {
    return Buffer.alloc(0);
  }
  const bytes = data.bytes ?? data.stream;
  if (bytes) {
    return Buffer.from(bytes);
  }
  if (typeof data.string === 'string') {
    return Buffer.from(data.string, 'utf8');
  }
  if (typeof data.json === 'string') {
    return Buffer.from(data.json, 'utf8');
  }
  const num = data.int ?? data.double;
  return num === undefined || num === null ? Buffer.alloc(0) : Buffer.from(String(num), 'utf8');
}
