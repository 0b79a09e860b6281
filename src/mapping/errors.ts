/**
 * Why a single line cannot be mapped. These are problems of the data, not of the run: the loader
 * dead-letters the line (mapping.md §6) and carries on, so they are kept apart from `MigrationError`.
 */
export type MappingErrorCode =
  /** A type descriptor that is not one of the ten DynamoDB JSON types. */
  | 'UNKNOWN_TYPE'
  /** An `N` value (or `NS` element) that is not a decimal literal within DynamoDB's number limits. */
  | 'BAD_NUMBER'
  /** The item lacks its partition or sort key attribute. */
  | 'MISSING_KEY'
  /** A key attribute that is not S, N or B, or is an empty S or B. */
  | 'BAD_KEY_TYPE'
  /** A value of the wrong JSON shape: not one descriptor, or a descriptor holding the wrong JSON type. */
  | 'BAD_VALUE'
  /** Nesting far beyond DynamoDB's 32 levels, refused before it can exhaust the stack. */
  | 'TOO_DEEP'
  /** The mapped document has no value (or an object or array) at the container's partition key path. */
  | 'NO_PARTITION_KEY'
  /**
   * A partition key path meant for a renamed key attribute (`/_ddb_id`) would hold another attribute of the
   * item (its own `_ddb_id`), which would place the document in a wrong logical partition.
   */
  | 'PARTITION_KEY_CONFLICT';

export class MappingError extends Error {
  readonly code: MappingErrorCode;
  /** Attribute path such as `meta.flags[2]`; empty when the problem is the item itself. */
  readonly path: string;
  readonly reason: string;

  constructor(code: MappingErrorCode, path: string, reason: string) {
    // The code leads the message in brackets, like MigrationError, because dead letters and Durable
    // failures keep only the message.
    super(path === '' ? `[${code}] ${reason}` : `[${code}] ${path}: ${reason}`);
    this.name = 'MappingError';
    this.code = code;
    this.path = path;
    this.reason = reason;
  }
}

const QUOTED_LIMIT = 64;

/** A value quoted for an error message, cut short so a hostile multi-megabyte value cannot bloat dead letters. */
export function quoteForMessage(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > QUOTED_LIMIT ? `${text.slice(0, QUOTED_LIMIT)}…` : text;
}
