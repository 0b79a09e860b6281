import { Command } from 'commander';
import type { CutoverCheck } from '../sync/cutover';
import { ApiOptions, expectStatus } from './api-client';
import { formatCutover } from './format-cutover';
import { addTargetOptions, targetParts } from './target-options';

interface LedgerView {
  status: { state: string; reason?: string };
  reachedTime?: string;
  exports: {
    exportId: string;
    exportType: string;
    exportTime?: string;
    fromTime?: string;
    toTime?: string;
    state: string;
    attempts: number;
    reason?: string;
    warning?: string;
  }[];
}

/** The ledger as a few readable lines: state, point reached, one line per export. */
function formatLedger(name: string, ledger: LedgerView): string {
  const lines = [
    `${name}: ${ledger.status.state}${ledger.status.reason ? ` (${ledger.status.reason})` : ''}`,
    `  reached ${ledger.reachedTime ?? '-'}`,
  ];
  for (const e of ledger.exports) {
    const when = e.exportType === 'FULL_EXPORT' ? `full at ${e.exportTime}` : `incremental ${e.fromTime} → ${e.toTime}`;
    const note = e.reason ?? e.warning;
    lines.push(
      `  ${e.exportId}  ${when}  ${e.state}${e.attempts > 1 ? ` (attempt ${e.attempts})` : ''}${note ? `: ${note}` : ''}`,
    );
  }
  return lines.join('\n');
}

type Run = (action: () => Promise<number>) => Promise<void>;

/** `ddb2cosmos table …`: register a table for sync, show its ledger, list, sync now, remove. */
export function addTableCommands(program: Command, apiOptions: (command: Command) => ApiOptions, run: Run): void {
  const table = program.command('table').description('keep a table in sync from its exports until cut-over');
  const path = (name: string): string => `api/tables/${encodeURIComponent(name)}`;

  const register = table
    .command('register <name>')
    .description('register (or update) a table: its exports prefix in S3 and its target container')
    .requiredOption('--bucket <bucket>', 'S3 bucket the exports are written to')
    .option('--exports-prefix <prefix>', 'the S3Prefix of the exports (they sit under <prefix>/AWSDynamoDB/)', '');
  addTargetOptions(register)
    .option('--allow-gaps', 'apply an incremental export even after a gap in the chain (recorded as a warning)')
    .action((name: string, opts, command: Command) =>
      run(async () => {
        const body = {
          source: { bucket: opts.bucket, exportsPrefix: opts.exportsPrefix },
          ...targetParts(opts, { allowGaps: opts.allowGaps }),
        };
        await expectStatus(apiOptions(command), 'PUT', path(name), [200, 201], body);
        process.stdout.write(`registered ${name}; the timer syncs it, or run: ddb2cosmos table sync ${name}\n`);
        return 0;
      }),
    );

  table
    .command('show <name>')
    .description("the table's sync state and every export seen (--json for everything)")
    .option('--json', 'print the registration, ledger and sync instance as JSON')
    .action((name: string, opts: { json?: boolean }, command: Command) =>
      run(async () => {
        const body = (await expectStatus(apiOptions(command), 'GET', path(name), [200])) as { ledger: LedgerView };
        process.stdout.write(`${opts.json ? JSON.stringify(body, null, 2) : formatLedger(name, body.ledger)}\n`);
        return 0;
      }),
    );

  table
    .command('list')
    .description('registered tables and their sync state')
    .action((_opts, command: Command) =>
      run(async () => {
        const body = (await expectStatus(apiOptions(command), 'GET', 'api/tables', [200])) as {
          tables: {
            name: string;
            status: { state: string };
            applied: number;
            exports: number;
            reachedTime: string | null;
          }[];
        };
        for (const t of body.tables)
          process.stdout.write(
            `${t.name}  ${t.status.state}  ${t.applied}/${t.exports} applied  reached ${t.reachedTime ?? '-'}\n`,
          );
        return 0;
      }),
    );

  table
    .command('sync <name>')
    .description('run the table sync now')
    .action((name: string, _opts, command: Command) =>
      run(async () => {
        const body = (await expectStatus(apiOptions(command), 'POST', `${path(name)}/sync`, [202])) as { id: string };
        process.stdout.write(`started ${body.id}; follow it with: ddb2cosmos table show ${name}\n`);
        return 0;
      }),
    );

  table
    .command('cutover <name>')
    .description('whether the container is ready to take over from the table; exit code 0 when it is, 2 when not')
    .option('--max-lag-minutes <minutes>', 'not ready when the point reached is older than this')
    .option('--json', 'print the whole answer as JSON')
    .action((name: string, opts: { maxLagMinutes?: string; json?: boolean }, command: Command) =>
      run(async () => {
        const query =
          opts.maxLagMinutes !== undefined ? `?maxLagMinutes=${encodeURIComponent(opts.maxLagMinutes)}` : '';
        const check = (await expectStatus(
          apiOptions(command),
          'GET',
          `${path(name)}/cutover${query}`,
          [200],
        )) as CutoverCheck;
        process.stdout.write(`${opts.json ? JSON.stringify(check, null, 2) : formatCutover(check)}\n`);
        return check.ready ? 0 : 2;
      }),
    );

  table
    .command('remove <name>')
    .description('forget the table (registration and ledger); the container is left as it is')
    .action((name: string, _opts, command: Command) =>
      run(async () => {
        await expectStatus(apiOptions(command), 'DELETE', path(name), [204]);
        process.stdout.write(`removed ${name}\n`);
        return 0;
      }),
    );
}
