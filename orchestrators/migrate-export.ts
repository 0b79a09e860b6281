import { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { ErrorInfo } from '../src/errors';
import {
  MigrationReport,
  Names,
  PrepareTargetResult,
  ReadManifestResult,
  ValidationResult,
} from '../src/migration/contracts';
import { childInstanceId, migrationRunId } from '../src/migration/instance-id';
import { MigrationRequest } from '../src/migration/request';
import { buildReport } from './build-report';
import { publicFailure } from './failures';
import { LaneInput, StartLanesInput } from './lane-contracts';
import { planLanes } from './lanes';
import { EVENTS_PER_EXECUTION, EVENTS_PER_TASK, HISTORY_BUDGET } from './migrate-lane';
import { customStatusOf, newProgress, Progress } from './progress';
import { endedTotals, ParentState, pollLanes } from './poll-lanes';
import { transientRetry } from './retry-policy';
import { withFullVerification } from './verify-step';

/**
 * History the steps after the lanes may take: three tasks (validation, the verification, the report), each with up
 * to five tries and the timers between them, four events apiece.
 */
const TAIL_EVENTS = 3 * (5 + 4) * EVENTS_PER_TASK;

/** The orchestration's input: the request, and after the first continue-as-new the state it carries. */
export type MigrateExportInput = MigrationRequest & { resume?: ParentState };

/** A failure's message carries its code once: a MigrationError's message already starts with it. */
function withCode({ code, message }: ErrorInfo): string {
  return message.startsWith(`[${code}]`) ? message : `[${code}] ${message}`;
}

/** The id of lane `n` of the run that started at `startedAt`: a restarted run never meets an old run's lanes. */
export function laneInstanceId(instanceId: string, startedAt: Date, lane: number): string {
  return childInstanceId(instanceId, startedAt, `lane-${lane}`);
}

/**
 * Migrates one DynamoDB export into one Cosmos container: read the manifest, prepare the container, start
 * `maxParallelFiles` lanes that copy and load the files (migrate-lane.ts), watch them until they end, validate,
 * write the report. The report is the orchestration's output. Problems with the export as a whole fail the
 * orchestration with `[CODE] message` naming the file; problems with single files are in the report. Whatever
 * fails, the failure output is that one line: an error without a code becomes `[INTERNAL] … (correlation id …)`,
 * and Durable's details (a stack trace) stay in the log.
 *
 * Its history stays short at any number of files: once the lanes are started it continues as new (the manifest
 * and the lanes' inputs leave its history), and watching continues as new again before HISTORY_BUDGET events.
 */
export const migrateExport: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { resume, ...request } = context.df.getInput() as MigrateExportInput;
  try {
    if (!resume) return yield* start(context, request);
    return yield* watch(context, request, resume);
  } catch (error) {
    const what = `migrating s3://${request.source.bucket}/${request.source.exportPrefix} into ${request.target.database}/${request.target.container}`;
    // No `cause`: the failure output is this one line; Durable's details (a stack trace) stay in the log.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(publicFailure(context, error, what).message);
  }
};

