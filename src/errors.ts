/**
 * Errors that cross the activity → orchestrator boundary. durable-functions flattens an activity's
 * failure into a plain message, so the stable code travels at the start of the message
 * (`[CHECKSUM_MISMATCH] …`) and the orchestrator branches on it with `errorCodeOf`.
 */
export const ERROR_CODES = [
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
  'RETRIES_EXHAUSTED',
  'CONFIGURATION',
  'BATCH_FAILED',
  'VALIDATION_FAILED',
  'INTERNAL',
  'TRANSIENT',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

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
  'VALIDATION_FAILED',
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

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);
const DURABLE_PREFIX = /^(?:(?:Activity|Orchestrator) function '[^']*' failed: )+/;
const PUBLIC_LIMIT = 300;

/**
 * One line of an error message a person may read, without what only the machine should know: Durable's
 * `Activity function '…' failed:` prefixes, file paths (`/work/…`, `node_modules`, `C:\…`, `file://`) and URL
 * query strings (a SAS or presigned signature) are cut out, and it is cut short.
 */
export function scrubbedLine(text: string): string {
  const line = text.split('\n')[0].replace(DURABLE_PREFIX, '').trim();
  const words = line.split(/\s+/).map((word) => {
    const bare = word.replace(/^[(["'<]+/, '');
    if (/^(?:file:|[A-Za-z]:\\|\/|\.{1,2}\/)|node_modules|[\\]/.test(bare) || /\.(?:js|ts|mjs|cjs):\d+/.test(bare))
      return '<path>';
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(bare) ? word.replace(/\?.*$/, '') : word;
  });
  const clean = words.join(' ');
  return clean.length > PUBLIC_LIMIT ? `${clean.slice(0, PUBLIC_LIMIT)}…` : clean;
}

/**
 * What a failure shows across the API (status output, ledger, report): `[CODE] message`, one line, never a
 * stack trace. A failure that carries a known code keeps its message from the code on; anything else is an unknown error: `fallback`
 * (`INTERNAL` unless the caller knows better, e.g. `RETRIES_EXHAUSTED`) with `what` failed, a scrubbed summary and
 * a correlation id from `newId`, which is returned so the caller can log the full details under it.
 */
export function publicErrorOf(
  error: unknown,
  what: string,
  newId: () => string,
  fallback: ErrorCode = 'INTERNAL',
): ErrorInfo & { correlationId?: string } {
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCodeOf(message);
  // The project's own messages, from the code on: they name the object, and quote foreign text cut short.
  if (code !== undefined && KNOWN_CODES.has(code)) return { code, message: userMessageOf(message) };
  const correlationId = newId();
  const summary = scrubbedLine(message);
  return {
    code: fallback,
    message: `[${fallback}] ${what} failed${summary ? `: ${summary}` : ''} (correlation id ${correlationId})`,
    correlationId,
  };
}
