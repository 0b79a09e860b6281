import { errorCodeOf, userMessageOf } from '../../src/errors';
import { ErrorInfo } from '../../src/errors';
import { ManifestFile, Names } from '../../src/migration/contracts';
import { transientRetry } from '../../orchestrators/retry-policy';

/**
 * Pure: what became of each data file of a migration, put together from what Durable already keeps — the
 * manifest (the readManifest result in the migration's history, until it continues as new), the lanes (input:
 * their files, the files they are working on and a record of each file finished before their last continue-as-new;
 * output: a record of every file) and, for files finished since and files in progress, each lane's own history of
 * copyFile/loadFile calls. Nothing here does I/O; migration-files.ts fetches.
 */

export type FileState = 'pending' | 'copying' | 'loading' | 'retrying' | 'loaded' | 'failed';

export interface FileRow {
  index: number;
  key: string;
  itemCount: number;
  state: FileState;
  /** The lane that has the file; null while none has been started for it. */
  lane: string | null;
  items: { read: number; written: number; deleted: number; deadLettered: number } | null;
  /** `items` come from the running load's last checkpoint (a few seconds old), not from a result. */
  live: boolean;
  requestCharge: number | null;
  /** Tries of the step the file is at or ended at (copy, else load), continuations from a checkpoint not counted. */
  attempts: number | null;
  /** Activity runs: copies, and loads including each continuation after a time budget. */
  runs: { copy: number; load: number } | null;
  error: { code: string; message: string } | null;
  /** Where the file's dead letters are in the lake, when it has any. */
  deadLetters: string | null;
}

/** A history event as the Durable HTTP API shows it (protocol §6): scheduling merged into its completion. */
export type HistoryEventView = Record<string, unknown>;

function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function eventType(event: HistoryEventView): string {
  return String(event.EventType);
}

function functionName(event: HistoryEventView): string | undefined {
  const name = event.FunctionName ?? event.Name;
  return typeof name === 'string' ? name : undefined;
}

/** The manifest's files, from the readManifest result in the migration's own history; undefined before it. */
export function manifestFilesOf(history: HistoryEventView[]): ManifestFile[] | undefined {
  for (const event of history) {
    if (eventType(event) !== 'TaskCompleted' || functionName(event) !== Names.readManifest) continue;
    const result = parsed(event.Result) as { ok?: boolean; files?: ManifestFile[] } | undefined;
    if (result?.ok && Array.isArray(result.files)) return result.files;
  }
  return undefined;
}

/**
 * A failed attempt as the page may show it: `[CODE] message` from the code on, one line. A failure without the
 * project's code (Durable's text, perhaps a stack trace) is not shown: its details are in the app's log.
 */
export function attemptError(event: HistoryEventView): { code: string; message: string } {
  const details = event.FailureDetails as { ErrorMessage?: unknown } | undefined;
  const text = String(event.Reason ?? details?.ErrorMessage ?? '');
  const code = errorCodeOf(text);
  if (code) return { code, message: userMessageOf(text) };
  return { code: 'TRANSIENT', message: 'an attempt failed without an error code; its details are in the app log' };
}

interface StepRuns {
  runs: number;
  failed: number;
  /** Completed loads that stopped at their time budget (`complete: false`): continued, not retried. */
  continued: number;
  /** A run is scheduled and not finished. */
  running: boolean;
  /** The last event of the step was a failed attempt (a retry is waiting), with its error. */
  lastError?: { code: string; message: string };
  /** The last completed run's result. */
  result?: Record<string, unknown>;
}

export interface FileActivity {
  copy: StepRuns;
  load: StepRuns;
}

const newRuns = (): StepRuns => ({ runs: 0, failed: 0, continued: 0, running: false });

