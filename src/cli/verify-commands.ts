import { Command } from 'commander';
import type { VerificationCounts, VerifyStatus } from '../verify/types';
import { ApiOptions, expectStatus, getMigration, MigrationStatus } from './api-client';

type Run = (action: () => Promise<number>) => Promise<void>;

const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

type VerifyProgress = Partial<VerifyStatus>;

interface VerificationView extends VerificationCounts {
  passed: boolean;
  missing: { id: string; partitionKey?: unknown }[];
  unexpected: { id: string; partitionKey?: unknown }[];
  differing: { id: string; partitionKey?: unknown; differences: { path: string }[] }[];
  requestCharge?: number;
  durationMs?: number;
  report?: string;
}

/** One line of a verification's progress (a migration's own phases are shown as they are). */
export function formatVerifyProgress(runtimeStatus: string, progress: unknown): string {
  const p = (progress ?? {}) as VerifyProgress;
  const parts = [`${runtimeStatus}: ${p.phase ?? '-'}`];
  if (p.expectedFiles) parts.push(`export files ${p.expectedFiles.done}/${p.expectedFiles.total}`);
  if (p.ranges) parts.push(`feed ranges ${p.ranges.done}/${p.ranges.total}`);
  if (p.buckets !== undefined) parts.push(`buckets ${p.bucketsChecked ?? 0}/${p.buckets}`);
  if (p.expectedRecords !== undefined) parts.push(`${p.expectedRecords} export records`);
  if (p.containerDocuments !== undefined) parts.push(`${p.containerDocuments} documents`);
  if (p.requestCharge !== undefined) parts.push(`${p.requestCharge} RU`);
  return parts.join(', ');
}

const named = (ref: { id: string; partitionKey?: unknown }): string =>
  ref.partitionKey === undefined ? ref.id : `${ref.id} (partition key ${JSON.stringify(ref.partitionKey)})`;

/** A verification's result as readable lines: the verdict, the counts, then the ids of each kind. */
export function formatVerification(v: VerificationView): string {
  const lines = [
    `verification ${v.passed ? 'PASSED' : 'FAILED'}: ${v.matched} of ${v.expected} expected documents match; the container holds ${v.actual}`,
    `  missing ${v.missingCount}, unexpected ${v.unexpectedCount}, differing ${v.differingCount}` +
      (v.requestCharge !== undefined ? `; ${v.requestCharge} RU` : '') +
      (v.durationMs !== undefined ? `, ${Math.round(v.durationMs / 1000)} s` : ''),
  ];
  for (const ref of v.missing) lines.push(`  missing     ${named(ref)}`);
  for (const ref of v.unexpected) lines.push(`  unexpected  ${named(ref)}`);
  for (const d of v.differing)
    lines.push(`  differing   ${named(d)}: ${d.differences.map((x) => x.path || '(document)').join(', ')}`);
  const shown = v.missing.length + v.unexpected.length + v.differing.length;
  if (shown < v.missingCount + v.unexpectedCount + v.differingCount) lines.push('  (lists capped; see the report)');
  if (v.report) lines.push(`  report: ${v.report}`);
  return lines.join('\n');
}

/** The verification in an instance's output: a verification's own, or a migration report's. */
export function verificationOf(output: unknown): VerificationView | undefined {
  const o = output as { validation?: { verification?: VerificationView }; matched?: number } | null;
  if (!o || typeof o !== 'object') return undefined;
  if (o.validation?.verification) return o.validation.verification;
  return typeof o.matched === 'number' ? (o as unknown as VerificationView) : undefined;
}

/** Polls an instance until it ends, printing its progress when it changes. */
async function watch(api: ApiOptions, id: string, intervalMs = 1000): Promise<MigrationStatus> {
  let last = '';
  for (;;) {
    const status = await getMigration(api, id);
    const line = formatVerifyProgress(status.runtimeStatus, status.progress);
    if (line !== last) process.stdout.write(`${line}\n`);
    last = line;
    if (TERMINAL.has(status.runtimeStatus)) return status;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function showResult(api: ApiOptions, id: string): Promise<number> {
  const status = await watch(api, id);
  const verification = verificationOf(status.output);
  if (!verification) {
    process.stdout.write(
      status.runtimeStatus === 'Completed'
        ? `${id} has no full verification (start the migration with --verify full)\n`
        : `${id} ended ${status.runtimeStatus}: ${String(status.output)}\n`,
    );
    return 2;
  }
  process.stdout.write(`${formatVerification(verification)}\n`);
  return verification.passed ? 0 : 2;
}

/**
 * `ddb2cosmos verify <instance-id>`: follows a migration started with `--verify full` (or a table's verification)
 * and prints its verification. `ddb2cosmos table verify <name>` starts a synced table's and does the same.
 */
export function addVerifyCommands(program: Command, apiOptions: (command: Command) => ApiOptions, run: Run): void {
  program
    .command('verify <id>')
    .description("follow a migration started with --verify full (or a table's verification) and print its result")
    .action((id: string, _opts, command: Command) => run(() => showResult(apiOptions(command), id)));

  const table = program.commands.find((c) => c.name() === 'table');
  if (!table) return;
  table
    .command('verify <name>')
    .description('compare every document the applied exports expect with the container; progress, then the result')
    .option('--no-watch', 'return after starting instead of showing progress')
    .action((name: string, opts: { watch: boolean }, command: Command) =>
      run(async () => {
        const api = apiOptions(command);
        const body = (await expectStatus(api, 'POST', `api/tables/${encodeURIComponent(name)}/verify`, [202])) as {
          id: string;
        };
        process.stdout.write(`started ${body.id}\n`);
        return opts.watch ? showResult(api, body.id) : 0;
      }),
    );
}
