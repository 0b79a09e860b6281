/**
 * The checks Azure Blob Storage makes on Put Block From URL and Put Blob From URL before and while it reads the
 * copy source, with the answers it gives. Pure functions: server.ts applies them, the unit tests pin them.
 *
 * Pages (learn.microsoft.com/rest/api/storageservices/…):
 * - PUT_BLOCK_FROM_URL = put-block-from-url: blockid rules, Content-Length 0, x-ms-copy-source up to 2 KiB,
 *   x-ms-source-range.
 * - PUT_BLOB_FROM_URL = put-blob-from-url: source of at most 5000 MiB, Content-Length 0, x-ms-copy-source.
 * - SCALE_TARGETS = learn.microsoft.com/azure/storage/blobs/scalability-targets: a block of at most 4000 MiB, a
 *   single Put Blob of at most 5000 MiB (versions 2019-12-12 and later).
 * - ERROR_CODES = blob-service-error-codes and common-rest-api-error-codes: codes and statuses.
 * - RANGE_HEADER = specifying-the-range-header-for-blob-service-operations: `bytes=start-` and `bytes=start-end`.
 */

export const MIB = 1024 * 1024;
/**
 * Largest block Put Block From URL stages: "Maximum size of a block in a block blob | 4,000 MiB" (SCALE_TARGETS,
 * and the Content-Length rule of Put Block for versions 2019-12-12 and later, rest/api/storageservices/put-block).
 */
export const MAX_BLOCK_BYTES = 4000 * MIB;
/**
 * Largest source Put Blob From URL copies: "The size of the source blob can be a maximum length of up to
 * 5000 mebibytes (MiB)" (PUT_BLOB_FROM_URL; SCALE_TARGETS: maximum blob size via a single write operation).
 */
export const MAX_PUT_BLOB_BYTES = 5000 * MIB;
/** "The value can be a URL of up to 2 KiB in length" (PUT_BLOCK_FROM_URL and PUT_BLOB_FROM_URL, x-ms-copy-source). */
export const MAX_COPY_SOURCE_LENGTH = 2 * 1024;
/** "Prior to encoding, the string must be less than or equal to 64 bytes in size" (PUT_BLOCK_FROM_URL, blockid). */
export const MAX_BLOCK_ID_BYTES = 64;

/** An error answer as the Blob service sends it: status, `x-ms-error-code`, and the XML `<Error>` body. */
export interface StorageErrorAnswer {
  status: number;
  code: string;
  message: string;
  /** Extra elements of the `<Error>` body (HeaderName, QueryParameterName, CopySourceStatusCode, …). */
  details?: Record<string, string | number>;
  /** Extra response headers (x-ms-copy-source-status-code, x-ms-copy-source-error-code). */
  headers?: Record<string, string>;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: StorageErrorAnswer };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(error: StorageErrorAnswer): Checked<T> => ({ ok: false, error });

function invalidHeader(name: string, value: string, reason?: string): StorageErrorAnswer {
  return {
    status: 400,
    code: 'InvalidHeaderValue',
    message: 'The value for one of the HTTP headers is not in the correct format.',
    details: { HeaderName: name, HeaderValue: value, ...(reason ? { Reason: reason } : {}) },
  };
}

/**
 * blockid: valid base64 of at most 64 bytes (PUT_BLOCK_FROM_URL). The answers are the ones the service gives for
 * Put Block, which Azurite reproduces (BlockBlobHandler.validateBlockId): 400 InvalidQueryParameterValue for a
 * value that is not base64, 400 OutOfRangeInput for more than 64 bytes.
 */
export function checkBlockId(blockId: string | null): Checked<Buffer> {
  if (blockId === null || blockId === '') {
    return fail({
      status: 400,
      code: 'MissingRequiredQueryParameter',
      message: 'A query parameter that is mandatory for this request is not specified.',
      details: { QueryParameterName: 'blockid' },
    });
  }
  const raw = Buffer.from(blockId, 'base64');
  if (raw.toString('base64') !== blockId) {
    return fail({
      status: 400,
      code: 'InvalidQueryParameterValue',
      message: 'Value for one of the query parameters specified in the request URI is invalid.',
      details: { QueryParameterName: 'blockid', QueryParameterValue: blockId, Reason: 'Not a valid base64 string.' },
    });
  }
  if (raw.length > MAX_BLOCK_ID_BYTES) {
    return fail({
      status: 400,
      code: 'OutOfRangeInput',
      message: 'One of the request inputs is out of range.',
      details: {
        QueryParameterName: 'blockid',
        QueryParameterValue: blockId,
        Reason: 'Block ID length cannot exceed 64.',
      },
    });
  }
  return ok(raw);
}

/**
 * "For a specified blob, the length of the specified value for the blockid parameter must be the same size for each
 * block" (PUT_BLOCK_FROM_URL); a block whose id differs in length from the blob's uncommitted blocks is refused with
 * 400 InvalidBlobOrBlock, as the service and Azurite's Put Block answer.
 */
export function checkBlockIdLength(blockId: Buffer, uncommittedIds: readonly string[]): Checked<void> {
  const other = uncommittedIds.find((id) => Buffer.from(id, 'base64').length !== blockId.length);
  if (other === undefined) return ok(undefined);
  return fail({
    status: 400,
    code: 'InvalidBlobOrBlock',
    message: 'The specified blob or block content is invalid.',
  });
}