/** Per file index: the copyFile and loadFile runs in one lane's history (its current execution). */
export function fileActivityOf(history: HistoryEventView[]): Map<number, FileActivity> {
  const files = new Map<number, FileActivity>();
  for (const event of history) {
    const type = eventType(event);
    if (type !== 'TaskScheduled' && type !== 'TaskCompleted' && type !== 'TaskFailed') continue;
    const name = functionName(event);
    if (name !== Names.copyFile && name !== Names.loadFile) continue;
    // An activity's input: the value, or (the legacy out-of-process protocol) a one-element array holding it.
    const raw = parsed(event.Input);
    const input = (Array.isArray(raw) && raw.length === 1 ? raw[0] : raw) as { file?: { index?: unknown } } | undefined;
    const index = input?.file?.index;
    if (typeof index !== 'number') continue;
    let activity = files.get(index);
    if (!activity) files.set(index, (activity = { copy: newRuns(), load: newRuns() }));
    const step = name === Names.copyFile ? activity.copy : activity.load;
    step.runs++;
    step.running = type === 'TaskScheduled';
    if (type === 'TaskFailed') {
      step.failed++;
      step.lastError = attemptError(event);
    } else if (type === 'TaskCompleted') {
      step.lastError = undefined;
      const result = parsed(event.Result) as Record<string, unknown> | undefined;
      step.result = result;
      if (name === Names.loadFile && result?.ok === true && result.complete === false) step.continued++;
    }
  }
  return files;
}

function attemptsOf(activity: FileActivity): number {
  const step = activity.load.runs > 0 ? activity.load : activity.copy;
  return step.runs - step.continued;
}

function itemsOf(load: {
  linesRead: number;
  written: number;
  deleted: number;
  deadLettered: number;
}): NonNullable<FileRow['items']> {
  return { read: load.linesRead, written: load.written, deleted: load.deleted, deadLettered: load.deadLettered };
}

/** What became of a finished file, as a lane records it. */
export interface FileRecordView {
  index: number;
  load?: { linesRead: number; written: number; deleted: number; deadLettered: number; requestCharge: number };
  error?: ErrorInfo;
  attempts?: number;
  runs?: { copy: number; load: number };
}

export interface LaneView {
  instanceId: string;
  runtimeStatus: string;
  files: { index: number; key: string; itemCount: number }[];
  /** Files finished: all of them once the lane completed, else those finished before its last continue-as-new. */
  records?: FileRecordView[];
  /** Files the running lane is working on: copied (so loading) or not, waiting to try again or not. */
  working?: Map<number, { copied: boolean; retrying: boolean; failedTries: number }>;
  /** Copy and load runs from its history, when read. */
  activity?: Map<number, FileActivity>;
}

/** A row for each file: the manifest's files (or, once the migration has continued as new, the lanes' files). */
export function fileRowsOf(
  manifest: Pick<ManifestFile, 'index' | 'key' | 'itemCount'>[] | undefined,
  lanes: LaneView[],
  deadLetterPathOf: (index: number) => string | null,
): FileRow[] {
  const rows = new Map<number, FileRow>();
  const base = (file: { index: number; key: string; itemCount: number }): FileRow => ({
    index: file.index,
    key: file.key,
    itemCount: file.itemCount,
    state: 'pending',
    lane: null,
    items: null,
    live: false,
    requestCharge: null,
    attempts: null,
    runs: null,
    error: null,
    deadLetters: null,
  });
  for (const file of manifest ?? []) rows.set(file.index, base(file));

  for (const lane of lanes) {
    const records = new Map((lane.records ?? []).map((r) => [r.index, r]));
    for (const file of lane.files) {
      const row = rows.get(file.index) ?? base(file);
      rows.set(file.index, row);
      row.lane = lane.instanceId;
      const activity = lane.activity?.get(file.index);
      if (activity) {
        row.attempts = attemptsOf(activity);
        row.runs = { copy: activity.copy.runs, load: activity.load.runs };
      }
      const record = records.get(file.index);
      if (record) {
        applyRecord(row, record, deadLetterPathOf);
      } else if (lane.runtimeStatus === 'Completed') {
        row.state = 'failed';
        row.error = { code: 'BATCH_FAILED', message: `[BATCH_FAILED] ${lane.instanceId} has no record of it` };
      } else if (['Failed', 'Terminated', 'Canceled'].includes(lane.runtimeStatus)) {
        row.state = 'failed';
        row.error = {
          code: 'BATCH_FAILED',
          message: `[BATCH_FAILED] ${lane.instanceId} ended ${lane.runtimeStatus.toLowerCase()}; the migration's report names the cause`,
        };
      } else if (activity) {
        applyActivity(row, activity, deadLetterPathOf, lane.working?.get(file.index)?.failedTries ?? 0);
      } else {
        const work = lane.working?.get(file.index);
        if (work) {
          row.state = work.retrying ? 'retrying' : work.copied ? 'loading' : 'copying';
          row.attempts = work.failedTries + 1;
        }
      }
    }
  }
  return [...rows.values()].sort((a, b) => a.index - b.index);
}

