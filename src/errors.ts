/**
 * Errors that cross the activity → orchestrator boundary. durable-functions flattens an activity's
 * failure into a plain message, so the stable code travels at the start of the message
 * (`[CHECKSUM_MISMATCH] …`) and the orchestrator branches on it with `errorCodeOf`.
 */
export type ErrorCode =
  | 'EXPORT_INCOMPLETE'
  | 'EXPORT_NOT_FOUND'
  | 'UNSUPPORTED_FORMAT'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_INCONSISTENT'
  | 'DATA_FILE_MISSING'
  | 'CHECKSUM_MISMATCH'
  | 'CORRUPT_GZIP'
  | 'FILE_POISONED'
  | 'SOURCE_NOT_ALLOWED'
  | 'SOURCE_ACCESS_DENIED'
  | 'PARTITION_KEY_MISMATCH'
  | 'COPY_NOT_SUPPORTED'
  | 'RETRIES_EXHAUSTED'
  | 'CONFIGURATION'
  | 'BATCH_FAILED'
  | 'INTERNAL'
  | 'TRANSIENT';

/** A failure as it crosses the API: a stable code and one line for a person. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

/** Codes whose cause will not go away by trying again: the orchestrator fails the file at once. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'EXPORT_INCOMPLETE',
  'EXPORT_NOT_FOUND',
  'UNSUPPORTED_FORMAT',
  'MANIFEST_INVALID',
  'MANIFEST_INCONSISTENT',
  'DATA_FILE_MISSING',
  'CHECKSUM_MISMATCH',
  'CORRUPT_GZIP',
  'FILE_POISONED',
  'SOURCE_NOT_ALLOWED',
  'SOURCE_ACCESS_DENIED',
  'PARTITION_KEY_MISMATCH',
  'COPY_NOT_SUPPORTED',
  'CONFIGURATION',
]);

export class MigrationError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(`[${code}] ${message}`, options);
    this.name = 'MigrationError';
    this.code = code;
    this.retryable = !PERMANENT.has(code);
  }
}

/** Reads the code back out of a message that went through Durable's failure flattening. */
export function errorCodeOf(error: unknown): ErrorCode | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const match = /\[([A-Z_]+)\]/.exec(message);
  return match ? (match[1] as ErrorCode) : undefined;
}

/** The part of a flattened Durable failure message a user should read: from the code onwards, one line. */
export function userMessageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const start = message.search(/\[[A-Z_]+\]/);
  const text = start >= 0 ? message.slice(start) : message;
  return text.split('\n')[0].trim();
}
