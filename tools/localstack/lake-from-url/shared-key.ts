/**
 * Shared Key authorization of Blob service requests: the layer checks the signature of the Put Block From URL /
 * Put Blob From URL requests it answers itself, and signs the ordinary Put Block / Put Blob it sends on to Azurite
 * in their place (their Content-Length and headers differ, so the client's signature cannot be reused).
 *
 * The string to sign is Azurite's own (node_modules/azurite/dist/src/blob/authentication/BlobSharedKeyAuthenticator.js),
 * which follows https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key: whatever Azurite
 * accepts from the Azure SDKs, this accepts too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

type Headers = IncomingHttpHeaders | OutgoingHttpHeaders;

function headerText(headers: Headers, name: string): string {
  const value = headers[name] ?? headers[Object.keys(headers).find((key) => key.toLowerCase() === name) ?? ''];
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Standard headers in the order of the string to sign; Content-Length 0 signs as empty (version 2015-02-21 on). */
const SIGNED_STANDARD_HEADERS = [
  'content-encoding',
  'content-language',
  'content-length',
  'content-md5',
  'content-type',
  'date',
  'if-modified-since',
  'if-match',
  'if-none-match',
  'if-unmodified-since',
  'range',
];

function canonicalizedHeaders(headers: Headers): string {
  const names = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name.startsWith('x-ms-'));
  const unique = [...new Set(names)].sort((a, b) => a.localeCompare(b));
  return unique.map((name) => `${name.trimEnd()}:${headerText(headers, name).trimStart()}\n`).join('');
}

/** `/account/path` plus each query parameter, lower-cased and sorted, as `\nname:decoded value`. */
function canonicalizedResource(account: string, pathAndQuery: string): string {
  const at = pathAndQuery.indexOf('?');
  const path = (at >= 0 ? pathAndQuery.slice(0, at) : pathAndQuery) || '/';
  let resource = `/${account}${path}`;
  if (at < 0) return resource;
  const queries = new Map<string, string>();
  for (const pair of pathAndQuery.slice(at + 1).split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = (eq >= 0 ? pair.slice(0, eq) : pair).toLowerCase();
    const value = eq >= 0 ? pair.slice(eq + 1) : '';
    queries.set(name, queries.has(name) ? `${queries.get(name)},${value}` : value);
  }
  for (const name of [...queries.keys()].sort()) {
    resource += `\n${name}:${decodeURIComponent((queries.get(name) as string).replace(/\+/g, '%20'))}`;
  }
  return resource;
}

export function stringToSign(method: string, pathAndQuery: string, headers: Headers, account: string): string {
  const standard = SIGNED_STANDARD_HEADERS.map((name) => {
    const value = headerText(headers, name);
    return name === 'content-length' && value === '0' ? '' : value;
  });
  return (
    [method.toUpperCase(), ...standard].join('\n') +
    '\n' +
    canonicalizedHeaders(headers) +
    canonicalizedResource(account, pathAndQuery)
  );
}

/** `SharedKey account:signature` for a request; `key` is the account key as Azure shows it (base64). */
export function sharedKeyAuthorization(
  method: string,
  pathAndQuery: string,
  headers: Headers,
  account: string,
  key: string,
): string {
  const signature = createHmac('sha256', Buffer.from(key, 'base64'))
    .update(stringToSign(method, pathAndQuery, headers, account), 'utf8')
    .digest('base64');
  return `SharedKey ${account}:${signature}`;
}

export type SharedKeyCheck = { ok: true } | { ok: false; reason: string };

/** Whether `authorization` (a `SharedKey account:signature` header) is the right signature of this request. */
export function verifySharedKey(
  method: string,
  pathAndQuery: string,
  headers: IncomingHttpHeaders,
  accounts: ReadonlyMap<string, string>,
): SharedKeyCheck {
  const authorization = headerText(headers, 'authorization');
  const match = /^SharedKey ([^:]+):(.+)$/.exec(authorization);
  if (!match) return { ok: false, reason: 'The Authorization header is not of the form SharedKey account:signature.' };
  const key = accounts.get(match[1]);
  if (!key) return { ok: false, reason: `The account ${match[1]} does not exist.` };
  const expected = Buffer.from(sharedKeyAuthorization(method, pathAndQuery, headers, match[1], key));
  const given = Buffer.from(authorization);
  return expected.length === given.length && timingSafeEqual(expected, given)
    ? { ok: true }
    : {
        ok: false,
        reason: `The MAC signature found in the HTTP request '${match[2]}' is not the same as any computed signature.`,
      };
}
