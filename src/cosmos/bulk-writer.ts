import { Container, ErrorResponse, OperationInput } from '@azure/cosmos';
import { MigrationError } from '../errors';
import { parsePartitionKeyPath } from '../mapping/partition-key';
import { BackoffPolicy, DEFAULT_BACKOFF, METADATA_RETRIES, nextDelay, retrying, sleep } from '../retry/backoff';
import { AdaptiveConcurrency } from './adaptive-concurrency';
import { RuBudget } from './ru-budget';
import { isTransientError, isTransientStatus, retryAfterOf, statusOf } from './status';

/** A write with the bookkeeping the caller needs back when it succeeds or is rejected. */
export interface PendingWrite<M> {
  operation: OperationInput;
  meta: M;
}

export interface BulkWriterOptions<M> {
  /**
   * Bulk requests in flight at first. Default 4. The window then adapts (AIMD, adaptive-concurrency.ts):
   * halved when Cosmos DB throttles, one wider per window's worth of unthrottled requests.
   */
  concurrency?: number;
  /** The widest the window grows. Default 16, at least `concurrency` (`maxInFlightBytes` may hold it narrower). */
  maxConcurrency?: number;
  /**
   * The migration's RU budget (ru-budget.ts): each call waits for an estimate of its charge and settles it with
   * the real one and its 429s, which slow the budget down (not the window: the budget paces every writer of the
   * migration at once). Under a budget a call carries about one bucket of it (a quarter of a second's worth), and
   * the first call is a small probe, alone in flight, whose charge sizes the next. Default: none, the window alone
   * adapts to 429s.
   *
   * Give the writer a container whose client does not retry 429s itself (`maxRetryAttemptCount: 0`,
   * create-clients.ts `cosmosWrites`): @azure/cosmos 4.9's bulk executor sleeps each throttled operation's
   * retry-after one operation after the other and resends outside the budget; this writer retries the throttled
   * operations of a call together, after the longest retry-after, through the budget.
   */
  ruBudget?: RuBudget;
  /**
   * Calls of at most this many upserts and deletes are sent as that many point operations at once instead
   * of one executeBulkOperations call, which never returns in less than a second (it waits 1 s for partial
   * batches to fill): the tail of every file and all of a tiny one. Default 50; 0 turns it off.
   */
  pointWriteLimit?: number;
  /**
   * Operations handed to the SDK per executeBulkOperations call. Default 1000: the SDK splits them into
   * service batches of 100 per partition range itself, but each call ends with at least one 1 s wait for
   * partial batches, so small calls cap throughput.
   */
  batchSize?: number;
  /** Bytes of documents per call, so a file of 400 KB items does not hold thousands of them. Default 4 MiB. */
  batchBytes?: number;
  /**
   * Bytes of documents (source lines) in all calls in flight together, whatever the window allows: what
   * bounds a load's memory. While its call is out each operation is held here, copied by the SDK and
   * serialised, about five times its source line in all, and V8 lets the heap grow to several times what is
   * live before it collects. Default 4 MiB, under 256 MB of peak RSS growth per load (bench/); with calls
   * that take the SDK's one second, about 3,500 one-KB items per second per file. One call is always
   * allowed, however large.
   */
  maxInFlightBytes?: number;
  backoff?: BackoffPolicy;
  onWritten(meta: M, operation: OperationInput, statusCode: number): void;
  onRejected(meta: M, reason: string): void;
}

/** What a call is estimated to cost per operation before any charge has been seen: a 1 KB upsert, default indexing. */
const INITIAL_RU_PER_OPERATION = 6;
/** Under a tight RU budget calls still carry this many operations; so does the probe (see updateBatchLimit). */
const MIN_BUDGETED_BATCH = 10;

/** One operation's outcome, from a bulk call or a point operation. */
interface WriteResult {
  response?: { statusCode: number; requestCharge?: number };
  error?: ErrorResponse;
}

/**
 * An operation the SDK failed before sending it (its container or partition key range lookup failed) comes back as
 * the error itself, the reason of a rejected promise, rather than as `{ error }`.
 */
function asWriteResult(result: unknown): WriteResult {
  const { response, error } = (result ?? {}) as WriteResult;
  if (response || error) return { response, error };
  return { error: result as ErrorResponse };
}

const partitionKeyPathsByContainer = new Map<string, Promise<string[] | undefined>>();

