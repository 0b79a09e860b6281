/**
 * Errors that cross the activity → orchestrator boundary. durable-functions flattens an activity's
 * failure into a plain message, so the stable code travels at the start of the message
 * (`[CHECKSUM_MISMATCH] …`) and the orchestrator branches on it with `errorCodeOf`.
 *
 * Every code, and whether its cause can go away by trying again: a permanent one fails the file (or the export) at
 * once, a retryable one is thrown so Durable's retry policy tries again.
 */
const RETRY_OF = {
  EXPORT_INCOMPLETE: 'permanent',
  EXPORT_NOT_FOUND: 'permanent',
  UNSUPPORTED_FORMAT: 'permanent',
  MANIFEST_INVALID: 'permanent',
  MANIFEST_INCONSISTENT: 'permanent',
  DATA_FILE_MISSING: 'permanent',
  CHECKSUM_MISMATCH: 'permanent',
  CORRUPT_GZIP: 'permanent',
  FILE_POISONED: 'permanent',
  SOURCE_NOT_ALLOWED: 'permanent',
  SOURCE_ACCESS_DENIED: 'permanent',
  PARTITION_KEY_MISMATCH: 'permanent',
  COPY_NOT_SUPPORTED: 'permanent',
  RETRIES_EXHAUSTED: 'retryable',
  CONFIGURATION: 'permanent',
  BATCH_FAILED: 'retryable',
  VALIDATION_FAILED: 'permanent',
  INTERNAL: 'retryable',
  TRANSIENT: 'retryable',
} as const;
export type ErrorCode = keyof typeof RETRY_OF;
export const ERROR_CODES = Object.keys(RETRY_OF) as ErrorCode[];

/** A failure as it crosses the API: a stable code and one line for a person. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export class MigrationError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(`[${code}] ${message}`, options);
    this.name = 'MigrationError';
    this.code = code;
    this.retryable = RETRY_OF[code] === 'retryable';
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
