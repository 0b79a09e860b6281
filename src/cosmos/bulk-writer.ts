import { Container, OperationInput } from '@azure/cosmos';
import { MigrationError } from '../errors';
import { BackoffPolicy, DEFAULT_BACKOFF, nextDelay, sleep } from '../retry/backoff';
import { isTransientStatus, retryAfterOf, statusOf } from './status';

/** A write with the bookkeeping the caller needs back when it succeeds or is rejected. */
export interface PendingWrite<M> {
  operation: OperationInput;
  meta: M;
}

export interface BulkWriterOptions<M> {
  /** Bulk requests in flight at once. Default 4. */
  concurrency?: number;
  /**
   * Operations handed to the SDK per executeBulkOperations call. Default 1000: the SDK splits them into
   * service batches of 100 per partition range itself, but each call ends with at least one 1 s wait for
   * partial batches, so small calls cap throughput.
   */
  batchSize?: number;
  /** Bytes of documents per call, so a file of 400 KB items does not hold thousands of them. Default 4 MiB. */
  batchBytes?: number;
  backoff?: BackoffPolicy;
  onWritten(meta: M, operation: OperationInput, statusCode: number): void;
  onRejected(meta: M, reason: string): void;
}

/**
 * Bounded-concurrency bulk writer. `write` waits while the window is full, so a reader feeding it is held
 * back (back-pressure) and memory stays flat. Throttled and transient failures are retried with backoff and
 * jitter, never sooner than the service's retry-after, until the policy's attempts or total time are spent;
 * then the whole load fails (RETRIES_EXHAUSTED) rather than dropping anything. Documents the service
 * rejects for their content go to `onRejected`.
 */
export class BulkWriter<M> {
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly backoff: BackoffPolicy;
  private readonly batchBytes: number;
  private batch: PendingWrite<M>[] = [];
  private bufferedBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  requestCharge = 0;
  retries = 0;

  constructor(
    private readonly container: Container,
    private readonly options: BulkWriterOptions<M>,
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.batchSize = options.batchSize ?? 1000;
    this.batchBytes = options.batchBytes ?? 4 * 1024 * 1024;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /** `bytes`: the size of the source line, a cheap stand-in for the document's size. */
  async write(operation: OperationInput, meta: M, bytes = 0): Promise<void> {
    this.batch.push({ operation, meta });
    this.bufferedBytes += bytes;
    if (this.batch.length >= this.batchSize || this.bufferedBytes >= this.batchBytes) await this.dispatch();
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
    this.batch = [];
    this.bufferedBytes = 0;
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const request = this.send(batch).catch((error: unknown) => {
      this.failure ??= error;
    });
    const tracked = request.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async send(batch: PendingWrite<M>[]): Promise<void> {
    let pending = batch;
    const startedAt = Date.now();
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) this.retries++;
      let retryAfter: number | undefined;
      let retry: PendingWrite<M>[] = [];
      try {
        const results = await this.container.items.executeBulkOperations(pending.map((p) => p.operation));
        for (let i = 0; i < results.length; i++) {
          const result = results[i];
          const write = pending[i];
          const status = result.response?.statusCode ?? statusOf(result.error);
          this.requestCharge += result.response?.requestCharge ?? result.error?.requestCharge ?? 0;
          if (status !== undefined && status >= 200 && status < 300) {
            this.options.onWritten(write.meta, write.operation, status);
          } else if (status === 404 && write.operation.operationType === 'Delete') {
            // Deleting what is already gone is success: applying an export twice must change nothing.
            this.options.onWritten(write.meta, write.operation, status);
          } else if (isTransientStatus(status)) {
            retry.push(write);
            retryAfter = Math.max(retryAfter ?? 0, retryAfterOf(result.error) ?? 0);
          } else {
            this.options.onRejected(write.meta, describeRejection(status, result.error));
          }
        }
      } catch (error) {
        const status = statusOf(error);
        if (!isTransientStatus(status)) throw error;
        retry = pending;
        retryAfter = retryAfterOf(error);
      }
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

function describeRejection(status: number | undefined, error: { message?: string; body?: { message?: string } } | undefined): string {
  const detail = (error?.body?.message ?? error?.message ?? '').split('\n')[0].slice(0, 500);
  return `Cosmos DB rejected the document (HTTP ${status ?? '?'})${detail ? `: ${detail}` : ''}`;
}
