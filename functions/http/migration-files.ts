import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ContainerClient } from '@azure/storage-blob';
import * as df from 'durable-functions';
import { checkpointPath, deadLetterPath, runFolder } from '../../src/lake/paths';
import { readCheckpoint } from '../../src/load/checkpoint';
import { BatchInput, FileOutcome, Names } from '../../src/migration/contracts';
import { MigrationRequest } from '../../src/migration/request';
import { migrationFolderOf } from '../../src/migration/request-views';
import { getInstanceWithHistory, InstanceStatus, listInstancePage } from './durable-instances';
import {
  BatchView,
  countByState,
  FileActivity,
  fileActivityOf,
  FileRow,
  fileRowsOf,
  FILE_STATES,
  FileState,
  manifestFilesOf,
} from './file-states';

/** What the files endpoint needs from the app: the lake (running loads' checkpoints) and its container's name. */
export type MigrationFilesDependencies = () => { lake: ContainerClient; lakeContainer: string };

type ManifestRows = { index: number; key: string; itemCount: number }[];

const DEFAULT_TOP = 100;
const MAX_TOP = 1000;
/** Histories read at once. */
const PARALLEL_READS = 6;
/** Histories of ended batches read for one answer at most (the rest are read by later answers). */
const MAX_HISTORY_READS = 40;
const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

/**
 * Small per-process caches of what does not change: a run's manifest (read once from the migration's history,
 * which holds every batch's output too) and the activity runs of a batch that has ended.
 */
const manifests = new Map<string, ManifestRows>();
const endedBatches = new Map<string, Map<number, FileActivity>>();

function remember<V>(cache: Map<string, V>, key: string, value: V, limit: number): V {
  cache.delete(key);
  cache.set(key, value);
  while (cache.size > limit) cache.delete(cache.keys().next().value as string);
  return value;
}

async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, queue.length) }, worker));
}

async function manifestOf(
  context: InvocationContext,
  instanceId: string,
  runKey: string,
): Promise<ManifestRows | undefined> {
  const cached = manifests.get(runKey);
  if (cached) return cached;
  const parent = await getInstanceWithHistory(context, instanceId);
  const files = manifestFilesOf(parent?.historyEvents ?? []);
  if (!files) return undefined;
  return remember(
    manifests,
    runKey,
    files.map(({ index, key, itemCount }) => ({ index, key, itemCount })),
    50,
  );
}

/** The batch sub-orchestrations of this run of the migration (`<id>:batch-<n>`; an earlier run's are left out). */
async function batchesOf(
  context: InvocationContext,
  instanceId: string,
  runId: string | undefined,
  createdTime: string,
) {
  const batches: InstanceStatus[] = [];
  let token: string | undefined;
  do {
    const page = await listInstancePage(
      context,
      { top: 100, instanceIdPrefix: `${instanceId}:batch-`, showInput: true },
      token,
    );
    batches.push(...page.instances);
    token = page.continuationToken || undefined;
  } while (token);
  return batches.filter((batch) => {
    const input = batch.input as Partial<BatchInput> | null;
    return runId ? input?.runId === runId : batch.createdTime >= createdTime;
  });
}

async function activityOf(context: InvocationContext, batch: InstanceStatus): Promise<Map<number, FileActivity>> {
  const key = `${batch.instanceId}@${batch.lastUpdatedTime}`;
  const cached = endedBatches.get(key);
  if (cached) return cached;
  const status = await getInstanceWithHistory(context, batch.instanceId);
  const activity = fileActivityOf(status?.historyEvents ?? []);
  return TERMINAL.has(batch.runtimeStatus) ? remember(endedBatches, key, activity, 2000) : activity;
}

function parseStates(value: string | null): FileState[] | undefined | false {
  if (!value || value === 'all') return undefined;
  const states = value.split(',').map((s) => s.trim());
  return states.every((s) => (FILE_STATES as string[]).includes(s)) ? (states as FileState[]) : false;
}

function badRequest(field: string, message: string): HttpResponseInit {
  return { status: 400, jsonBody: { error: 'invalid request', problems: [{ field, message }] } };
}

/**
 * `GET /api/migrations/{id}/files`: every data file of the migration with its state (pending, copying, loading,
 * retrying, loaded, failed), items, attempts and error; the counts by state; and the files with dead letters and
 * where those are in the lake. `state=failed` (or a comma list) filters, `offset` and `top` page the rows.
 * Items of a file that is loading come from its last checkpoint (`live: true`).
 */
