import { IncomingMessage, ServerResponse } from 'http';
import { RpcHttpCookie, RpcHttpData } from '../core/coreTypes';
import { typedDataToBuffer } from '../invoke/typedData';

/** The Functions host rejects request bodies over 100 MB. */
export const MAX_BODY_BYTES = 100 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      throw new BodyTooLargeError('Request body too large');
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Flattens Node's header object into the single-valued map RpcHttpData carries. */
export function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  }
  return headers;
}

export interface PlainResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Sends JSON (or an empty body for undefined) with the given status. */
export function sendJson(res: ServerResponse, response: PlainResponse): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  if (response.body === undefined) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(response.body);
  headers['Content-Type'] ??= 'application/json; charset=utf-8';
  headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(response.status, headers);
  res.end(text);
}

function cookieToHeader(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expires = cookie.expires?.value;
  if (expires && typeof expires.seconds === 'number') {
    parts.push(`Expires=${new Date(expires.seconds * 1000 + (expires.nanos ?? 0) / 1e6).toUTCString()}`);
  }
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  const sameSiteNames: Record<string, string | undefined> = { lax: 'Lax', strict: 'Strict', explicitNone: 'None' };
  const sameSite = sameSiteNames[cookie.sameSite ?? 'none'];
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join('; ');
}

/**
 * Writes the library's RPC HTTP response. A function that returns nothing gets 204, which is what the
 * host's ObjectResult(null) produces.
 */
export function sendRpcHttp(res: ServerResponse, http: RpcHttpData | undefined, method: string): void {
  if (!http) {
    res.writeHead(204);
    res.end();
    return;
  }
  const status = Number.parseInt(http.statusCode ?? '200', 10) || 200;
  for (const [name, value] of Object.entries(http.headers ?? {})) {
    res.setHeader(name, value);
  }
  const cookies = (http.cookies ?? []).map(cookieToHeader);
  if (cookies.length > 0) {
    res.setHeader('Set-Cookie', cookies);
  }
  const body = typedDataToBuffer(http.body);
  if (!res.hasHeader('content-length') && !res.hasHeader('transfer-encoding')) {
    res.setHeader('Content-Length', String(body.length));
  }
  res.writeHead(status);
  res.end(method === 'HEAD' || status === 204 || status === 304 ? undefined : body);
}
