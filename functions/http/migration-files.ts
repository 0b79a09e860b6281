import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ContainerClient } from '@azure/storage-blob';
import * as df from 'durable-functions';
import { checkpointPath, deadLetterPath, runFolder } from '../../src/lake/paths';
import { readCheckpoint } from '../../src/load/checkpoint';
import { Names } from '../../src/migration/contracts';
import { migrationRunId } from '../../src/migration/instance-id';
import { migrationFolderOf } from '../../src/migration/request-views';
import type { LaneInput, LaneOutput } from '../../orchestrators/lane-contracts';
import type { MigrateExportInput } from '../../orchestrators/migrate-export';
import { getInstanceWithHistory } from './durable-instances';
import {
  countByState,
  fileActivityOf,
  FileRow,
  fileRowsOf,
  FILE_STATES,
  FileState,
  LaneView,
  manifestFilesOf,
} from './file-states';

/** What the files endpoint needs from the app: the lake (running loads' checkpoints) and its container's name. */
export type MigrationFilesDependencies = () => { lake: ContainerClient; lakeContainer: string };

type ManifestRows = { index: number; key: string; itemCount: number }[];

const DEFAULT_TOP = 100;
const MAX_TOP = 1000;
/** Lanes read at once. */
const PARALLEL_READS = 6;
const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

/**
 * Small per-process caches of what does not change: a run's manifest (read from the migration's history before it
 * continues as new) and the view of a lane that has ended.
 */
const manifests = new Map<string, ManifestRows>();
const endedLanes = new Map<string, LaneView>();

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

/** The manifest's files from the migration's first execution (before its lanes start it continues as new). */
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

const fileRef = ({ index, key, itemCount }: { index: number; key: string; itemCount: number }) => ({
  index,
  key,
  itemCount,
});

/**
 * One lane as the grid needs it: a completed lane's output has a record of every file; a running one has, in its
 * input, the files it finished before its last continue-as-new, those it works on and those left, and in its
 * history the copy and load runs since.
 */
async function laneOf(context: InvocationContext, instanceId: string): Promise<LaneView | undefined> {
  const status = await getInstanceWithHistory(context, instanceId);
  if (!status) return undefined;
  const cacheKey = `${instanceId}@${status.lastUpdatedTime}`;
  const cached = endedLanes.get(cacheKey);
  if (cached) return cached;
  const { runtimeStatus } = status;
  if (runtimeStatus === 'Completed') {
    const records = (status.output as LaneOutput | null)?.records ?? [];
    const view: LaneView = { instanceId, runtimeStatus, files: records.map(fileRef), records };
    return remember(endedLanes, cacheKey, view, 256);
  }
  const input = status.input as LaneInput | null;
  const view: LaneView = {
    instanceId,
    runtimeStatus,
    files: [...(input?.records ?? []), ...(input?.active ?? []).map((w) => w.file), ...(input?.queue ?? [])].map(
      fileRef,
    ),
    records: input?.records ?? [],
    working: new Map(
      (input?.active ?? []).map((w) => [
        w.file.index,
        { copied: w.copy !== undefined, retrying: w.retryAt !== undefined, failedTries: w.failedTries },
      ]),
    ),
    activity: fileActivityOf(status.historyEvents ?? []),
  };
  return TERMINAL.has(runtimeStatus) ? remember(endedLanes, cacheKey, view, 256) : view;
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
    const { resume, ...migration } = status.input as MigrateExportInput;
    const progress = (status.customStatus ?? {}) as { startedAt?: string };
    const startedAt = resume?.startedAt ?? progress.startedAt;
    const runId = startedAt ? migrationRunId(instanceId, new Date(startedAt)) : undefined;
    let folder: string | null;
    try {
      folder = migrationFolderOf(migration);
    } catch {
      folder = null;
    }
    // A run's dead letters and checkpoints are in its own folder; without the run's start there is none to name.
    const run = folder && runId ? runFolder(folder, runId) : null;
    const deadLetterPathOf = (index: number): string | null => (run ? deadLetterPath(run, index) : null);

    const createdTime = new Date(status.createdTime).toISOString();
    const manifest = resume ? undefined : await manifestOf(context, instanceId, `${instanceId}@${createdTime}`);
    const lanes: LaneView[] = [];
    await inParallel(resume?.lanes ?? [], async (laneId) => {
      const lane = await laneOf(context, laneId);
      if (lane) lanes.push(lane);
    });
    lanes.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    const rows = fileRowsOf(manifest, lanes, deadLetterPathOf);
    const selected = (all: FileRow[]) => (states ? all.filter((r) => states.includes(r.state)) : all);
    // Ended batches' histories are read once (then cached), a few per request, failed files first: the first
    // look at a large finished migration stays quick, and the attempts fill in over the page's next refreshes.
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
        manifestKnown: manifest !== undefined || lanes.length > 0,
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
