/**
 * The strict Cosmos DB layer: every request to the local Cosmos server passes through here first. It refuses what
 * the service refuses (document-rules.ts), answers what the server lacks (offers.ts), charges what the service
 * charges (charges.ts), throttles per physical partition (throughput.ts), and in the Entra-ID-only mode refuses
 * management operations (wire.ts). Everything else goes on to the server unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountView, ContainerInfo } from './account-view';
import {
  FAILED_OPERATION_RU,
  MIN_READ_RU,
  THROTTLED_RU,
  deleteCharge,
  insertCharge,
  queryCharge,
  readCharge,
  replaceCharge,
} from './charges';
import {
  canonicalPartitionKey,
  checkAddressedId,
  checkWrite,
  documentPartitionKey,
  isPlainObject,
  jsonBytes,
  measureDocument,
  parsePartitionKeyHeader,
  type Rejection,
} from './document-rules';
import { answerOffers } from './offers';
import { parseThroughput, type ResolvedStrictCosmosOptions } from './options';
import { readBody, send, type Forward, type ForwardedRequest } from './proxy';
import { throughputFromHeaders, ThroughputRegistry, type Budget } from './throughput';
import type { Clock } from './second-window';
import {
  HEADERS,
  classify,
  forbiddenManagement,
  headerValue,
  isManagementOperation,
  jsonAnswer,
  rejectionAnswer,
  throttledRejection,
  type Answer,
  type Route,
} from './wire';

/** The plan Cosmos DB gives for `SELECT * FROM c`: no aggregates, ordering or paging, every partition key range. */
const SELECT_ALL_PLAN = {
  partitionedQueryExecutionInfoVersion: 2,
  queryInfo: {
    distinctType: 'None',
    top: null,
    offset: null,
    limit: null,
    orderBy: [],
    orderByExpressions: [],
    groupByExpressions: [],
    groupByAliases: [],
    aggregates: [],
    groupByAliasToAggregateType: {},
    rewrittenQuery: '',
    hasSelectValue: false,
    dCountInfo: null,
    hasNonStreamingOrderBy: false,
  },
  queryRanges: [{ min: '', max: 'FF', isMinInclusive: true, isMaxInclusive: false }],
};

export interface StrictLayerDependencies {
  forward: Forward;
  view: AccountView;
  options: ResolvedStrictCosmosOptions;
  /** Where offers survive restarts (next to the server's snapshot). */
  stateFile?: string;
  clock?: Clock;
}

export interface StrictCosmosLayer {
  /** The switches in force; the admin endpoint changes them at run time. */
  readonly options: ResolvedStrictCosmosOptions;
  readonly registry: ThroughputRegistry;
  handle(req: IncomingMessage, res: ServerResponse): void;
  process(request: ForwardedRequest): Promise<Answer>;
}

type DocumentsRoute = Extract<Route, { kind: 'documents' }>;
type DocumentRoute = Extract<Route, { kind: 'document' }>;

interface Target {
  db: string;
  coll: string;
  info: ContainerInfo;
  budget: Budget | undefined;
}

/** One operation of a bulk or batch request, as @azure/cosmos 4.9 puts it on the wire (BulkHelper.prepareOperation). */
interface WireOperation {
  operationType?: string;
  id?: string;
  /** JSON of the partition key value array, e.g. `["p1"]`. */
  partitionKey?: string;
  resourceBody?: unknown;
}

interface WireResult {
  statusCode: number;
  requestCharge: number;
  subStatusCode?: number;
  retryAfterMilliseconds?: number;
  eTag?: string;
  resourceBody?: unknown;
  message?: string;
}

/**
 * "400 is also returned when a request that requires an x-ms-documentdb-partitionkey does not include it":
 * https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb
 */
const partitionKeyRequired: Rejection = {
  status: 400,
  code: 'BadRequest',
  message:
    'This operation on a partitioned container needs the x-ms-documentdb-partitionkey header (strict local layer)',
};

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isTrue(value: string | undefined): boolean {
  return String(value).toLowerCase() === 'true';
}

