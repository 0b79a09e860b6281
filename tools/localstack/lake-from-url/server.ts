/**
 * Put Block From URL and Put Blob From URL for the local lake: an HTTP layer on the blob port that sends every
 * request on to Azurite, except these two, which Azurite answers 501 APINotImplemented. For them the layer does what
 * the service does: checks the request (rules.ts), reads the copy source itself (a GET of `x-ms-copy-source` with the
 * `x-ms-source-range` as Range) and streams the bytes into Azurite as an ordinary Put Block / Put Blob, so Azurite
 * stores, lists and commits the block like any other. Nothing is buffered beyond the streams' own windows: a block
 * of any size costs the layer a few KiB.
 */
import { randomUUID } from 'node:crypto';
import http, { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import https from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { Transform, TransformCallback, pipeline } from 'node:stream';
import {
  checkBlockId,
  checkBlockIdLength,
  checkCopySource,
  checkEmptyBody,
  checkSourceRange,
  errorBody,
  MAX_BLOCK_BYTES,
  MAX_PUT_BLOB_BYTES,
  parseSourceError,
  sourceFailed,
  StorageErrorAnswer,
  tooLarge,
  uncommittedBlockIds,
  type ByteRange,
} from './rules';
import { sharedKeyAuthorization, verifySharedKey } from './shared-key';

export interface LakeFromUrlOptions {
  /** Where the layer listens; port 0 picks a free one. */
  host: string;
  port: number;
  /** Azurite's blob endpoint. */
  backend: { host: string; port: number };
  /** Account name → key (base64), as Azurite knows them. */
  accounts: ReadonlyMap<string, string>;
  /** How long the copy source may stay silent before the copy fails with CannotVerifyCopySource. Default 60 s. */
  sourceTimeoutMs?: number;
  /** Limits, smaller in tests; default the service's (rules.ts). */
  maxBlockBytes?: number;
  maxPutBlobBytes?: number;
}

export interface LakeFromUrl {
  readonly url: string;
  readonly port: number;
  /** Requests answered: forwarded untouched, and copies from a URL by outcome. */
  readonly counts: { forwarded: number; fromUrl: number; fromUrlFailed: number };
  close(): Promise<void>;
}

type Kind = 'block' | 'blob';

const FALLBACK_VERSION = '2021-12-02';
/** Client headers that are not passed on to Azurite's Put Block / Put Blob: they describe the copy, not the write. */
const NOT_FORWARDED =
  /^(?:host|connection|keep-alive|transfer-encoding|expect|authorization|content-length|date|x-ms-date|x-ms-copy-source.*|x-ms-source-.*)$/i;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Skips the first `skip` bytes, passes `take` bytes on and fails if the stream ends before it has passed them all. */
class Slice extends Transform {
  passed = 0;
  private skipped = 0;

  constructor(
    private readonly skipBytes: number,
    private readonly takeBytes: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let part = chunk;
    if (this.skipped < this.skipBytes) {
      const drop = Math.min(this.skipBytes - this.skipped, part.length);
      this.skipped += drop;
      part = part.subarray(drop);
    }
    const room = this.takeBytes - this.passed;
    if (room <= 0 || part.length === 0) return callback();
    const out = part.length > room ? part.subarray(0, room) : part;
    this.passed += out.length;
    callback(null, out);
  }

  override _flush(callback: TransformCallback): void {
    const short = `the source ended after ${this.passed} of ${this.takeBytes} bytes`;
    callback(this.passed === this.takeBytes ? null : new Error(short));
  }
}

export async function startLakeFromUrl(options: LakeFromUrlOptions): Promise<LakeFromUrl> {
  const sourceTimeoutMs = options.sourceTimeoutMs ?? 60_000;
  const maxBytes: Record<Kind, number> = {
    block: options.maxBlockBytes ?? MAX_BLOCK_BYTES,
    blob: options.maxPutBlobBytes ?? MAX_PUT_BLOB_BYTES,
  };
  const backendAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const counts = { forwarded: 0, fromUrl: 0, fromUrlFailed: 0 };
  const sockets = new Set<Socket>();

  const backendRequest = (
    method: string,
    path: string,
    headers: OutgoingHttpHeaders,
    onAnswer: (answer: IncomingMessage) => void,
  ): http.ClientRequest =>
    http.request(
      { host: options.backend.host, port: options.backend.port, method, path, headers, agent: backendAgent },
      onAnswer,
    );

  /** Sends the request on to Azurite untouched and its answer back. */
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    counts.forwarded++;
    const outgoing = backendRequest(req.method ?? 'GET', req.url ?? '/', req.headers, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    outgoing.on('error', () => (res.headersSent ? res.destroy() : fail(res, internalError('Azurite did not answer.'))));
    req.pipe(outgoing);
  };

  const fail = (res: ServerResponse, error: StorageErrorAnswer, version?: string): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const requestId = randomUUID();
    const body = errorBody(error, requestId);
    res.writeHead(error.status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      'x-ms-error-code': error.code,
      'x-ms-request-id': requestId,
      'x-ms-version': version ?? FALLBACK_VERSION,
      date: new Date().toUTCString(),
      ...error.headers,
    });
    res.end(body);
  };

  /** Uncommitted block ids of the blob, read from Azurite with the account key; an error answer is passed back. */
  const uncommittedIds = (
    account: string,
    key: string,
    blobPath: string,
    version: string,
  ): Promise<{ ids: string[] } | { answer: { status: number; headers: IncomingHttpHeaders; body: string } }> =>
    new Promise((resolve, reject) => {
      const path = `${blobPath}?comp=blocklist&blocklisttype=uncommitted`;
      const headers: OutgoingHttpHeaders = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': version };
      headers.authorization = sharedKeyAuthorization('GET', path, headers, account, key);
      const request = backendRequest('GET', path, headers, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', reject);
        answer.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = answer.statusCode ?? 500;
          if (status === 200) resolve({ ids: uncommittedBlockIds(body) });
          else if (status === 404 && answer.headers['x-ms-error-code'] === 'BlobNotFound') resolve({ ids: [] });
          else resolve({ answer: { status, headers: answer.headers, body } });
        });
      });
      request.on('error', reject);
      request.end();
    });

  /** GET of the copy source; resolves with its answer, rejects on a network failure or silence. */
  const fetchSource = (source: URL, headers: OutgoingHttpHeaders): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const get = source.protocol === 'https:' ? https.get : http.get;
      const request = get(source, { headers }, resolve);
      request.setTimeout(sourceTimeoutMs, () =>
        request.destroy(new Error('Could not verify the copy source within the specified time.')),
      );
      request.on('error', reject);
    });

  const fromUrl = async (req: IncomingMessage, res: ServerResponse, kind: Kind): Promise<void> => {
    const pathAndQuery = req.url ?? '/';
    const url = new URL(pathAndQuery, 'http://layer');
    const blobPath = url.pathname;
    const version = single(req.headers['x-ms-version']) ?? FALLBACK_VERSION;
    const authorization = single(req.headers.authorization);
    const sas = url.searchParams.has('sig');
    // Neither a Shared Key nor a SAS (anonymous, or a bearer token Azurite only takes over HTTPS): Azurite answers.
    if (!sas && !authorization?.startsWith('SharedKey ')) return forward(req, res);
    counts.fromUrl++;
    const refuse = (error: StorageErrorAnswer): void => {
      counts.fromUrlFailed++;
      req.resume();
      fail(res, error, version);
    };

    const account = blobPath.split('/')[1] ?? '';
    const key = options.accounts.get(account);
    if (!key) {
      return refuse({ status: 403, code: 'AuthenticationFailed', message: `The account ${account} does not exist.` });
    }
    if (!sas) {
      const check = verifySharedKey(req.method ?? 'PUT', pathAndQuery, req.headers, options.accounts);
      if (!check.ok) {
        return refuse({
          status: 403,
          code: 'AuthenticationFailed',
          message:
            'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
          details: { AuthenticationErrorDetail: check.reason },
        });
      }
    }
    const empty = checkEmptyBody(single(req.headers['content-length']));
    if (!empty.ok) return refuse(empty.error);
    const copySource = checkCopySource(single(req.headers['x-ms-copy-source']));
    if (!copySource.ok) return refuse(copySource.error);

    let range: ByteRange | undefined;
    if (kind === 'block') {
      const blockId = checkBlockId(url.searchParams.get('blockid'));
      if (!blockId.ok) return refuse(blockId.error);
      const sourceRange = checkSourceRange(single(req.headers['x-ms-source-range']), maxBytes.block);
      if (!sourceRange.ok) return refuse(sourceRange.error);
      range = sourceRange.value;
      const existing = await uncommittedIds(account, key, blobPath, version);
      if ('answer' in existing) {
        counts.fromUrlFailed++;
        req.resume();
        res.writeHead(existing.answer.status, existing.answer.headers);
        res.end(existing.answer.body);
        return;
      }
      const sameLength = checkBlockIdLength(blockId.value, existing.ids);
      if (!sameLength.ok) return refuse(sameLength.error);
    }
    req.resume();

    // The source request: the range (as Range, and as x-ms-range for Azure sources), the x-ms-source-if-*
    // conditions as HTTP conditions, x-ms-copy-source-authorization as its Authorization.
    const sourceHeaders: OutgoingHttpHeaders = { 'user-agent': 'lake-from-url (local Put Block From URL)' };
    if (range) sourceHeaders.range = sourceHeaders['x-ms-range'] = `bytes=${range.start}-${range.end ?? ''}`;
    for (const condition of ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since']) {
      const value = single(req.headers[`x-ms-source-${condition}`]);
      if (value) sourceHeaders[condition] = value;
    }
    const sourceAuthorization = single(req.headers['x-ms-copy-source-authorization']);
    if (sourceAuthorization) sourceHeaders.authorization = sourceAuthorization;

    let source: IncomingMessage;
    try {
      source = await fetchSource(copySource.value, sourceHeaders);
    } catch (error) {
      return refuse(sourceFailed({ message: `The copy source could not be read: ${(error as Error).message}` }));
    }
    const status = source.statusCode ?? 500;
    if (status !== 200 && status !== 206) {
      const chunks: Buffer[] = [];
      let size = 0;
      source.on('data', (chunk: Buffer) => {
        if (size < 4096) chunks.push(chunk);
        size += chunk.length;
      });
      source.on('error', () => undefined);
      source.on('close', () => {
        const parsed = parseSourceError(Buffer.concat(chunks).toString('utf8'));
        refuse(
          sourceFailed({
            status,
            code: parsed.code,
            message: `The copy source answered HTTP ${status}${parsed.message ? `: ${parsed.message}` : ''}`,
          }),
        );
      });
      return;
    }

    // The bytes to stage: what a 206 carries, or the range cut out of a 200 from a source that ignored Range.
    const declared = Number(source.headers['content-length']);
    if (!Number.isSafeInteger(declared)) {
      source.destroy();
      return refuse(sourceFailed({ status, message: 'The copy source did not declare a Content-Length.' }));
    }
    const partial = status === 206;
    const skip = range && !partial ? range.start : 0;
    const available = Math.max(0, declared - skip);
    const length = range?.end !== undefined && !partial ? Math.min(range.end - range.start + 1, available) : available;
    if (length > maxBytes[kind]) {
      source.destroy();
      return refuse(tooLarge(length, maxBytes[kind]));
    }

    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !NOT_FORWARDED.test(name)) headers[name] = value;
    }
    const sourceType = source.headers['content-type'];
    if (kind === 'blob' && sourceType && !headers['x-ms-blob-content-type']) {
      // x-ms-copy-source-blob-properties (default true): the source's properties are copied unless given.
      if (single(req.headers['x-ms-copy-source-blob-properties'])?.toLowerCase() !== 'false')
        headers['x-ms-blob-content-type'] = sourceType;
    }
    headers['content-length'] = String(length);
    headers['x-ms-date'] = new Date().toUTCString();
    headers['x-ms-version'] = version;
    if (!sas) headers.authorization = sharedKeyAuthorization('PUT', pathAndQuery, headers, account, key);

    let answered = false;
    const slice = new Slice(skip, length);
    const upstream = backendRequest('PUT', pathAndQuery, headers, (answer) => {
      if (answered) return void answer.resume();
      answered = true;
      if ((answer.statusCode ?? 500) >= 400) counts.fromUrlFailed++;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      // Azurite answered before it had the whole body (an error about the destination): stop reading the source.
      source.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        source.destroy();
        upstream.destroy();
      }
    });
    pipeline(source, slice, upstream, (error) => {
      if (!error || answered) return;
      answered = true;
      upstream.destroy();
      refuse(
        sourceFailed({
          message: `The copy source's answer broke off after ${slice.passed} of ${length} bytes (${error.message})`,
        }),
      );
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://layer');
    const copySource = req.headers['x-ms-copy-source'] !== undefined;
    const comp = url.searchParams.get('comp');
    let kind: Kind | undefined;
    if (req.method === 'PUT' && copySource && comp === 'block') kind = 'block';
    // Put Blob From URL is a PUT of a block blob with a copy source; without x-ms-blob-type it is Copy Blob (Azurite's).
    else if (req.method === 'PUT' && copySource && comp === null)
      kind = single(req.headers['x-ms-blob-type'])?.toLowerCase() === 'blockblob' ? 'blob' : undefined;
    if (!kind) return forward(req, res);
    fromUrl(req, res, kind).catch((error: unknown) =>
      fail(res, internalError(`The copy failed: ${(error as Error).message}`)),
    );
  };

  const server = http.createServer({ keepAlive: true }, handle);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    port,
    counts,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      backendAgent.destroy();
      await closed;
    },
  };
}

function internalError(message: string): StorageErrorAnswer {
  return { status: 500, code: 'InternalError', message: `The server encountered an internal error. ${message}` };
}