function applyRecord(row: FileRow, record: FileRecordView, deadLetterPathOf: (index: number) => string | null): void {
  applyOutcome(row, record, deadLetterPathOf);
  if (record.attempts !== undefined) row.attempts = record.attempts;
  if (record.runs) row.runs = record.runs;
}

function applyOutcome(row: FileRow, outcome: FileRecordView, deadLetterPathOf: (index: number) => string | null): void {
  if (outcome.load) {
    row.items = itemsOf(outcome.load);
    row.requestCharge = Math.round(outcome.load.requestCharge * 100) / 100;
    if (outcome.load.deadLettered > 0) row.deadLetters = deadLetterPathOf(row.index);
  }
  if (outcome.error) {
    row.state = 'failed';
    row.error = { code: outcome.error.code, message: outcome.error.message };
  } else {
    row.state = outcome.load ? 'loaded' : 'failed';
    if (!outcome.load) row.error = { code: 'INTERNAL', message: '[INTERNAL] the file was neither loaded nor failed' };
  }
}

/** A file of a running lane: where its copy and load stand, from the lane's history. */
function applyActivity(
  row: FileRow,
  activity: FileActivity,
  deadLetterPathOf: (index: number) => string | null,
  /** Failed tries of the file's step before the lane's current execution. */
  failedBefore: number,
): void {
  const { copy, load } = activity;
  const copyResult = copy.result;
  if (copyResult?.ok === false) {
    row.state = 'failed';
    row.error = { code: String(copyResult.code), message: String(copyResult.message) };
    return;
  }
  const step = load.runs > 0 ? load : copy;
  const result = step.result;
  if (step === load && !load.running && result?.ok === false) {
    row.state = 'failed';
    row.error = { code: String(result.code), message: String(result.message) };
    return;
  }
  if (step === load && !load.running && result?.ok === true && result.complete === true) {
    const totals = result as unknown as Parameters<typeof itemsOf>[0] & { requestCharge: number };
    row.state = 'loaded';
    row.items = itemsOf(totals);
    row.requestCharge = Math.round(totals.requestCharge * 100) / 100;
    if (totals.deadLettered > 0) row.deadLetters = deadLetterPathOf(row.index);
    return;
  }
  // A failed attempt stays on the row while the next one runs: the operator sees why it is being retried.
  if (step.lastError) row.error = step.lastError;
  // The lane gives up after the retry policy's tries: the last failure is the file's.
  if (step.lastError && !step.running && failedBefore + step.failed >= transientRetry().maxNumberOfAttempts) {
    row.state = 'failed';
    return;
  }
  row.state = step.lastError && !step.running ? 'retrying' : step === load ? 'loading' : 'copying';
}

export const FILE_STATES: FileState[] = ['pending', 'copying', 'loading', 'retrying', 'loaded', 'failed'];

export function countByState(rows: FileRow[]): Record<FileState, number> & { total: number } {
  const counts = Object.fromEntries(FILE_STATES.map((s) => [s, 0])) as Record<FileState, number>;
  for (const row of rows) counts[row.state]++;
  return { total: rows.length, ...counts };
}
