import { defaultPartitionKeyPaths, keyDerivedPaths, MAX_PARTITION_KEY_LEVELS } from '../mapping';
import {
  bucketProblem,
  cosmosNameProblem,
  isAllowedSource as allowedByList,
  keyPrefixProblem,
  textProblem,
  trimTrailingSlashes,
} from '../names';
import { DEFAULT_OPTIONS, MigrationRequest, OPTIONAL_OPTIONS } from './request';

export interface Problem {
  field: string;
  message: string;
}

export type Validated = { ok: true; request: MigrationRequest } | { ok: false; problems: Problem[] };

export type Json = Record<string, unknown>;

const NUMBER_MODES = ['lossless', 'string', 'double'] as const;
const COPY_MODES = ['auto', 'server', 'stream'] as const;
const VERIFY_MODES = ['sample', 'full'] as const;
/** What the app appends to an export's folder: `<exportPrefix>/manifest-summary.json` must be an S3 key. */
const MAX_EXPORT_PREFIX_BYTES = 1024 - '/manifest-summary.json'.length;
/** DynamoDB's limit on a key attribute's name, in UTF-8 bytes. */
const MAX_KEY_ATTRIBUTE_BYTES = 255;

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

  /** A Cosmos DB database or container name: also a folder of the lake (src/names/cosmos.ts). */
  cosmosId(parent: Json | undefined, name: string, path: string): string | undefined {
    const value = this.string(parent, name, path, true);
    if (value === undefined) return undefined;
    const problem = cosmosNameProblem(value);
    return problem ? this.problem(path, problem) : value;
  }

  /** A key attribute's name: at most 255 bytes, as in DynamoDB, and text that has a UTF-8 form. */
  keyAttribute(parent: Json | undefined, name: string, path: string, required: boolean): string | undefined {
    const value = this.string(parent, name, path, required);
    if (value === undefined) return undefined;
    if (Buffer.byteLength(value, 'utf8') > MAX_KEY_ATTRIBUTE_BYTES) {
      return this.problem(
        path,
        `must be at most ${MAX_KEY_ATTRIBUTE_BYTES} bytes in UTF-8 (DynamoDB's limit for key names)`,
      );
    }
    const problem = textProblem(value);
    return problem ? this.problem(path, problem) : value;
  }

  /**
   * An S3 key prefix (trailing slashes dropped): refused, not normalised, when it is too long or spelled with
   * empty, `.` or `..` segments (src/names/keys.ts), so one export has one spelling.
   */
  keyPrefix(parent: Json | undefined, name: string, path: string, maxBytes: number): string | undefined {
    const value = this.string(parent, name, path, true);
    if (value === undefined) return undefined;
    const prefix = trimTrailingSlashes(value);
    const problem = keyPrefixProblem(prefix, maxBytes);
    return problem ? this.problem(path, problem) : prefix;
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

/**
 * `target.partitionKeyPath`: by default the contract's path for the key schema (mapping.md §4: `/<pk>`, but
 * `/_ddb_id` for a partition key attribute named `id` next to a sort key, `/_ddb_<name>` for a system property
 * name). Given, one path or up to three levels, each one the document holds for every item and an incremental
 * delete's `Keys` determine: `/id` or a key attribute under its document name (`keyDerivedPaths`).
 */
function partitionKeyPaths(check: Checker, target: Json | undefined, pk?: string, sk?: string): string[] {
  if (!pk) return [];
  const keySchema = sk === undefined ? { partitionKey: pk } : { partitionKey: pk, sortKey: sk };
  const fallback = defaultPartitionKeyPaths(keySchema) ?? [];
  const value = target?.partitionKeyPath;
  const allowed = keyDerivedPaths(keySchema);
  const hierarchical = defaultPartitionKeyPaths(keySchema, true);
  const examples = [
    `"${fallback[0] ?? allowed[0]}"`,
    ...(hierarchical ? [`${JSON.stringify(hierarchical)} (hierarchical)`] : []),
  ].join(' or ');
  if (value === undefined) {
    if (fallback.length === 0)
      check.problem(
        'target.partitionKeyPath',
        `is required: the partition key attribute's name cannot be written as a path; use "/id"`,
      );
    return fallback;
  }
  const paths = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(paths) ||
    paths.length === 0 ||
    paths.length > MAX_PARTITION_KEY_LEVELS ||
    !paths.every((p) => typeof p === 'string' && allowed.includes(p)) ||
    new Set(paths).size !== paths.length
  ) {
    check.problem(
      'target.partitionKeyPath',
      `must be ${examples}, or 1 to ${MAX_PARTITION_KEY_LEVELS} distinct levels of ${allowed.map((p) => `"${p}"`).join(', ')}: the value is read from each document at the path, and incremental deletes carry only the key attributes, so the path must hold the id or a key attribute as the document names it (docs/mapping.md §4)`,
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

  const partitionKey = check.keyAttribute(keySchema, 'partitionKey', 'keySchema.partitionKey', true);
  const sortKey = check.keyAttribute(keySchema, 'sortKey', 'keySchema.sortKey', false);
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
  const verify = check.choice(options, 'verify', 'options.verify', VERIFY_MODES, DEFAULT_OPTIONS.verify ?? 'sample');
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
        verify,
        ...(maxRequestUnitsPerSecond ? { maxRequestUnitsPerSecond } : {}),
      },
    },
  };
}

/** `source.bucket`: required, a valid bucket name (src/names/bucket.ts). */
export function checkBucket(check: Checker, source: Json | undefined): string | undefined {
  const bucket = check.string(source, 'bucket', 'source.bucket', true);
  if (bucket === undefined) return undefined;
  const problem = bucketProblem(bucket);
  return problem ? check.problem('source.bucket', problem) : bucket;
}

export function checkAllowedSource(
  check: Checker,
  bucket: string | undefined,
  prefix: string | undefined,
  allowedSources: string[],
): void {
  // Only names that passed their own checks get here (a refused one is undefined), so the message stays short.
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
    const exportPrefix = check.keyPrefix(raw, 'exportPrefix', 'source.exportPrefix', MAX_EXPORT_PREFIX_BYTES);
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

/**
 * An allow-list entry is a bucket, or a bucket and key prefix (`bucket/exports/orders`). Empty list: any.
 * Keys are normalised and compared segment by segment (src/names/sources.ts).
 */
export function isAllowedSource(bucket: string, exportPrefix: string, allowed: string[]): boolean {
  return allowedByList(bucket, exportPrefix, allowed);
}
