import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { Names } from '../../src/migration/contracts';
import { InstanceStatus, listInstancePage } from './durable-instances';

/** Instances asked of the task hub per request: the Azure Storage provider's page size. */
const HUB_PAGE = 100;
/** Hub pages read for one answer at most, so a hub full of batch sub-orchestrations cannot stall a request. */
const MAX_HUB_PAGES = 10;
const DEFAULT_TOP = 25;
const MAX_TOP = 100;
const RUNTIME_STATUSES = ['Running', 'Pending', 'Completed', 'Failed', 'Terminated', 'Canceled', 'Suspended'];

/**
 * Our continuation token: the hub's token of the page to read next (null: the first) and how many migrations of
 * that page were already returned. The hub also lists batch sub-orchestrations and syncs, so one hub page can
 * hold more migrations than one answer takes; the rest are returned from the same hub page next time.
 */
interface Cursor {
  hub: string | null;
  skip: number;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.hub, cursor.skip])).toString('base64url');
}

function decodeCursor(token: string): Cursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      (value[0] === null || typeof value[0] === 'string') &&
      Number.isInteger(value[1]) &&
      value[1] >= 0
    )
      return { hub: value[0], skip: value[1] };
  } catch {
    // not one of ours
  }
  return undefined;
}

function badRequest(field: string, message: string): HttpResponseInit {
  return { status: 400, jsonBody: { error: 'invalid request', problems: [{ field, message }] } };
}

function isoDate(value: string | null): string | undefined | false {
  if (value === null || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? false : new Date(ms).toISOString();
}

interface MigrationInput {
  source?: { bucket: string; exportPrefix: string };
  target?: { database: string; container: string };
}

/** One migration as the list shows it: where from and to, how far, and how it ended. */
export function migrationSummary(status: InstanceStatus): object {
  const input = (status.input ?? {}) as MigrationInput;
  const progress = (status.customStatus ?? null) as Record<string, unknown> | null;
  const output = status.output as { validation?: { passed?: boolean } } | string | null;
  return {
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    startedBy: status.instanceId.startsWith('sync-') ? 'sync' : 'api',
    source: input.source ?? null,
    target: input.target ? { database: input.target.database, container: input.target.container } : null,
    progress: progress
      ? {
          phase: progress.phase,
          exportId: progress.exportId,
          files: progress.files,
          items: progress.items,
          itemsPerSecond: progress.itemsPerSecond,
          etaSeconds: progress.etaSeconds,
          updatedAt: progress.updatedAt,
        }
      : null,
    passed: typeof output === 'object' && output !== null ? (output.validation?.passed ?? null) : null,
    error: status.runtimeStatus === 'Failed' && typeof output === 'string' ? output.split('\n')[0] : null,
  };
}

/**
 * `GET /api/migrations`: the task hub's migrations (`migrateExport` instances, whether started here or by a
 * table's sync), `top` per page, newest first within a page; `continuationToken` from one answer fetches the
 * next page and is null on the last. Filters: `runtimeStatus=Running,Failed`, `createdTimeFrom`, `createdTimeTo`.
 * Pages follow the task hub's own order, so a list meant to be sorted by time reads every page (the
 * dashboard narrows it with createdTimeFrom).
 */
export async function listMigrationsHandler(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const query = request.query;
  const top = query.get('top') === null ? DEFAULT_TOP : Number(query.get('top'));
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
    return badRequest('top', `must be an integer from 1 to ${MAX_TOP}`);
  const statuses = (query.get('runtimeStatus') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = statuses.filter((s) => !RUNTIME_STATUSES.includes(s));
  if (unknown.length > 0) {
    return badRequest('runtimeStatus', `${unknown.join(', ')}: not one of ${RUNTIME_STATUSES.join(', ')}`);
  }
  const from = isoDate(query.get('createdTimeFrom'));
  if (from === false) return badRequest('createdTimeFrom', 'must be a date and time (ISO 8601)');
  const to = isoDate(query.get('createdTimeTo'));
  if (to === false) return badRequest('createdTimeTo', 'must be a date and time (ISO 8601)');
  const token = query.get('continuationToken');
  let cursor: Cursor = { hub: null, skip: 0 };
  if (token) {
    const decoded = decodeCursor(token);
    if (!decoded) return badRequest('continuationToken', 'is not a token this API handed out');
    cursor = decoded;
  }

  const migrations: InstanceStatus[] = [];
  let next: Cursor | null = cursor;
  for (let pages = 0; next && migrations.length < top && pages < MAX_HUB_PAGES; pages++) {
    const page = await listInstancePage(
      context,
      { top: HUB_PAGE, createdTimeFrom: from, createdTimeTo: to, runtimeStatus: statuses, showInput: true },
      next.hub ?? undefined,
    );
    const found = page.instances.filter((i) => i.name === Names.migrateExport).slice(next.skip);
    const wanted = top - migrations.length;
    migrations.push(...found.slice(0, wanted));
    if (found.length > wanted) next = { hub: next.hub, skip: next.skip + wanted };
    else next = page.continuationToken ? { hub: page.continuationToken, skip: 0 } : null;
  }
  migrations.sort((a, b) => b.createdTime.localeCompare(a.createdTime) || a.instanceId.localeCompare(b.instanceId));
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    jsonBody: { migrations: migrations.map(migrationSummary), continuationToken: next ? encodeCursor(next) : null },
  };
}
