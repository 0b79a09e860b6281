#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ApiError, ApiOptions, getMigration, startMigration } from './api-client';
import { formatReport } from './print-report';
import { addStopCommand } from './stop';
import { addTableCommands } from './table-commands';
import { addVerifyCommands } from './verify-commands';
import { addTargetOptions, targetParts } from './target-options';
import { watchMigration } from './watch';

function apiOptions(command: Command): ApiOptions {
  const { url, key } = command.optsWithGlobals<{ url: string; key?: string }>();
  return { baseUrl: url, functionKey: key };
}

async function run(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    process.stderr.write(`${error instanceof ApiError ? error.message : String((error as Error).message ?? error)}\n`);
    process.exitCode = 1;
  }
}

const program = new Command('ddb2cosmos')
  .description('Start and watch DynamoDB → Cosmos DB migrations on a running app (local or in Azure)')
  .addOption(
    new Option('--url <url>', 'base URL of the function app').env('DDB2COSMOS_URL').default('http://127.0.0.1:7071'),
  )
  .addOption(
    new Option('--key <functionKey>', 'function key of the app (not needed locally)').env('DDB2COSMOS_FUNCTION_KEY'),
  );

const start = program
  .command('start')
  .description('start migrating one export into one container')
  .requiredOption('--bucket <bucket>', 'S3 bucket holding the export')
  .requiredOption('--export-prefix <prefix>', 'folder of the export: …/AWSDynamoDB/<ExportId>');
addTargetOptions(start)
  .option('--no-watch', 'return after starting instead of showing progress')
  .action((opts, command: Command) =>
    run(async () => {
      const api = apiOptions(command);
      const started = await startMigration(api, {
        source: { bucket: opts.bucket, exportPrefix: opts.exportPrefix },
        ...targetParts(opts),
      });
      process.stdout.write(`started ${started.id}\n`);
      if (!opts.watch) return 0;
      const status = await watchMigration(api, started.id);
      process.stdout.write(`${formatReport(status.runtimeStatus, status.output)}\n`);
      return status.runtimeStatus === 'Completed' &&
        (status.output as { validation?: { passed?: boolean } }).validation?.passed
        ? 0
        : 2;
    }),
  );

program
  .command('watch <id>')
  .description('show a progress bar until the migration ends, then its report')
  .action((id: string, _opts, command: Command) =>
    run(async () => {
      const status = await watchMigration(apiOptions(command), id);
      process.stdout.write(`${formatReport(status.runtimeStatus, status.output)}\n`);
      return status.runtimeStatus === 'Completed' ? 0 : 2;
    }),
  );

program
  .command('status <id>')
  .description('print the status and progress as JSON')
  .action((id: string, _opts, command: Command) =>
    run(async () => {
      const status = await getMigration(apiOptions(command), id);
      const { output: _output, ...rest } = status;
      process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
      return 0;
    }),
  );

program
  .command('report <id>')
  .description('print the report of a finished migration (--json for the full report)')
  .option('--json', 'print the full JSON report')
  .action((id: string, opts: { json?: boolean }, command: Command) =>
    run(async () => {
      const status = await getMigration(apiOptions(command), id);
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(status.output, null, 2)}\n`
          : `${formatReport(status.runtimeStatus, status.output)}\n`,
      );
      return status.runtimeStatus === 'Completed' ? 0 : 2;
    }),
  );

addStopCommand(program, apiOptions, run);
addTableCommands(program, apiOptions, run);
addVerifyCommands(program, apiOptions, run);

void program.parseAsync(process.argv);
