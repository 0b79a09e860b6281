/**
 * The Cosmos DB REST wire as @azure/cosmos 4.9 speaks it to the gateway (https://learn.microsoft.com/rest/api/cosmos-db/):
 * which resource and operation a request is, and the layer's own answers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Rejection } from './document-rules';

export const HEADERS = {
  partitionKey: 'x-ms-documentdb-partitionkey',
  requestCharge: 'x-ms-request-charge',
  substatus: 'x-ms-substatus',
  retryAfterMs: 'x-ms-retry-after-ms',
  activityId: 'x-ms-activity-id',
  isQuery: 'x-ms-documentdb-isquery',
  isUpsert: 'x-ms-documentdb-is-upsert',
  isBatch: 'x-ms-cosmos-is-batch-request',
  batchAtomic: 'x-ms-cosmos-batch-atomic',
  continueOnError: 'x-ms-cosmos-batch-continue-on-error',
  isQueryPlan: 'x-ms-cosmos-is-query-plan-request',
  itemCount: 'x-ms-item-count',
  /**
   * Not a Cosmos DB header: marks a request as coming from the control plane (what Azure Resource Manager, Bicep
   * or `az cosmosdb sql ...` do in Azure), which the Entra-ID-only mode lets through. See test/support/stack.ts.
   */
  controlPlane: 'x-localstack-control-plane',
} as const;

/** Where the layer answers its own admin requests (configuration and measured charges); never a Cosmos DB path. */
export const ADMIN_PATH = '/_localstack/strict-cosmos';

export type Route =
  | { kind: 'admin'; rest: string }
  | { kind: 'databases'; op: 'create' | 'read' | 'query' }
  | { kind: 'database'; db: string; op: 'read' | 'delete' | 'other' }
  | { kind: 'containers'; db: string; op: 'create' | 'read' | 'query' }
  | { kind: 'container'; db: string; coll: string; op: 'read' | 'replace' | 'delete' | 'other' }
  | {
      kind: 'documents';
      db: string;
      coll: string;
      op: 'create' | 'upsert' | 'query' | 'query-plan' | 'batch' | 'read-feed' | 'other';
    }
  | {
      kind: 'document';
      db: string;
      coll: string;
      id: string;
      op: 'read' | 'replace' | 'delete' | 'patch' | 'other';
      /** The id as the client meant it could not be carried by the URL: `/` split it, `?` started a query. */
      mangled?: 'slash' | 'query';
    }
  | { kind: 'scripts'; db: string; coll: string }
  | { kind: 'offers'; id?: string; op: 'read' | 'query' | 'replace' | 'other' }
  | { kind: 'other' };

