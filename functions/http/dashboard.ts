import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The operator page (`GET /api/dashboard`) and its static files (`GET /api/dashboard/assets/{name}`): plain HTML,
 * CSS and JavaScript modules from functions/dashboard/, and Chart.js's UMD build from node_modules, all read at
 * request time from the deployed app, so the page needs no build step and no internet access.
 */

/** The app's folder (host.json beside package.json), from dist/functions/http or functions/http alike. */
function appRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'host.json')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no host.json above ${__dirname}`);
  }
}

function pageFile(name: string): string {
  return join(appRoot(), 'functions', 'dashboard', name);
}

function chartJsFile(): string {
  // The package's exports map names only its entry points; the UMD build sits beside the CommonJS one.
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Every file the page may load, by the one name it is asked for; nothing else is served. */
const ASSETS: Record<string, () => string> = {
  'chart.umd.min.js': chartJsFile,
  'app.js': () => pageFile('app.js'),
  'api.js': () => pageFile('api.js'),
  'format.js': () => pageFile('format.js'),
  'dom.js': () => pageFile('dom.js'),
  'migration-view.js': () => pageFile('migration-view.js'),
  'table-view.js': () => pageFile('table-view.js'),
  'overview-view.js': () => pageFile('overview-view.js'),
  'dashboard.css': () => pageFile('dashboard.css'),
  'favicon.svg': () => pageFile('favicon.svg'),
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The page may load only its own files and call only its own origin. The key a user put in the page's URL
 * (`?code=`) is read by the page's script and sent on its API calls as the x-functions-key header, so it
 * appears in no other URL; nothing on the server side logs it.
 */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `GET /api/dashboard`: the page, with the paths of its assets and of the API filled in from the request's own path. */
export async function dashboardPageHandler(
  request: HttpRequest,
  _context: InvocationContext,
): Promise<HttpResponseInit> {
  const path = new URL(request.url).pathname.replace(/\/+$/, '');
  const apiBase = path.replace(/\/dashboard$/i, '');
  const html = (await readFile(pageFile('index.html'), 'utf8'))
    .replace(/\{\{assets\}\}/g, escapeAttribute(`${path}/assets/`))
    .replace(/\{\{api\}\}/g, escapeAttribute(apiBase));
  return {
    status: 200,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': PAGE_POLICY,
      'x-frame-options': 'DENY',
    },
    body: html,
  };
}

/**
 * `GET /api/dashboard/assets/{name}`: one of the page's static files. Anonymous: they are the app's public code and
 * a chart library, no data, and a browser loads scripts without headers, so a key here would have to sit in each
 * script's URL. Revalidated on each load by ETag (a deployment changes them).
 */
export async function dashboardAssetHandler(
  request: HttpRequest,
  _context: InvocationContext,
): Promise<HttpResponseInit> {
  const name = request.params.name;
  const locate = Object.prototype.hasOwnProperty.call(ASSETS, name) ? ASSETS[name] : undefined;
  if (!locate) return { status: 404, headers: SECURITY_HEADERS, body: 'not found' };
  const body = await readFile(locate());
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    etag,
  };
  if (request.headers.get('if-none-match') === etag) return { status: 304, headers };
  return { status: 200, headers, body };
}
