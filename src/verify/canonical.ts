import { createHash } from 'node:crypto';
import { SYSTEM_PROPERTIES } from '../validation/compare';

/**
 * A document's content as one string that does not depend on the order of its properties: objects with their keys
 * sorted, at every level, and Cosmos DB's system properties left out at the top (as the sample comparison leaves
 * them out, compare.ts). Written here rather than taken from a stable-stringify package: the top-level exclusion
 * and reading attribute names only as own properties (`__proto__` is an attribute like any other) are this
 * project's rules, and the walk is a few lines.
 */
export function canonicalJson(document: Record<string, unknown>): string {
  const keys = Object.keys(document)
    .filter((key) => !SYSTEM_PROPERTIES.has(key))
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalValue(document[key])}`).join(',')}}`;
}

function canonicalValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalValue).join(',')}]`;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalValue(object[key])}`).join(',')}}`;
}

/** 128 bits of the SHA-256 of the canonical form, base64url: equal for documents the comparison finds equal. */
export function contentHash(document: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(document), 'utf8').digest('base64url').slice(0, 22);
}