function isTrue(headers: IncomingHttpHeaders, name: string): boolean {
  const value = headers[name];
  return (Array.isArray(value) ? value : [value]).some((v) => String(v).toLowerCase() === 'true');
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Classifies a request by method, path and the SDK's operation headers (as the server's own router does). */
export function classify(method: string, url: string, headers: IncomingHttpHeaders): Route {
  const queryAt = url.indexOf('?');
  let path = queryAt >= 0 ? url.slice(0, queryAt) : url;
  if (path.startsWith(ADMIN_PATH)) return { kind: 'admin', rest: url.slice(ADMIN_PATH.length) };
  path = path.replace(/^\/+/, '/').replace(/\/+$/, '');
  const parts = path.split('/').filter((p) => p !== '');
  const post = method === 'POST';
  const isQuery = post && (isTrue(headers, HEADERS.isQuery) || headers['content-type'] === 'application/query+json');

  if (parts[0] === 'offers') {
    if (parts.length === 1) return { kind: 'offers', op: method === 'GET' || isQuery ? 'query' : 'other' };
    return {
      kind: 'offers',
      id: decode(parts[1]),
      op: method === 'GET' ? 'read' : method === 'PUT' ? 'replace' : 'other',
    };
  }
  if (parts[0] !== 'dbs') return { kind: 'other' };
  if (parts.length === 1) return { kind: 'databases', op: isQuery ? 'query' : post ? 'create' : 'read' };
  const db = decode(parts[1]);
  if (parts.length === 2) {
    return { kind: 'database', db, op: method === 'GET' ? 'read' : method === 'DELETE' ? 'delete' : 'other' };
  }
  if (parts[2] !== 'colls') return { kind: 'other' };
  if (parts.length === 3) return { kind: 'containers', db, op: isQuery ? 'query' : post ? 'create' : 'read' };
  const coll = decode(parts[3]);
  if (parts.length === 4) {
    const op = method === 'GET' ? 'read' : method === 'PUT' ? 'replace' : method === 'DELETE' ? 'delete' : 'other';
    return { kind: 'container', db, coll, op };
  }
  if (['udfs', 'sprocs', 'triggers'].includes(parts[4])) return { kind: 'scripts', db, coll };
  if (parts[4] !== 'docs') return { kind: 'other' };
  if (parts.length === 5) {
    if (post && isTrue(headers, HEADERS.isQueryPlan)) return { kind: 'documents', db, coll, op: 'query-plan' };
    if (isQuery) return { kind: 'documents', db, coll, op: 'query' };
    if (post && isTrue(headers, HEADERS.isUpsert)) return { kind: 'documents', db, coll, op: 'upsert' };
    if (post && isTrue(headers, HEADERS.isBatch)) return { kind: 'documents', db, coll, op: 'batch' };
    if (post) return { kind: 'documents', db, coll, op: 'create' };
    return { kind: 'documents', db, coll, op: method === 'GET' ? 'read-feed' : 'other' };
  }
  const id = parts.slice(5).map(decode).join('/');
  const op =
    method === 'GET'
      ? 'read'
      : method === 'PUT'
        ? 'replace'
        : method === 'DELETE'
          ? 'delete'
          : method === 'PATCH'
            ? 'patch'
            : 'other';
  const mangled = parts.length > 6 ? 'slash' : queryAt >= 0 ? 'query' : undefined;
  return { kind: 'document', db, coll, id: queryAt >= 0 ? `${id}?${url.slice(queryAt + 1)}` : id, op, mangled };
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      [HEADERS.activityId]: randomUUID(),
      ...headers,
    },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** The layer's refusal of a request, shaped as the service's errors are (`code`, `message`, `x-ms-substatus`). */
export function rejectionAnswer(rejection: Rejection, requestCharge = 0, extra: Record<string, string> = {}): Answer {
  return jsonAnswer(
    rejection.status,
    { code: rejection.code, message: rejection.message },
    {
      [HEADERS.requestCharge]: String(requestCharge),
      [HEADERS.substatus]: String(rejection.substatus ?? 0),
      ...extra,
    },
  );
}

/** 429 with substatus 3200 ("RUBudgetExceeded": Azure/azure-sdk-for-java#20288, Azure/azure-cosmos-dotnet-v3#3727). */
export function throttledRejection(retryAfterMs: number): Rejection {
  return {
    status: 429,
    substatus: 3200,
    code: 'TooManyRequests',
    message: `Request rate is large: the partition's RU/s budget for this second is spent. Retry after ${retryAfterMs} ms (strict local layer)`,
  };
}

/**
 * Operations refused to an account with local auth disabled, when the request comes with a data-plane identity:
 * "Forbidden (403); Substatus: 5300; ... cannot be authorized by AAD token in data plane"
 * (https://learn.microsoft.com/azure/cosmos-db/troubleshoot-forbidden#non-data-operations-are-not-allowed). The
 * data-plane permission model leaves out create/replace/delete of databases and containers, reading and replacing
 * throughput, and stored procedures, triggers and UDFs
 * (https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac#permission-model).
 */
export function isManagementOperation(route: Route): boolean {
  switch (route.kind) {
    case 'databases':
    case 'containers':
      return route.op === 'create';
    case 'database':
      return route.op !== 'read';
    case 'container':
      return route.op !== 'read';
    case 'offers':
    case 'scripts':
      return true;
    default:
      return false;
  }
}

export function forbiddenManagement(method: string, url: string): Rejection {
  return {
    status: 403,
    substatus: 5300,
    code: 'Forbidden',
    message: `The given request [${method} ${url}] cannot be authorized by an Entra ID token in the data plane: this account has local (key) auth disabled, so databases, containers and throughput are managed through Azure Resource Manager (strict local layer)`,
  };
}