function* start(context: OrchestrationContext, request: MigrationRequest): Generator<Task, undefined, unknown> {
  const startedAt = context.df.currentUtcDateTime;
  const publish = (phase: Parameters<typeof customStatusOf>[0], exportId?: string): void => {
    context.df.setCustomStatus(customStatusOf(phase, undefined, exportId, 0, context.df.currentUtcDateTime));
  };

  publish('reading-manifest');
  const manifest = (yield context.df.callActivityWithRetry(
    Names.readManifest,
    transientRetry(),
    request,
  )) as ReadManifestResult;
  if (!manifest.ok) throw new Error(withCode(manifest));
  const { summary, files } = manifest;

  publish('preparing-target', summary.exportId);
  const prepared = (yield context.df.callActivityWithRetry(
    Names.prepareTarget,
    transientRetry(),
    request,
  )) as PrepareTargetResult;
  if (!prepared.ok) throw new Error(withCode(prepared));

  const incremental = summary.exportType === 'INCREMENTAL_EXPORT';
  const runId = migrationRunId(context.df.instanceId, startedAt);
  const shares = planLanes(files, request.options.sampleSize, request.options.maxParallelFiles);
  const lanes: StartLanesInput['lanes'] = shares.map((queue, lane) => ({
    instanceId: laneInstanceId(context.df.instanceId, startedAt, lane),
    input: {
      request,
      incremental,
      runId,
      parallelFiles: shares.length,
      lane,
      queue,
      active: [],
      progress: newProgress(0, 0),
      records: [],
      generation: 0,
      parent: context.df.instanceId,
    } satisfies LaneInput,
  }));
  const state: ParentState = {
    startedAt: startedAt.toISOString(),
    summary,
    incremental,
    lanes: lanes.map((l) => l.instanceId),
    expected: { files: files.length, items: summary.itemCount, ruCap: prepared.ruCap },
    ended: {},
    samples: [],
    polls: 0,
  };
  const progress = endedTotals(state);
  context.df.setCustomStatus(customStatusOf('loading', progress, summary.exportId, 0, context.df.currentUtcDateTime));
  state.samples = progress.samples ?? [];
  if (lanes.length > 0) {
    // The lanes are orchestrations of their own, started by an activity: the migration polls their statuses
    // instead of waiting on them, so it can show each file as it ends and continue as new while they run.
    yield context.df.callActivityWithRetry(Names.startLanes, transientRetry(), { lanes } satisfies StartLanesInput);
  }
  context.df.continueAsNew({ ...request, resume: state } satisfies MigrateExportInput);
  return undefined;
}

function* watch(
  context: OrchestrationContext,
  request: MigrationRequest,
  state: ParentState,
): Generator<Task, MigrationReport | undefined, unknown> {
  const startedAt = new Date(state.startedAt);
  const exportId = state.summary.exportId;
  const publish = (phase: Parameters<typeof customStatusOf>[0], progress: Progress): void => {
    progress.samples = state.samples;
    const elapsed = context.df.currentUtcDateTime.getTime() - startedAt.getTime();
    context.df.setCustomStatus(customStatusOf(phase, progress, exportId, elapsed, context.df.currentUtcDateTime));
    state.samples = progress.samples;
  };

  const budget = { events: EVENTS_PER_EXECUTION, limit: HISTORY_BUDGET, perTask: EVENTS_PER_TASK };
  const done = yield* pollLanes(context, request, state, budget, (progress) => publish('loading', progress));
  // The steps after the lanes (validation, the full verification, the report, with their retries) start on a
  // fresh history when this one has not room for them.
  if (!done || budget.events > HISTORY_BUDGET - TAIL_EVENTS) {
    context.df.continueAsNew({ ...request, resume: state } satisfies MigrateExportInput);
    return undefined;
  }

  const progress = endedTotals(state);
  publish('validating', progress);
  const runId = migrationRunId(context.df.instanceId, startedAt);
  const validation = (yield context.df.callActivityWithRetry(Names.validateMigration, transientRetry(), {
    request,
    incremental: state.incremental,
    counts: progress.items,
    sampleFileIndexes: progress.sampleFileIndexes,
    runId,
  })) as ValidationResult;
  // options.verify "full": the export's full verification joins the validation (verify-step.ts).
  const verified = yield* withFullVerification(
    context,
    request,
    startedAt,
    state.summary.exportId,
    state.incremental,
    validation,
  );

  publish('reporting', progress);
  const report: MigrationReport = buildReport({
    instanceId: context.df.instanceId,
    request,
    summary: state.summary,
    progress,
    validation: verified,
    startedAt,
    finishedAt: context.df.currentUtcDateTime,
  });
  const written = (yield context.df.callActivityWithRetry(Names.writeReport, transientRetry(), {
    request,
    report,
  })) as MigrationReport;
  publish('done', progress);
  return written;
}
