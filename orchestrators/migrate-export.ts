import { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { ErrorInfo } from '../src/errors';
import {
  FileOutcome,
  MigrationReport,
  Names,
  PrepareTargetResult,
  ReadManifestResult,
  ValidationResult,
} from '../src/migration/contracts';
import { MigrationRequest } from '../src/migration/request';
import { planBatches } from './batching';
import { settleAll } from './fan-out';
import { buildReport } from './build-report';
import { publicFailure } from './failures';
import { addOutcomes, customStatusOf, newProgress, Progress } from './progress';
import { transientRetry } from './retry-policy';
import { withFullVerification } from './verify-step';

/** A failure's message carries its code once: a MigrationError's message already starts with it. */
function withCode({ code, message }: ErrorInfo): string {
  return message.startsWith(`[${code}]`) ? message : `[${code}] ${message}`;
}

/**
 * Migrates one DynamoDB export into one Cosmos container: read the manifest, prepare the container,
 * copy and load every data file in batches of sub-orchestrations, validate, write the report.
 * The report is the orchestration's output. Problems with the export as a whole fail the orchestration
 * with `[CODE] message` naming the file; problems with single files are in the report. Whatever fails, the
 * failure output is that one line: an error without a code becomes `[INTERNAL] … (correlation id …)`, and
 * Durable's details (a stack trace) stay in the log.
 */
export const migrateExport: OrchestrationHandler = function* (context: OrchestrationContext) {
  const request = context.df.getInput() as MigrationRequest;
  try {
    return yield* migrate(context, request);
  } catch (error) {
    const what = `migrating s3://${request.source.bucket}/${request.source.exportPrefix} into ${request.target.database}/${request.target.container}`;
    // No `cause`: the failure output is this one line; Durable's details (a stack trace) stay in the log.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(publicFailure(context, error, what).message);
  }
};

function* migrate(context: OrchestrationContext, request: MigrationRequest): Generator<Task, MigrationReport, unknown> {
  const startedAt = context.df.currentUtcDateTime;
  const elapsed = (): number => context.df.currentUtcDateTime.getTime() - startedAt.getTime();
  const publish = (phase: Parameters<typeof customStatusOf>[0], progress?: Progress, exportId?: string): void => {
    context.df.setCustomStatus(customStatusOf(phase, progress, exportId, elapsed(), context.df.currentUtcDateTime));
  };

  publish('reading-manifest');
  const manifest = (yield context.df.callActivityWithRetry(
    Names.readManifest,
    transientRetry(),
    request,
  )) as ReadManifestResult;
  if (!manifest.ok) throw new Error(withCode(manifest));
  const { summary, files } = manifest;

  publish('preparing-target', undefined, summary.exportId);
  const prepared = (yield context.df.callActivityWithRetry(
    Names.prepareTarget,
    transientRetry(),
    request,
  )) as PrepareTargetResult;
  if (!prepared.ok) throw new Error(withCode(prepared));

  const incremental = summary.exportType === 'INCREMENTAL_EXPORT';
  const progress = newProgress(files.length, summary.itemCount, prepared.ruCap);
  publish('loading', progress, summary.exportId);
  const plan = planBatches(files, request.options.sampleSize, request.options.maxParallelFiles);
  // Loads running at once: waves of `parallelBatches` sub-orchestrations, `filesPerBatch` files each.
  const parallelFiles = Math.max(1, Math.min(files.length, plan.parallelBatches * plan.filesPerBatch));
  for (let start = 0; start < plan.batches.length; start += plan.parallelBatches) {
    const wave = plan.batches.slice(start, start + plan.parallelBatches);
    yield* settleAll<FileOutcome[]>(
      context,
      wave.map((batch, i) =>
        context.df.callSubOrchestrator(
          Names.migrateFileBatch,
          {
            request,
            incremental,
            files: batch,
            filesPerBatch: plan.filesPerBatch,
            runId: `${context.df.instanceId}@${startedAt.toISOString()}`,
            parallelFiles,
          },
          `${context.df.instanceId}:batch-${start + i}`,
        ),
      ),
      (i, settled) => {
        if (settled.ok) addOutcomes(progress, settled.value);
        else {
          // A batch orchestration never fails on a file's account; if it failed anyway, its files count as failed.
          const failure = publicFailure(context, settled.error, `batch ${start + i} of the export`, 'BATCH_FAILED');
          const error: ErrorInfo =
            failure.code === 'BATCH_FAILED'
              ? failure
              : {
                  code: 'BATCH_FAILED',
                  message: `[BATCH_FAILED] batch ${start + i} of the export failed: ${failure.message}`,
                };
          addOutcomes(
            progress,
            wave[i].map((file) => ({ index: file.index, key: file.key, itemCount: file.itemCount, error })),
          );
        }
        publish('loading', progress, summary.exportId);
      },
    );
  }

  publish('validating', progress, summary.exportId);
  const validation = (yield context.df.callActivityWithRetry(Names.validateMigration, transientRetry(), {
    request,
    incremental,
    counts: progress.items,
    sampleFileIndexes: progress.sampleFileIndexes,
  })) as ValidationResult;
  // options.verify "full": the export's full verification joins the validation (verify-step.ts).
  const verified = yield* withFullVerification(context, request, startedAt, summary.exportId, incremental, validation);

  publish('reporting', progress, summary.exportId);
  const report: MigrationReport = buildReport({
    instanceId: context.df.instanceId,
    request,
    summary,
    progress,
    validation: verified,
    startedAt,
    finishedAt: context.df.currentUtcDateTime,
  });
  const written = (yield context.df.callActivityWithRetry(Names.writeReport, transientRetry(), {
    request,
    report,
  })) as MigrationReport;
  publish('done', progress, summary.exportId);
  return written;
}