function withCharge(answer: Answer, requestCharge: number): Answer {
  return { ...answer, headers: { ...answer.headers, [HEADERS.requestCharge]: String(requestCharge) } };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function resultOf(rejection: Rejection, requestCharge: number): WireResult {
  return {
    statusCode: rejection.status,
    subStatusCode: rejection.substatus ?? 0,
    requestCharge,
    message: rejection.message,
  };
}

export function createStrictCosmosLayer(dependencies: StrictLayerDependencies): StrictCosmosLayer {
  const { forward, view } = dependencies;
  const clock = dependencies.clock ?? Date.now;
  const options: ResolvedStrictCosmosOptions = { ...dependencies.options };
  const registry = new ThroughputRegistry(options.serverless, clock, dependencies.stateFile);
  registry.defaultThroughput = options.defaultThroughput;

  const target = (db: string, coll: string): Target | undefined => {
    const info = view.container(db, coll);
    if (!info) return undefined;
    return { db, coll, info, budget: registry.budgetFor(db, coll, () => info) };
  };

  const throttled = (t: Target, retryAfterMs: number): Answer => {
    registry.record(t.db, t.coll, THROTTLED_RU, true);
    return rejectionAnswer(throttledRejection(retryAfterMs), THROTTLED_RU, {
      [HEADERS.retryAfterMs]: String(retryAfterMs),
    });
  };

  const refused = (t: Target | undefined, rejection: Rejection): Answer => {
    if (t) registry.record(t.db, t.coll, FAILED_OPERATION_RU);
    return rejectionAnswer(rejection, FAILED_OPERATION_RU);
  };

  const partitionOf = (t: Target, partitionKey: unknown[] | undefined, document?: unknown): number | 'all' => {
    if (!t.budget) return 'all';
    const key =
      partitionKey ??
      (document !== undefined && t.info.partitionKey ? documentPartitionKey(document, t.info.partitionKey) : undefined);
    return key === undefined ? 'all' : t.budget.partitionOf(t.coll, canonicalPartitionKey(key));
  };

  /**
   * Admits a request on its partition (or on every partition), takes its estimated charge, runs it, and settles
   * the difference with the charge of its answer.
   */
  const metered = async (
    t: Target,
    partition: number | 'all',
    estimate: number,
    run: () => Promise<Answer>,
    charge: (answer: Answer) => number,
  ): Promise<Answer> => {
    const budget = t.budget;
    if (budget) {
      const admission = partition === 'all' ? budget.admitAll() : budget.admit(partition);
      if (!admission.admitted) return throttled(t, admission.retryAfterMs);
      budget.charge(partition, estimate);
    }
    const admittedAt = clock();
    let answer: Answer;
    try {
      answer = await run();
    } catch (error) {
      budget?.charge(partition, -estimate);
      throw error;
    }
    const actual = charge(answer);
    budget?.charge(partition, actual - estimate);
    registry.record(t.db, t.coll, actual, false, admittedAt);
    return withCharge(answer, actual);
  };

  const createResource = async (
    request: ForwardedRequest,
    created: (body: Record<string, unknown>, setting: ReturnType<typeof throughputFromHeaders>['setting']) => void,
  ): Promise<Answer> => {
    const { setting, error } = throughputFromHeaders(request.headers, options.serverless);
    if (error) return rejectionAnswer({ status: 400, code: 'BadRequest', message: `${error} (strict local layer)` });
    const answer = await forward(request);
    const body = parseJson(answer.body);
    if (answer.status === 201 && isPlainObject(body)) created(body, setting);
    return answer;
  };

  const identityOf = (body: Record<string, unknown>) => ({ rid: String(body._rid), self: String(body._self) });

  const pointWrite = async (request: ForwardedRequest, route: DocumentsRoute): Promise<Answer> => {
    const t = target(route.db, route.coll);
    if (!t) return forward(request);
    const document = parseJson(request.body);
    const header = headerValue(request.headers, HEADERS.partitionKey);
    const partitionKey = parsePartitionKeyHeader(header);
    if (partitionKey === undefined && t.info.partitionKey?.paths.length) return refused(t, partitionKeyRequired);
    const rejection = checkWrite({
      document,
      bytes: request.body.length,
      definition: t.info.partitionKey,
      partitionKey,
    });
    if (rejection) return refused(t, rejection);
    const doc = document as Record<string, unknown>;
    const { indexedTerms } = measureDocument(doc, t.info.indexingPolicy);
    const bytes = request.body.length;
    const replaces = route.op === 'upsert' && view.document(t.db, t.coll, String(doc.id), header) !== undefined;
    const estimate = replaces ? replaceCharge(bytes, indexedTerms) : insertCharge(bytes, indexedTerms);
    return metered(
      t,
      partitionOf(t, partitionKey, doc),
      estimate,
      () => forward(request),
      (answer) =>
        answer.status === 201
          ? insertCharge(bytes, indexedTerms)
          : answer.status === 200
            ? replaceCharge(bytes, indexedTerms)
            : FAILED_OPERATION_RU,
    );
  };

  const pointById = async (request: ForwardedRequest, route: DocumentRoute): Promise<Answer> => {
    const t = target(route.db, route.coll);
    const addressed = checkAddressedId(route.id, 'url');
    if (addressed) return refused(t, addressed);
    if (!t || route.op === 'other') return forward(request);
    const header = headerValue(request.headers, HEADERS.partitionKey);
    const partitionKey = parsePartitionKeyHeader(header);
    if (partitionKey === undefined && t.info.partitionKey?.paths.length) return refused(t, partitionKeyRequired);
    const existing = view.document(t.db, t.coll, route.id, header);
    const stored = existing && {
      bytes: jsonBytes(existing),
      terms: measureDocument(existing, t.info.indexingPolicy).indexedTerms,
    };
    const partition = partitionOf(t, partitionKey);
    if (route.op === 'read') {
      const estimate = stored ? readCharge(stored.bytes) : FAILED_OPERATION_RU;
      return metered(
        t,
        partition,
        estimate,
        () => forward(request),
        (answer) => (answer.status === 200 ? readCharge(answer.body.length) : FAILED_OPERATION_RU),
      );
    }
    if (route.op === 'delete') {
      const estimate = stored ? deleteCharge(stored.bytes, stored.terms) : FAILED_OPERATION_RU;
      return metered(
        t,
        partition,
        estimate,
        () => forward(request),
        (answer) => (answer.status === 204 && stored ? estimate : FAILED_OPERATION_RU),
      );
    }
    if (route.op === 'patch') {
      const estimate = stored ? replaceCharge(stored.bytes, stored.terms) : FAILED_OPERATION_RU;
      return metered(
        t,
        partition,
        estimate,
        () => forward(request),
        (answer) => {
          const patched = answer.status === 200 ? parseJson(answer.body) : undefined;
          return patched === undefined
            ? FAILED_OPERATION_RU
            : replaceCharge(answer.body.length, measureDocument(patched, t.info.indexingPolicy).indexedTerms);
        },
      );
    }
    // replace
    const document = parseJson(request.body);
    const rejection = checkWrite({
      document,
      bytes: request.body.length,
      definition: t.info.partitionKey,
      partitionKey,
    });
    if (rejection) return refused(t, rejection);
    const bytes = request.body.length;
    const { indexedTerms } = measureDocument(document, t.info.indexingPolicy);
    const estimate = replaceCharge(bytes, indexedTerms);
    return metered(
      t,
      partition,
      estimate,
      () => forward(request),
      (answer) => (answer.status === 200 ? estimate : FAILED_OPERATION_RU),
    );
  };

  const query = async (request: ForwardedRequest, route: DocumentsRoute): Promise<Answer> => {
    const t = target(route.db, route.coll);
    if (!t) return forward(request);
    const partitionKey = parsePartitionKeyHeader(headerValue(request.headers, HEADERS.partitionKey));
    const count = partitionKey === undefined ? wholeContainerCount(request, route) : undefined;
    const scan = partitionKey === undefined && count === undefined ? wholeContainerScan(request, route) : undefined;
    return metered(
      t,
      partitionOf(t, partitionKey),
      MIN_READ_RU,
      () =>
        count !== undefined
          ? Promise.resolve(countAnswer(t, count))
          : scan !== undefined
            ? Promise.resolve(scan(t))
            : forward(request),
      (answer) => (answer.status === 200 ? queryCharge(answer.body.length) : FAILED_OPERATION_RU),
    );
  };

  /**
   * The read feed of a whole container (a full verification's read of its one feed range), or `SELECT * FROM c`, paged from the
   * stored items in their order: the server's query engine evaluates the whole query again for every page, in time
   * that grows with the square of the items, so 50,000 items take minutes a page, where Cosmos DB streams them. The
   * pages are the server's shape (`Documents`, `_count`, `x-ms-continuation` while more follow), charged as any
   * query page; the continuation is an offset, which items written between pages can shift (the app reads a
   * container whole only to verify it).
   */
  const wholeContainerScan = (
    request: ForwardedRequest,
    route: DocumentsRoute,
  ): ((t: Target) => Answer) | undefined => {
    if (!view.documentsPage) return undefined;
    if (route.op !== 'read-feed' && !isSelectAll(request)) return undefined;
    const token = /^scan:(\d+)$/.exec(headerValue(request.headers, 'x-ms-continuation') ?? '');
    const offset = token ? Number(token[1]) : 0;
    const requested = Number(headerValue(request.headers, 'x-ms-max-item-count') ?? '100');
    const size = requested > 0 ? Math.min(requested, 1000) : 100;
    const page = view.documentsPage(route.db, route.coll, offset, size);
    if (!page) return undefined;
    return (t) =>
      jsonAnswer(
        200,
        { _rid: t.info.rid, Documents: page.documents, _count: page.documents.length },
        page.more ? { 'x-ms-continuation': `scan:${offset + page.documents.length}` } : {},
      );
  };

  /** `SELECT * FROM c` without parameters: the read feed as the SDK sends it (`items.readAll()` is that query). */
  const isSelectAll = (request: ForwardedRequest): boolean => {
    const body = parseJson(request.body);
    if (!isPlainObject(body) || typeof body.query !== 'string') return false;
    if (Array.isArray(body.parameters) && body.parameters.length > 0) return false;
    return /^\s*select\s+\*\s+from\s+c\s*$/i.test(body.query);
  };

  /**
   * `SELECT VALUE COUNT(1) FROM c` over a whole container, counted from the stored items: the server's query engine
   * (@zeit/cosmosdb-query) takes time that grows with the square of the items (92 s for 50,000 on one core), where
   * Cosmos DB counts from its index. The answer is the one the server gives, one page with the count, and it is
   * admitted and charged as any query page (docs/azure-fidelity.md).
   */
  const wholeContainerCount = (request: ForwardedRequest, route: DocumentsRoute): number | undefined => {
    const body = parseJson(request.body);
    if (!isPlainObject(body) || typeof body.query !== 'string') return undefined;
    if (Array.isArray(body.parameters) && body.parameters.length > 0) return undefined;
    if (!/^\s*select\s+value\s+count\s*\(\s*1\s*\)\s+from\s+c\s*$/i.test(body.query)) return undefined;
    return view.documentCount?.(route.db, route.coll);
  };

  const countAnswer = (t: Target, count: number): Answer =>
    jsonAnswer(200, { _rid: t.info.rid, Documents: [count], _count: 1 });

  /** Bulk (`x-ms-cosmos-batch-atomic: false`) and transactional batch requests: one verdict per operation. */
  const batch = async (request: ForwardedRequest, route: DocumentsRoute): Promise<Answer> => {
    const t = target(route.db, route.coll);
    const operations = parseJson(request.body);
    if (!t || !Array.isArray(operations)) return forward(request);
    const atomic = isTrue(headerValue(request.headers, HEADERS.batchAtomic));
    const continueOnError = isTrue(headerValue(request.headers, HEADERS.continueOnError));
    const batchKey = headerValue(request.headers, HEADERS.partitionKey);
    const definition = t.info.partitionKey;

    interface Planned {
      index: number;
      operation: WireOperation;
      partition: number | 'all';
      estimate: number;
      /** The charge once the server has answered the operation with `status` (and `body`). */
      charge(status: number, body: unknown): number;
    }
    const results: (WireResult | undefined)[] = new Array(operations.length);
    const planned: Planned[] = [];
    let stopped = false;

    const plan = (operation: WireOperation, index: number): Planned | Rejection => {
      const type = String(operation.operationType ?? '');
      const header = operation.partitionKey ?? batchKey;
      const partitionKey = parsePartitionKeyHeader(header);
      const writes = type === 'Create' || type === 'Upsert' || type === 'Replace';
      if (type !== 'Create' && type !== 'Upsert') {
        const id =
          type === 'Replace' && operation.id === undefined
            ? (operation.resourceBody as { id?: unknown })?.id
            : operation.id;
        const addressed = checkAddressedId(id, 'bulk');
        if (addressed) return addressed;
      }
      if (writes) {
        const document = operation.resourceBody;
        const bytes = jsonBytes(document);
        const rejection = checkWrite({ document, bytes, definition, partitionKey });
        if (rejection) return rejection;
        const { indexedTerms } = measureDocument(document, t.info.indexingPolicy);
        const id = String((document as { id: unknown }).id);
        const replaces =
          type === 'Replace' || (type === 'Upsert' && view.document(t.db, t.coll, id, header) !== undefined);
        const estimate = replaces ? replaceCharge(bytes, indexedTerms) : insertCharge(bytes, indexedTerms);
        return {
          index,
          operation,
          partition: partitionOf(t, partitionKey, document),
          estimate,
          charge: (status) =>
            status === 201
              ? insertCharge(bytes, indexedTerms)
              : status === 200
                ? replaceCharge(bytes, indexedTerms)
                : FAILED_OPERATION_RU,
        };
      }
      const existing = typeof operation.id === 'string' ? view.document(t.db, t.coll, operation.id, header) : undefined;
      const stored = existing && {
        bytes: jsonBytes(existing),
        terms: measureDocument(existing, t.info.indexingPolicy).indexedTerms,
      };
      const partition = partitionOf(t, partitionKey);
      if (type === 'Read') {
        const estimate = stored ? readCharge(stored.bytes) : FAILED_OPERATION_RU;
        return {
          index,
          operation,
          partition,
          estimate,
          charge: (status, body) => (status === 200 ? readCharge(jsonBytes(body)) : FAILED_OPERATION_RU),
        };
      }
      const estimate = stored
        ? type === 'Delete'
          ? deleteCharge(stored.bytes, stored.terms)
          : replaceCharge(stored.bytes, stored.terms)
        : FAILED_OPERATION_RU;
      return {
        index,
        operation,
        partition,
        estimate,
        charge: (status) => (status >= 200 && status < 300 && stored ? estimate : FAILED_OPERATION_RU),
      };
    };

    const verdicts = (operations as WireOperation[]).map(plan);

    if (atomic) {
      // All or nothing (https://learn.microsoft.com/azure/cosmos-db/nosql/transactional-batch): one refused
      // operation fails the batch with its status, the others with 424 Failed Dependency.
      const failing = verdicts.findIndex((v) => !('index' in v));
      if (failing >= 0) {
        const rejection = verdicts[failing] as Rejection;
        registry.record(t.db, t.coll, FAILED_OPERATION_RU);
        const body = verdicts.map((_, i) =>
          i === failing ? resultOf(rejection, FAILED_OPERATION_RU) : { statusCode: 424, requestCharge: 0 },
        );
        return jsonAnswer(rejection.status, body, {
          [HEADERS.requestCharge]: String(FAILED_OPERATION_RU),
          [HEADERS.substatus]: String(rejection.substatus ?? 0),
        });
      }
      const all = verdicts as Planned[];
      const partition = partitionOf(t, parsePartitionKeyHeader(batchKey));
      const estimate = all.reduce((sum, p) => sum + p.estimate, 0);
      return metered(
        t,
        partition,
        estimate,
        () => forward(request),
        (answer) => {
          const inner = parseJson(answer.body);
          if (!Array.isArray(inner)) return FAILED_OPERATION_RU;
          return round(
            all.reduce(
              (sum, p, i) =>
                sum + p.charge((inner[i] as WireResult)?.statusCode, (inner[i] as WireResult)?.resourceBody),
              0,
            ),
          );
        },
      );
    }

    verdicts.forEach((verdict, index) => {
      if (stopped) {
        results[index] = { statusCode: 424, requestCharge: 0 };
        return;
      }
      if (!('index' in verdict)) {
        results[index] = resultOf(verdict, FAILED_OPERATION_RU);
        registry.record(t.db, t.coll, FAILED_OPERATION_RU);
        stopped = !continueOnError;
        return;
      }
      const budget = t.budget;
      if (budget) {
        const admission = verdict.partition === 'all' ? budget.admitAll() : budget.admit(verdict.partition);
        if (!admission.admitted) {
          const rejection = throttledRejection(admission.retryAfterMs);
          results[index] = { ...resultOf(rejection, THROTTLED_RU), retryAfterMilliseconds: admission.retryAfterMs };
          registry.record(t.db, t.coll, THROTTLED_RU, true);
          stopped = !continueOnError;
          return;
        }
        budget.charge(verdict.partition, verdict.estimate);
      }
      planned.push(verdict);
    });

    if (planned.length > 0) {
      const admittedAt = clock();
      const refund = (): void => planned.forEach((p) => t.budget?.charge(p.partition, -p.estimate));
      let answer: Answer;
      try {
        answer = await forward({ ...request, body: Buffer.from(JSON.stringify(planned.map((p) => p.operation))) });
      } catch (error) {
        refund();
        throw error;
      }
      const inner = parseJson(answer.body);
      if (answer.status >= 300 || !Array.isArray(inner) || inner.length !== planned.length) {
        // The whole request failed at the server (say, the container is gone): its answer stands.
        refund();
        return answer;
      }
      let innerFailed = false;
      planned.forEach((p, k) => {
        const result = inner[k] as WireResult;
        const actual = p.charge(result.statusCode, result.resourceBody);
        t.budget?.charge(p.partition, actual - p.estimate);
        registry.record(t.db, t.coll, actual, false, admittedAt);
        results[p.index] = { ...result, requestCharge: actual };
        if (result.statusCode >= 400) innerFailed = true;
      });
      if (innerFailed && !continueOnError) {
        // The server stopped at its own failure: what the layer answered after it never ran either.
        const firstInnerFailure = planned.find((p) => (results[p.index] as WireResult).statusCode >= 400)?.index ?? 0;
        for (let i = firstInnerFailure + 1; i < results.length; i++) {
          if (!planned.some((p) => p.index === i)) results[i] = { statusCode: 424, requestCharge: 0 };
        }
      }
      return assemble(results as WireResult[], answer.headers);
    }
    return assemble(results as WireResult[], {});
  };

  /** A bulk answer: 207 Multi-Status when any operation failed (BulkResponse handles it), the charges summed. */
  const assemble = (results: WireResult[], headers: Record<string, string>): Answer => {
    const total = round(results.reduce((sum, r) => sum + (r.requestCharge ?? 0), 0));
    const failed = results.some((r) => r.statusCode >= 400);
    const answer = jsonAnswer(failed ? 207 : 200, results, { ...headers, [HEADERS.requestCharge]: String(total) });
    return answer;
  };

  const admin = (request: ForwardedRequest, rest: string): Answer => {
    if (request.method === 'GET') {
      return jsonAnswer(200, { options, containers: registry.report(), offers: registry.allOffers() });
    }
    if (request.method === 'DELETE' && rest.startsWith('/stats')) {
      registry.resetStats();
      return jsonAnswer(200, { options });
    }
    if (request.method === 'PATCH' || request.method === 'PUT') {
      const body = parseJson(request.body);
      if (!isPlainObject(body)) return jsonAnswer(400, { message: 'expected a JSON object of options' });
      for (const name of ['strict', 'entraIdOnly', 'serverless'] as const) {
        if (typeof body[name] === 'boolean') options[name] = body[name] as boolean;
      }
      const defaultThroughput = parseThroughput(body.defaultThroughput as number | undefined);
      if (defaultThroughput !== undefined) options.defaultThroughput = registry.defaultThroughput = defaultThroughput;
      registry.serverless = options.serverless;
      return jsonAnswer(200, { options });
    }
    return jsonAnswer(405, { message: `${request.method} is not supported here` });
  };

  const process = async (request: ForwardedRequest): Promise<Answer> => {
    const route = classify(request.method, request.url, request.headers);
    if (route.kind === 'admin') return admin(request, route.rest);
    if (!options.strict) return forward(request);
    const controlPlane = isTrue(headerValue(request.headers, HEADERS.controlPlane));
    if (options.entraIdOnly && !controlPlane && isManagementOperation(route)) {
      return rejectionAnswer(forbiddenManagement(request.method, request.url));
    }
    switch (route.kind) {
      case 'offers':
        return answerOffers(registry, route, request.method, parseJson(request.body));
      case 'databases':
        if (route.op !== 'create') break;
        return createResource(request, (body, setting) =>
          registry.databaseCreated(String(body.id), identityOf(body), setting),
        );
      case 'database': {
        if (route.op !== 'delete') break;
        const answer = await forward(request);
        if (answer.status < 300) registry.databaseDeleted(route.db);
        return answer;
      }
      case 'containers':
        if (route.op !== 'create') break;
        return createResource(request, (body, setting) =>
          registry.containerCreated(route.db, String(body.id), identityOf(body), setting),
        );
      case 'container': {
        if (route.op !== 'delete') break;
        const answer = await forward(request);
        if (answer.status < 300) registry.containerDeleted(route.db, route.coll);
        return answer;
      }
      case 'documents':
        if (route.op === 'create' || route.op === 'upsert') return pointWrite(request, route);
        if (route.op === 'query' || route.op === 'read-feed') return query(request, route);
        if (route.op === 'query-plan') {
          // The server answers a plan request by running the query, so the count's plan would take as long.
          const t = target(route.db, route.coll);
          const count = t ? wholeContainerCount(request, route) : undefined;
          if (t && count !== undefined) return countAnswer(t, count);
          // The SDK asks for a plan with every page of `items.readAll()` (its QueryIterator fetches one per
          // fetchNext, used only if the page fails): run by the server, each costs a pass over the whole container,
          // so reading 1,000,000 documents in pages of 1,000 took a thousand passes. Cosmos DB's gateway answers it
          // from the query text alone.
          if (t && view.documentsPage && isSelectAll(request)) return jsonAnswer(200, SELECT_ALL_PLAN);
        }
        if (route.op === 'batch') return batch(request, route);
        break;
      case 'document':
        return pointById(request, route);
      default:
        break;
    }
    return forward(request);
  };

  return {
    options,
    registry,
    process,
    handle(req, res) {
      void (async () => {
        let answer: Answer;
        try {
          const body = await readBody(req);
          answer = await process({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
        } catch (error) {
          answer = jsonAnswer(500, {
            code: 'InternalServerError',
            message: `strict local layer: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
        if (!res.destroyed) send(res, answer);
      })();
    },
  };
}