/** Content-Length "must be set to 0. When the length isn't 0, the operation fails with the status code 400" (both pages). */
export function checkEmptyBody(contentLength: string | undefined): Checked<void> {
  if (contentLength === undefined || contentLength === '0') return ok(undefined);
  return fail(
    invalidHeader(
      'Content-Length',
      contentLength,
      'The request body must be empty: the content is read from x-ms-copy-source.',
    ),
  );
}

/** x-ms-copy-source: required, an absolute http(s) URL of at most 2 KiB (both pages). */
export function checkCopySource(value: string | undefined): Checked<URL> {
  if (value === undefined || value === '') {
    return fail({
      status: 400,
      code: 'MissingRequiredHeader',
      message: 'An HTTP header that is mandatory for this request is not specified.',
      details: { HeaderName: 'x-ms-copy-source' },
    });
  }
  if (value.length > MAX_COPY_SOURCE_LENGTH)
    return fail(invalidHeader('x-ms-copy-source', `${value.slice(0, 64)}…`, 'The URL is longer than 2 KiB.'));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(invalidHeader('x-ms-copy-source', value));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(invalidHeader('x-ms-copy-source', value));
  return ok(url);
}

export interface ByteRange {
  start: number;
  /** Inclusive; undefined for `bytes=start-` (to the end of the source). */
  end?: number;
}

/**
 * x-ms-source-range in the two forms of RANGE_HEADER, `bytes=start-end` and `bytes=start-`; anything else, or an end
 * before the start, is 400 InvalidHeaderValue. A range longer than the largest block is refused before the source is
 * read: 413 RequestBodyTooLarge, the service's answer to a block over the limit (ERROR_CODES).
 */
export function checkSourceRange(value: string | undefined, maxBytes: number): Checked<ByteRange | undefined> {
  if (value === undefined || value === '') return ok(undefined);
  const match = /^bytes=(\d+)-(\d*)$/.exec(value.trim());
  if (!match) return fail(invalidHeader('x-ms-source-range', value));
  const start = Number(match[1]);
  const end = match[2] === '' ? undefined : Number(match[2]);
  if (!Number.isSafeInteger(start) || (end !== undefined && (!Number.isSafeInteger(end) || end < start)))
    return fail(invalidHeader('x-ms-source-range', value));
  if (end !== undefined && end - start + 1 > maxBytes) return fail(tooLarge(end - start + 1, maxBytes));
  return ok({ start, end });
}

/** 413 RequestBodyTooLarge: "The request body is too large and exceeds the maximum permissible limit." (ERROR_CODES). */
export function tooLarge(bytes: number, maxBytes: number): StorageErrorAnswer {
  return {
    status: 413,
    code: 'RequestBodyTooLarge',
    message: 'The request body is too large and exceeds the maximum permissible limit.',
    details: { MaxLimit: maxBytes, Size: bytes },
  };
}

/** What the copy source said when it failed: its status and, from an S3 or Azure XML error body, code and message. */
export interface SourceFailure {
  status?: number;
  code?: string;
  message: string;
}

/** `<Code>` and `<Message>` of an XML error document (S3 and Azure Storage both answer in this shape). */
export function parseSourceError(body: string): { code?: string; message?: string } {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return { code, message };
}

/**
 * A copy source that failed. CannotVerifyCopySource is listed as 500 (ERROR_CODES: "Could not verify the copy
 * source within the specified time. Examine the HTTP status code and message for more information about the
 * failure."); when the source did answer with an error, the service answers with the source's status (a missing
 * source is 404 CannotVerifyCopySource, as the Azure SDKs' own tests expect) and names it in
 * x-ms-copy-source-status-code / x-ms-copy-source-error-code and the body's CopySource* elements. A source that
 * answered 304 or 412 to the x-ms-source-if-* conditions is 412 SourceConditionNotMet (ERROR_CODES).
 */
export function sourceFailed(failure: SourceFailure): StorageErrorAnswer {
  if (failure.status === 412 || failure.status === 304) {
    return {
      status: 412,
      code: 'SourceConditionNotMet',
      message: 'The source condition specified using HTTP conditional header(s) is not met.',
    };
  }
  const headers: Record<string, string> = {};
  const details: Record<string, string | number> = {};
  if (failure.status !== undefined) {
    headers['x-ms-copy-source-status-code'] = String(failure.status);
    details.CopySourceStatusCode = failure.status;
  }
  if (failure.code) {
    headers['x-ms-copy-source-error-code'] = failure.code;
    details.CopySourceErrorCode = failure.code;
  }
  details.CopySourceErrorMessage = failure.message;
  return {
    status: failure.status !== undefined && failure.status >= 400 ? failure.status : 500,
    code: 'CannotVerifyCopySource',
    message: failure.message,
    details,
    headers,
  };
}

function xmlEscape(text: string): string {
  const entities: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };
  return text.replace(/[<>&'"]/g, (c) => entities[c]);
}

/** The `<Error>` document the Blob service sends, with RequestId and Time lines in the message as it writes them. */
export function errorBody(error: StorageErrorAnswer, requestId: string, now = new Date()): string {
  const message = `${error.message}\nRequestId:${requestId}\nTime:${now.toISOString()}`;
  const details = Object.entries(error.details ?? {})
    .map(([name, value]) => `<${name}>${xmlEscape(String(value))}</${name}>`)
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${error.code}</Code><Message>${xmlEscape(message)}</Message>${details}</Error>`;
}

/** Block ids in the `<UncommittedBlocks>` part of a Get Block List answer. */
export function uncommittedBlockIds(blockListXml: string): string[] {
  const part = /<UncommittedBlocks>([\s\S]*?)<\/UncommittedBlocks>/.exec(blockListXml)?.[1] ?? '';
  return [...part.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]);
}
