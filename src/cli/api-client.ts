/** Minimal client of the app's HTTP API, for the CLI and the demo (Node's fetch; no extra dependency). */
export interface ApiOptions {
  /** e.g. http://127.0.0.1:7071 or https://<app>.azurewebsites.net */
  baseUrl: string;
  /** Function key; sent as the x-functions-key header, never printed. */
  functionKey?: string;
}

export interface MigrationStatus {
  instanceId: string;
  runtimeStatus: string;
  progress: {
    phase?: string;
    files?: { total: number; copied: number; loaded: number; failed: number };
    items?: { expected: number; written: number; deleted: number; deadLettered: number };
    itemsPerSecond?: number;
    etaSeconds?: number;
  } | null;
  output: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}: ${typeof body === 'string' ? body : JSON.stringify(body, null, 2)}`);
  }
}

export async function call(
  options: ApiOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.functionKey) headers['x-functions-key'] = options.functionKey;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, options.baseUrl.replace(/\/?$/, '/')), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}

export async function startMigration(
  options: ApiOptions,
  request: unknown,
): Promise<{ id: string; statusQueryGetUri: string }> {
  const response = await call(options, 'POST', 'api/migrations', request);
  if (response.status !== 202) throw new ApiError(response.status, response.body);
  return response.body as { id: string; statusQueryGetUri: string };
}

export async function getMigration(options: ApiOptions, instanceId: string): Promise<MigrationStatus> {
  const response = await call(options, 'GET', `api/migrations/${encodeURIComponent(instanceId)}`);
  if (response.status !== 200) throw new ApiError(response.status, response.body);
  return response.body as MigrationStatus;
}

/** Calls the API and returns the body when the status is one of `expected`; anything else is an ApiError. */
export async function expectStatus(
  options: ApiOptions,
  method: string,
  path: string,
  expected: number[],
  body?: unknown,
): Promise<unknown> {
  const response = await call(options, method, path, body);
  if (!expected.includes(response.status)) throw new ApiError(response.status, response.body);
  return response.body;
}
