/* global document, location */
/**
 * The page's only way to the app: its own HTTP API, on its own origin. The function key the user opened the
 * page with (`?code=`) is sent as the x-functions-key header, so it is in no URL the page requests.
 */
const apiBase = document.documentElement.dataset.apiBase || '/api';
const key = new URLSearchParams(location.search).get('code');

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function getJson(path, params = {}) {
  const url = new URL(`${apiBase}${path}`, location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  const headers = { accept: 'application/json' };
  if (key) headers['x-functions-key'] = key;
  const response = await fetch(url, { headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const message =
      response.status === 401
        ? 'the function key is missing or wrong: open the page as …/dashboard?code=<function key>'
        : (body && body.error) || `HTTP ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return body;
}

export const api = {
  migrations: (params) => getJson('/migrations', params),
  migration: (id) => getJson(`/migrations/${encodeURIComponent(id)}`),
  files: (id, params) => getJson(`/migrations/${encodeURIComponent(id)}/files`, params),
  tables: () => getJson('/tables'),
  table: (name) => getJson(`/tables/${encodeURIComponent(name)}`),
};