export function migrationFilesHandler(deps: MigrationFilesDependencies) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const instanceId = request.params.id;
    const states = parseStates(request.query.get('state'));
    if (states === false) return badRequest('state', `must be all or a comma list of ${FILE_STATES.join(', ')}`);
    const offset = Number(request.query.get('offset') ?? 0);
    if (!Number.isInteger(offset) || offset < 0) return badRequest('offset', 'must be an integer of 0 or more');
    const top = Number(request.query.get('top') ?? DEFAULT_TOP);
    if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
      return badRequest('top', `must be an integer from 1 to ${MAX_TOP}`);

    let status: df.DurableOrchestrationStatus | undefined;
    try {
      status = await df.getClient(context).getStatus(instanceId, { showInput: true });
    } catch {
      status = undefined;
    }
    if (!status?.name || status.name !== Names.migrateExport) {
      return { status: 404, jsonBody: { error: `no migration with id ${instanceId}` } };
    }
    const migration = status.input as MigrationRequest;
    const progress = (status.customStatus ?? {}) as { startedAt?: string };
    const createdTime = new Date(status.createdTime).toISOString();
    const runId = progress.startedAt ? `${instanceId}@${progress.startedAt}` : undefined;
    let folder: string | null = null;
    try {
      folder = migrationFolderOf(migration);
    } catch {
      folder = null;
    }
    // A run's dead letters and checkpoints are in its own folder; without the run's start there is none to name.
    const run = folder && runId ? runFolder(folder, runId) : null;
    const deadLetterPathOf = (index: number): string | null => (run ? deadLetterPath(run, index) : null);

    const [manifest, listed] = await Promise.all([
      manifestOf(context, instanceId, `${instanceId}@${createdTime}`),
      batchesOf(context, instanceId, runId, status.createdTime.toISOString().slice(0, 19)),
    ]);
    const batches: (BatchView & { status: InstanceStatus })[] = listed.map((batch) => ({
      status: batch,
      instanceId: batch.instanceId,
      runtimeStatus: batch.runtimeStatus,
      files: ((batch.input as Partial<BatchInput> | null)?.files ?? []).map(({ index, key, itemCount }) => ({
        index,
        key,
        itemCount,
      })),
      outcomes: batch.runtimeStatus === 'Completed' ? ((batch.output as FileOutcome[] | null) ?? []) : undefined,
    }));
    // A running batch's files stand where its history says; so do the attempts of the files on this page.
    await inParallel(
      batches.filter((b) => !TERMINAL.has(b.runtimeStatus)),
      async (b) => void (b.activity = await activityOf(context, b.status)),
    );
    let rows = fileRowsOf(manifest, batches, deadLetterPathOf);
    const selected = (all: FileRow[]) => (states ? all.filter((r) => states.includes(r.state)) : all);
    // Ended batches' histories are read once (then cached), a few per request, failed files first: the first
    // look at a large finished migration stays quick, and the attempts fill in over the page's next refreshes.
    const shown = selected(rows).slice(offset, offset + top);
    const wanted = [...new Set([...shown.filter((r) => r.state === 'failed'), ...shown].map((r) => r.batch))];
    const priority = new Map(wanted.map((id, i) => [id, i]));
    const ended = batches
      .filter((b) => !b.activity && priority.has(b.instanceId))
      .sort((a, b) => (priority.get(a.instanceId) ?? 0) - (priority.get(b.instanceId) ?? 0));
    const uncached = ended.filter((b) => !endedBatches.has(`${b.instanceId}@${b.status.lastUpdatedTime}`));
    const reads = new Set(uncached.slice(0, MAX_HISTORY_READS).map((b) => b.instanceId));
    await inParallel(
      ended.filter((b) => reads.has(b.instanceId) || !uncached.includes(b)),
      async (b) => void (b.activity = await activityOf(context, b.status)),
    );
    rows = fileRowsOf(manifest, batches, deadLetterPathOf);
    const matching = selected(rows);
    const page = matching.slice(offset, offset + top);

    // Loads in progress: their counts so far, from the checkpoint this run's load keeps beside its dead letters.
    const { lake, lakeContainer } = deps();
    await inParallel(
      page.filter((r) => r.state === 'loading' || r.state === 'retrying'),
      async (row) => {
        if (!run) return;
        try {
          const checkpoint = await readCheckpoint(lake, checkpointPath(run, row.index));
          if (!checkpoint || checkpoint.runId !== runId || checkpoint.complete) return;
          const totals = checkpoint.totals;
          row.items = {
            read: totals.linesRead,
            written: totals.written,
            deleted: totals.deleted,
            deadLettered: totals.deadLettered,
          };
          row.requestCharge = Math.round(totals.requestCharge * 100) / 100;
          row.live = true;
          if (totals.deadLettered > 0) row.deadLetters = deadLetterPathOf(row.index);
        } catch {
          // No checkpoint yet, or the lake is busy: the row shows no counts this time.
        }
      },
    );

    const withDeadLetters = rows.filter((r) => r.deadLetters);
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      jsonBody: {
        instanceId,
        runtimeStatus: status.runtimeStatus,
        source: migration.source,
        target: { database: migration.target.database, container: migration.target.container },
        lake: { container: lakeContainer, folder, deadLetters: run ? `${run}/deadletter/` : null },
        manifestKnown: manifest !== undefined,
        totals: countByState(rows),
        itemsInFailedFiles: rows.filter((r) => r.state === 'failed').reduce((sum, r) => sum + r.itemCount, 0),
        deadLetters: {
          files: withDeadLetters.length,
          items: withDeadLetters.reduce((sum, r) => sum + (r.items?.deadLettered ?? 0), 0),
          list: withDeadLetters
            .slice(0, 100)
            .map((r) => ({ index: r.index, key: r.key, count: r.items?.deadLettered ?? 0, path: r.deadLetters })),
        },
        state: states ?? 'all',
        offset,
        top,
        nextOffset: offset + top < matching.length ? offset + top : null,
        files: page,
      },
    };
  };
}