/** The value of `body` at a partition key path, read as the SDK reads it (quoted segments included). */
function valueAt(body: unknown, path: string): unknown {
  let value = body;
  for (const step of parsePartitionKeyPath(path) ?? []) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/**
 * Bounded-concurrency bulk writer. `write` waits while the window is full, so a reader feeding it is held
 * back (back-pressure) and memory stays flat. The window adapts to throttling (AIMD), and with an RU budget
 * every call first waits for its share of it. Throttled and transient failures are retried with backoff and
 * jitter, never sooner than the service's retry-after, until the policy's attempts or total time are spent;
 * then the whole load fails (RETRIES_EXHAUSTED) rather than dropping anything. Documents the service
 * rejects for their content go to `onRejected`.
 */
export class BulkWriter<M> {
  private readonly window: AdaptiveConcurrency;
  private readonly batchSize: number;
  private batchLimit: number;
  private readonly pointWriteLimit: number;
  private readonly backoff: BackoffPolicy;
  private readonly batchBytes: number;
  private batch: PendingWrite<M>[] = [];
  private bufferedBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private inFlightBytes = 0;
  private readonly maxInFlightBytes: number;
  private failure: unknown;
  requestCharge = 0;
  retries = 0;
  /** Calls with at least one operation answered 429. */
  private throttles = 0;
  /** Operations whose charge is in `requestCharge`, for the RUs per operation. */
  private chargedOperations = 0;

  constructor(
    private readonly container: Container,
    private readonly options: BulkWriterOptions<M>,
  ) {
    const concurrency = options.concurrency ?? 4;
    this.window = new AdaptiveConcurrency({
      initial: concurrency,
      max: Math.max(concurrency, options.maxConcurrency ?? 16),
    });
    this.batchSize = options.batchSize ?? 1000;
    this.batchLimit = this.batchSize;
    this.pointWriteLimit = options.pointWriteLimit ?? 50;
    this.batchBytes = options.batchBytes ?? 4 * 1024 * 1024;
    this.maxInFlightBytes = options.maxInFlightBytes ?? 4 * 1024 * 1024;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.updateBatchLimit();
  }

  /** `bytes`: the size of the source line, a cheap stand-in for the document's size. */
  async write(operation: OperationInput, meta: M, bytes = 0): Promise<void> {
    this.batch.push({ operation, meta });
    this.bufferedBytes += bytes;
    if (this.batch.length >= this.batchLimit || this.bufferedBytes >= this.batchBytes) await this.dispatch();
  }

  /** Requests the window allows in flight now (it adapts to throttling). */
  get concurrency(): number {
    return this.window.limit;
  }

  /** Throttled calls seen and times the window was cut, for logs. */
  get throttling(): { throttles: number; decreases: number } {
    return { throttles: this.throttles, decreases: this.window.decreases };
  }

  /** This writer's RUs per operation, else what the migration's other writers have seen (their budget's). */
  private ruPerOperation(): number {
    if (this.chargedOperations > 0) return this.requestCharge / this.chargedOperations;
    return this.options.ruBudget?.ruPerOperation ?? INITIAL_RU_PER_OPERATION;
  }

  /** Whether a charge per operation has been seen, by this writer or another of the budget's. */
  private get chargeKnown(): boolean {
    return this.chargedOperations > 0 || this.options.ruBudget?.ruPerOperation !== undefined;
  }

  /** Whether calls wait for an RU budget. */
  private get budgeted(): boolean {
    return this.options.ruBudget !== undefined;
  }

  /**
   * Under a budget, a call carries about one bucket of it, so the writer does not send bursts the cap then has to
   * repay (and the service throttles meanwhile). Until a charge has been seen, the RUs per operation are a guess
   * (a 1 KB document with few properties costs a third of a richer one): the first call is a probe of
   * MIN_BUDGETED_BATCH operations, sent alone (see dispatch), and its charge sizes the calls after it. A load
   * that starts while others of the migration run takes their figure instead and starts at full pace.
   */
  private updateBatchLimit(): void {
    const budget = this.options.ruBudget;
    if (!budget || !this.budgeted) return;
    if (!this.chargeKnown) {
      this.batchLimit = Math.min(this.batchSize, MIN_BUDGETED_BATCH);
      return;
    }
    this.batchLimit = Math.min(
      this.batchSize,
      Math.max(MIN_BUDGETED_BATCH, Math.floor(budget.burst / this.ruPerOperation())),
    );
  }

  /** Sends what is buffered and waits for every request in flight. */
  async flush(): Promise<void> {
    if (this.batch.length > 0) await this.dispatch();
    await Promise.all(this.inFlight);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private async dispatch(): Promise<void> {
    this.throwIfFailed();
    const batch = this.batch;
    const bytes = this.bufferedBytes;
    this.batch = [];
    this.bufferedBytes = 0;
    // Under a budget, nothing goes out beside the probe until its charge is known (updateBatchLimit).
    const probing = this.budgeted && !this.chargeKnown;
    while (
      this.inFlight.size > 0 &&
      (probing || this.inFlight.size >= this.window.limit || this.inFlightBytes + bytes > this.maxInFlightBytes)
    ) {
      await Promise.race(this.inFlight);
    }
    this.throwIfFailed();
    this.inFlightBytes += bytes;
    const request = this.send(batch).catch((error: unknown) => {
      this.failure ??= error;
    });
    const tracked = request.finally(() => {
      this.inFlight.delete(tracked);
      this.inFlightBytes -= bytes;
    });
    this.inFlight.add(tracked);
  }

  /** One attempt at `pending`: a bulk call, or point operations for a few (see `pointWriteLimit`). */
  private async execute(pending: PendingWrite<M>[]): Promise<WriteResult[]> {
    if (pending.length <= this.pointWriteLimit && (await this.suitsPointWrites(pending)))
      return this.pointWrites(pending);
    // The SDK reads the container's definition for each bulk call until it has it, without retries on this client
    // and failing every operation of the call if that read fails: read it here first, retried (routing-map-cache.ts).
    await partitionKeyPathsOf(this.container);
    const results = await this.container.items.executeBulkOperations(pending.map((p) => p.operation));
    return results.map(asWriteResult);
  }

  /**
   * Point upserts take the partition key from the document, bulk upserts take the one given with the
   * operation; only where the two agree do both mean the same write. For what the mapping makes they do
   * whenever the container is partitioned on the paths the migration asked for (prepareTarget checks that):
   * the mapping reads the value from the document at those paths (docs/mapping.md §4). Anything else is
   * sent in bulk, where Cosmos DB refuses a disagreeing key (400, substatus 1001) and the line is dead-lettered.
   */
  private async suitsPointWrites(pending: PendingWrite<M>[]): Promise<boolean> {
    let paths: string[] | undefined;
    for (const { operation } of pending) {
      if (operation.operationType === 'Delete') continue;
      if (operation.operationType !== 'Upsert') return false;
      paths ??= await partitionKeyPathsOf(this.container);
      if (!paths || paths.length === 0) return false;
      const given = paths.length === 1 ? [operation.partitionKey] : operation.partitionKey;
      if (!Array.isArray(given) || given.length !== paths.length) return false;
      for (let i = 0; i < paths.length; i++) if (valueAt(operation.resourceBody, paths[i]) !== given[i]) return false;
    }
    return true;
  }

  private pointWrites(pending: PendingWrite<M>[]): Promise<WriteResult[]> {
    return Promise.all(
      pending.map(async ({ operation }): Promise<WriteResult> => {
        try {
          const response =
            operation.operationType === 'Delete'
              ? await this.container.item(operation.id, operation.partitionKey as never).delete()
              : await this.container.items.upsert(
                  (operation as { resourceBody: Record<string, unknown> }).resourceBody,
                );
          return { response: { statusCode: response.statusCode, requestCharge: response.requestCharge } };
        } catch (error) {
          return { error: error as ErrorResponse };
        }
      }),
    );
  }

  private async send(batch: PendingWrite<M>[]): Promise<void> {
    let pending = batch;
    let startedAt = Date.now();
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) this.retries++;
      let retryAfter: number | undefined;
      let retry: PendingWrite<M>[] = [];
      const budget = this.options.ruBudget;
      const waitFrom = Date.now();
      const reserved = budget ? await budget.acquire(pending.length * this.ruPerOperation(), this) : 0;
      // Waiting for the migration's own budget is pacing, not the service failing: it does not spend the retries' time.
      startedAt += Date.now() - waitFrom;
      const sentAt = budget?.now();
      const ticket = this.window.begin();
      let charge = 0;
      let throttled = 0;
      let refused: { status: number; error: unknown } | undefined;
      try {
        const results = await this.execute(pending);
        for (let i = 0; i < results.length; i++) {
          const result = results[i];
          const write = pending[i];
          const status = result.response?.statusCode ?? statusOf(result.error);
          charge += result.response?.requestCharge ?? result.error?.requestCharge ?? 0;
          if (status === 429) throttled++;
          if (status !== undefined && status >= 200 && status < 300) {
            this.options.onWritten(write.meta, write.operation, status);
          } else if (status === 404 && write.operation.operationType === 'Delete') {
            // Deleting what is already gone is success: applying an export twice must change nothing.
            this.options.onWritten(write.meta, write.operation, status);
          } else if (isTransientStatus(status)) {
            retry.push(write);
            retryAfter = Math.max(retryAfter ?? 0, retryAfterOf(result.error) ?? 0);
          } else if (refusesTheApp(status, write.operation)) {
            refused ??= { status: status as number, error: result.error };
          } else {
            this.options.onRejected(write.meta, describeRejection(status, result.error));
          }
        }
      } catch (error) {
        const status = statusOf(error);
        if (status === 429) throttled = pending.length;
        if (refusesTheApp(status)) refused = { status: status as number, error };
        else if (!isTransientStatus(status)) throw error;
        retry = pending;
        retryAfter = retryAfterOf(error);
      } finally {
        this.requestCharge += charge;
        // Throttled operations cost nothing here: counting them would make the next estimates too low.
        if (charge > 0) {
          this.chargedOperations += pending.length - throttled;
          budget?.observe(pending.length - throttled, charge);
        }
        budget?.settle(reserved, charge, { operations: throttled, sentAt, retryAfterMs: retryAfter });
        // Under a budget its rate answers the 429s; cutting the window as well would leave the budget unspent.
        this.window.end(ticket, throttled > 0 && !budget);
        if (throttled > 0) this.throttles++;
        this.updateBatchLimit();
      }
      if (refused) throw refusal(this.container, refused.status, refused.error);
      pending = retry;
      if (pending.length === 0) break;
      const delay = nextDelay(attempt, this.backoff, startedAt, retryAfter);
      if (delay === undefined) {
        throw new MigrationError(
          'RETRIES_EXHAUSTED',
          `Cosmos DB kept throttling or failing ${pending.length} writes for ${Math.round((Date.now() - startedAt) / 1000)} s (${attempt} attempts); nothing was dropped, the load will be retried`,
        );
      }
      await sleep(delay);
    }
  }
}

