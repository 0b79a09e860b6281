import { DEFAULT_OPTIONS, MigrationRequest, OPTIONAL_OPTIONS } from './request';

export interface Problem {
  field: string;
  message: string;
}

export type Validated = { ok: true; request: MigrationRequest } | { ok: false; problems: Problem[] };

export type Json = Record<string, unknown>;

const NUMBER_MODES = ['lossless', 'string', 'double'] as const;
const COPY_MODES = ['auto', 'server', 'stream'] as const;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const COSMOS_ID_FORBIDDEN = /[/\\#?]/;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class Checker {
  readonly problems: Problem[] = [];

  problem(field: string, message: string): undefined {
    this.problems.push({ field, message });
    return undefined;
  }

  object(parent: Json, name: string, path: string, allowed: string[], required: boolean): Json | undefined {
    const value = parent[name];
    if (value === undefined && !required) return {};
    if (!isObject(value))
      return this.problem(path, required && value === undefined ? 'is required' : 'must be an object');
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.problem(`${path}.${key}`, `is not a known field (known: ${allowed.join(', ')})`);
    }
    return value;
  }

  string(parent: Json | undefined, name: string, path: string, required: boolean): string | undefined {
    const value = parent?.[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      return this.problem(path, value === undefined ? 'is required' : 'must be a non-empty string');
    }
    return value;
  }

  cosmosId(parent: Json | undefined, name: string, path: string): string | undefined {
    const value = this.string(parent, name, path, true);
    if (value === undefined) return undefined;
    if (value.length > 255) return this.problem(path, 'must be at most 255 characters');
    if (COSMOS_ID_FORBIDDEN.test(value) || value.endsWith(' ')) {
      return this.problem(path, 'must not contain / \\ # ? or end with a space');
    }
    return value;
  }

  choice<T extends string>(
    parent: Json | undefined,
    name: string,
    path: string,
    choices: readonly T[],
    fallback: T,
  ): T {
    const value = parent?.[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !choices.includes(value as T)) {
      this.problem(path, `must be one of ${choices.map((c) => `"${c}"`).join(', ')}`);
      return fallback;
    }
    return value as T;
  }

  integer(parent: Json | undefined, name: string, path: string, min: number, max: number, fallback: number): number {
    const value = parent?.[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.problem(path, `must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }
}

function partitionKeyPaths(check: Checker, target: Json | undefined, pk?: string, sk?: string): string[] {
  const fallback = pk ? [`/${pk}`] : [];
  const value = target?.partitionKeyPath;
  if (value === undefined || !pk) return fallback;
  const paths = typeof value === 'string' ? [value] : value;
  const allowed = [[`/${pk}`].join(','), ...(sk ? [[`/${pk}`, `/${sk}`].join(',')] : [])];
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string') || !allowed.includes(paths.join(','))) {
    check.problem(
      'target.partitionKeyPath',
      `must be "/${pk}"${sk ? ` or ["/${pk}", "/${sk}"] (hierarchical)` : ''}: incremental deletes carry only the key attributes, so the partition key must be made of them`,
    );
    return fallback;
  }
  return paths as string[];
}

/** The parts a migration and a table registration share: key schema, target and migration options. */
export interface CommonParts {
  keySchema: MigrationRequest['keySchema'];
  target: MigrationRequest['target'];
  options: MigrationRequest['options'];
}

/**
 * Checks the top-level fields, `keySchema`, `target` and `options` of a body, with `checkSource` for the
 * caller's `source` (run first, so problems are listed in field order); `extraOptions` names options the
 * caller checks itself in the returned `options` object.
 */
export function checkCommonParts<S>(
  check: Checker,
  body: Json,
  sourceFields: string[],
  checkSource: (source: Json | undefined) => S,
  extraOptions: string[] = [],
): { source: S; options: Json | undefined; parts: CommonParts } {
  for (const key of Object.keys(body)) {
    if (!['source', 'keySchema', 'target', 'options'].includes(key)) {
      check.problem(key, 'is not a known field (known: source, keySchema, target, options)');
    }
  }
  const source = check.object(body, 'source', 'source', sourceFields, true);
  const keySchema = check.object(body, 'keySchema', 'keySchema', ['partitionKey', 'sortKey'], true);
  const target = check.object(body, 'target', 'target', ['database', 'container', 'partitionKeyPath'], true);
  const options = check.object(
    body,
    'options',
    'options',
    [...Object.keys(DEFAULT_OPTIONS), ...OPTIONAL_OPTIONS, ...extraOptions],
    false,
  );
  const checkedSource = checkSource(source);

  const partitionKey = check.string(keySchema, 'partitionKey', 'keySchema.partitionKey', true);
  const sortKey = check.string(keySchema, 'sortKey', 'keySchema.sortKey', false);
  if (sortKey !== undefined && sortKey === partitionKey)
    check.problem('keySchema.sortKey', 'must differ from partitionKey');
  const database = check.cosmosId(target, 'database', 'target.database');
  const container = check.cosmosId(target, 'container', 'target.container');
  const paths = partitionKeyPaths(check, target, partitionKey, sortKey);

  const numberMode = check.choice(
    options,
    'numberMode',
    'options.numberMode',
    NUMBER_MODES,
    DEFAULT_OPTIONS.numberMode,
  );
  const copyMode = check.choice(options, 'copyMode', 'options.copyMode', COPY_MODES, DEFAULT_OPTIONS.copyMode);
  const sampleSize = check.integer(options, 'sampleSize', 'options.sampleSize', 0, 100_000, DEFAULT_OPTIONS.sampleSize);
  const maxParallelFiles = check.integer(
    options,
    'maxParallelFiles',
    'options.maxParallelFiles',
    1,
    256,
    DEFAULT_OPTIONS.maxParallelFiles,
  );
  const bulkConcurrency = check.integer(
    options,
    'bulkConcurrency',
    'options.bulkConcurrency',
    1,
    64,
    DEFAULT_OPTIONS.bulkConcurrency,
  );
  const maxRequestUnitsPerSecond =
    options?.maxRequestUnitsPerSecond === undefined
      ? undefined
      : check.integer(options, 'maxRequestUnitsPerSecond', 'options.maxRequestUnitsPerSecond', 1, 10_000_000, 0) ||
        undefined;
  return {
    source: checkedSource,
    options,
    parts: {
      keySchema: sortKey ? { partitionKey: partitionKey as string, sortKey } : { partitionKey: partitionKey as string },
      target: { database: database as string, container: container as string, partitionKeyPaths: paths },
      options: {
        numberMode,
        sampleSize,
        copyMode,
        maxParallelFiles,
        bulkConcurrency,
        ...(maxRequestUnitsPerSecond ? { maxRequestUnitsPerSecond } : {}),
      },
    },
  };
}

/** `source.bucket`: required, a valid bucket name. */
export function checkBucket(check: Checker, source: Json | undefined): string | undefined {
  const bucket = check.string(source, 'bucket', 'source.bucket', true);
  if (bucket !== undefined && !BUCKET.test(bucket)) check.problem('source.bucket', 'is not a valid S3 bucket name');
  return bucket;
}

export function checkAllowedSource(
  check: Checker,
  bucket: string | undefined,
  prefix: string | undefined,
  allowedSources: string[],
): void {
  if (bucket && prefix !== undefined && !isAllowedSource(bucket, prefix, allowedSources)) {
    check.problem('source', `s3://${bucket}/${prefix} is not in the app's ALLOWED_SOURCES; ask the operator to add it`);
  }
}

/** Checks a `POST /api/migrations` body and fills in defaults; every problem is reported, not just the first. */
export function validateMigrationRequest(body: unknown, allowedSources: string[] = []): Validated {
  const check = new Checker();
  if (!isObject(body)) return { ok: false, problems: [{ field: '(body)', message: 'must be a JSON object' }] };
  const { source, parts } = checkCommonParts(check, body, ['bucket', 'exportPrefix'], (raw) => {
    const bucket = checkBucket(check, raw);
    let exportPrefix = check.string(raw, 'exportPrefix', 'source.exportPrefix', true);
    if (exportPrefix !== undefined) {
      exportPrefix = exportPrefix.replace(/\/+$/, '');
      if (exportPrefix.startsWith('/'))
        check.problem('source.exportPrefix', 'is a key prefix and must not start with "/"');
    }
    return { bucket, exportPrefix };
  });
  const { bucket, exportPrefix } = source;
  checkAllowedSource(check, bucket, exportPrefix, allowedSources);
  if (check.problems.length > 0) return { ok: false, problems: check.problems };
  return {
    ok: true,
    request: { source: { bucket: bucket as string, exportPrefix: exportPrefix as string }, ...parts },
  };
}

/** An allow-list entry is a bucket, or a bucket and key prefix (`bucket/exports/orders`). Empty list: any. */
export function isAllowedSource(bucket: string, exportPrefix: string, allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  const full = `${bucket}/${exportPrefix}`;
  return allowed.some((entry) => {
    const clean = entry.replace(/\/+$/, '');
    return clean === bucket || full === clean || full.startsWith(`${clean}/`);
  });
}
