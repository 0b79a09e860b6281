import { RUNTIME_STATUSES, RuntimeStatus } from './historyEvents';
import { InstanceSummary } from './statusPayload';

export interface InstanceQuery {
  createdTimeFrom?: number;
  createdTimeTo?: number;
  runtimeStatus?: RuntimeStatus[];
  instanceIdPrefix?: string;
  /** Page size; the Azure Storage provider's default is 100. */
  top: number;
  continuationToken?: string;
}

export const DEFAULT_PAGE_SIZE = 100;

/** .NET DateTime.TryParse stand-in: unparsable values are ignored, as the extension ignores them. */
export function parseDate(value: string | null): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `runtimeStatus=Running,Pending` (names, case-insensitive, or numeric codes); unknown names are ignored. */
export function parseRuntimeStatuses(values: string[]): RuntimeStatus[] | undefined {
  const result: RuntimeStatus[] = [];
  for (const raw of values.flatMap((v) => v.split(','))) {
    const value = raw.trim();
    const byName = RUNTIME_STATUSES.find((s) => s.toLowerCase() === value.toLowerCase());
    const byCode = /^\d+$/.test(value) ? RUNTIME_STATUSES[Number(value)] : undefined;
    const status = byName ?? byCode;
    if (status && !result.includes(status)) result.push(status);
  }
  return result.length > 0 ? result : undefined;
}

export function parseInstanceQuery(params: URLSearchParams, continuationToken: string | undefined): InstanceQuery {
  const top = Number.parseInt(params.get('top') ?? '', 10);
  return {
    createdTimeFrom: parseDate(params.get('createdTimeFrom')),
    createdTimeTo: parseDate(params.get('createdTimeTo')),
    runtimeStatus: parseRuntimeStatuses(params.getAll('runtimeStatus')),
    instanceIdPrefix: params.get('instanceIdPrefix') ?? undefined,
    top: Number.isInteger(top) && top > 0 ? top : DEFAULT_PAGE_SIZE,
    continuationToken: continuationToken || undefined,
  };
}

export function matchesQuery(
  summary: InstanceSummary,
  query: Omit<InstanceQuery, 'top' | 'continuationToken'>,
): boolean {
  const created = Date.parse(summary.createdTime);
  if (query.createdTimeFrom !== undefined && created < query.createdTimeFrom) return false;
  if (query.createdTimeTo !== undefined && created > query.createdTimeTo) return false;
  if (query.runtimeStatus && !query.runtimeStatus.includes(summary.status)) return false;
  if (query.instanceIdPrefix !== undefined && !summary.instanceId.startsWith(query.instanceIdPrefix)) return false;
  return true;
}

type Cursor = [createdMs: number, instanceId: string];

function compareCursor(a: Cursor, b: Cursor): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function cursorOf(summary: InstanceSummary): Cursor {
  return [Date.parse(summary.createdTime), summary.instanceId];
}

function decodeToken(token: string | undefined): Cursor | undefined {
  if (!token) return undefined;
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(cursor) && typeof cursor[0] === 'number' && typeof cursor[1] === 'string'
      ? [cursor[0], cursor[1]]
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One page in (createdTime, instanceId) order. The continuation token is the last returned position, so
 * paging stays stable while instances are being created; an empty token means there is nothing more.
 */
export function queryInstances(
  summaries: Iterable<InstanceSummary>,
  query: InstanceQuery,
): { page: InstanceSummary[]; continuationToken: string } {
  const after = decodeToken(query.continuationToken);
  const matching = [...summaries]
    .filter((s) => matchesQuery(s, query))
    .filter((s) => !after || compareCursor(cursorOf(s), after) > 0)
    .sort((a, b) => compareCursor(cursorOf(a), cursorOf(b)));
  const page = matching.slice(0, query.top);
  const more = matching.length > page.length;
  const last = page[page.length - 1];
  return {
    page,
    continuationToken: more && last ? Buffer.from(JSON.stringify(cursorOf(last))).toString('base64url') : '',
  };
}