/** The container's partition key paths, read once per container and process. */
function partitionKeyPathsOf(container: Container): Promise<string[] | undefined> {
  let paths = partitionKeyPathsByContainer.get(container.url);
  if (!paths) {
    paths = retrying(() => container.read(), {
      policy: METADATA_RETRIES,
      isTransient: isTransientError,
      retryAfterOf,
    }).then(
      ({ resource }) => resource?.partitionKey?.paths,
      () => {
        partitionKeyPathsByContainer.delete(container.url);
        return undefined;
      },
    );
    partitionKeyPathsByContainer.set(container.url, paths);
  }
  return paths;
}

/**
 * Answers about the app or the target, not the document: no permission, or the container is gone. Writing the
 * next document would get the same answer, so the load fails instead of dead-lettering the whole file.
 */
function refusesTheApp(status: number | undefined, operation?: OperationInput): boolean {
  return status === 401 || status === 403 || (status === 404 && operation?.operationType !== 'Delete');
}

function refusal(container: Container, status: number, error: unknown): MigrationError {
  const detail = String(
    (error as { body?: { message?: string } })?.body?.message ?? (error as Error | undefined)?.message ?? '',
  )
    .split('\n')[0]
    .slice(0, 300);
  const hint =
    status === 404
      ? 'the database or container does not exist (was it deleted during the migration?)'
      : "the app's identity needs a Cosmos DB data-plane role on it, such as Cosmos DB Built-in Data Contributor";
  return new MigrationError(
    'CONFIGURATION',
    `Cosmos DB refused the writes to ${container.database.id}/${container.id} (HTTP ${status}): ${hint}${detail ? ` (${detail})` : ''}`,
  );
}

function describeRejection(
  status: number | undefined,
  error: { message?: string; body?: { message?: string } } | undefined,
): string {
  const detail = (error?.body?.message ?? error?.message ?? '').split('\n')[0].slice(0, 500);
  return `Cosmos DB rejected the document (HTTP ${status ?? '?'})${detail ? `: ${detail}` : ''}`;
}
