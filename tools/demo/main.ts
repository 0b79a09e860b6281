#!/usr/bin/env node
import { S3Client } from '@aws-sdk/client-s3';
import { Command, InvalidArgumentError } from 'commander';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getMigration, startMigration } from '../../src/cli/api-client';
import { formatReport } from '../../src/cli/print-report';
import { watchMigration } from '../../src/cli/watch';
import { ensureLocalStack, LOCAL_TASK_HUB, s3ClientConfigFromSettings } from '../localstack';
import { buildFullExport, ExportFormat } from '../sample/build-export';
import { uploadExport } from '../sample/upload-export';
import { withLocalRunThroughput } from '../localstack/strict-cosmos/options';
import { HostProcess, startHostProcess } from '../localstack/host-process';

/** `--format`: `json` (the default) or `ion`; DynamoDB's own names DYNAMODB_JSON and ION are accepted too. */
function parseFormat(value: string): ExportFormat | 'json' {
  const name = value.toUpperCase();
  if (name === 'JSON' || name === 'DYNAMODB_JSON') return 'json';
  if (name === 'ION') return 'ION';
  throw new InvalidArgumentError('must be json or ion');
}

/**
 * `npm run demo`: the whole product on the local stack. Reuses emulators and a host that are already
 * running (`npm start`), otherwise starts them and stops them again at the end. `--format ion` migrates the
 * sample table exported as Amazon Ion instead of DynamoDB JSON.
 */
async function main(): Promise<number> {
  const opts = new Command('demo')
    .option('--items <n>', 'items in the sample export', (v) => Number(v), 100_000)
    .option('--files <n>', 'data files holding items (one more, empty, is added)', (v) => Number(v), 8)
    .option('--port <port>', 'Functions host port', (v) => Number(v), 7071)
    .option(
      '--format <format>',
      'format of the sample export: json (DynamoDB JSON) or ion (Amazon Ion)',
      parseFormat,
      'json',
    )
    .option('--keep', 'leave the stack running afterwards')
    .parse()
    .opts<{ items: number; files: number; port: number; format: ExportFormat | 'json'; keep?: boolean }>();
  const format: ExportFormat = opts.format === 'json' ? 'DYNAMODB_JSON' : opts.format;

  const appDir = resolve(__dirname, '../../..');
  const stateDir = join(appDir, '.local');
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  const say = (text: string): void => void process.stdout.write(`${text}\n`);

  say('Starting the local stack (Azurite, S3-compatible server, Cosmos DB server)…');
  const stack = await ensureLocalStack({ stateDir, quiet: true, cosmos: withLocalRunThroughput() });
  const env = { ...stack.settings, DURABLE_TASK_HUB: LOCAL_TASK_HUB } as Record<string, string>;
  Object.assign(process.env, env);

  const url = `http://127.0.0.1:${opts.port}`;
  let host: HostProcess | undefined;
  const running = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1500) }).then(
    () => true,
    () => false,
  );
  if (!running) {
    say(`Starting the Functions host on ${url}…`);
    host = await startHostProcess({
      appDir,
      port: opts.port,
      stateDir: join(stateDir, 'durable'),
      env,
      logFile: join(stateDir, 'logs', 'host.log'),
    });
  }

  try {
    say(`Generating a sample export: ${opts.items} items in ${opts.files} files, ${format}…`);
    const generated = buildFullExport({
      prefix: 'exports/orders',
      itemCount: opts.items,
      fileCount: opts.files,
      seed: 42,
      format,
    });
    const bucket = 'demo-exports';
    await uploadExport(new S3Client(s3ClientConfigFromSettings(stack.settings)), bucket, generated);
    say(`Uploaded to s3://${bucket}/${generated.exportPrefix}/`);

    const api = { baseUrl: url };
    const started = await startMigration(api, {
      source: { bucket, exportPrefix: generated.exportPrefix },
      keySchema: { partitionKey: 'pk', sortKey: 'sk' },
      target: { database: 'demo', container: 'orders' },
    });
    say(`Migration ${started.id} started; status: ${started.statusQueryGetUri}`);
    // The local host asks for no function key; against Azure the page wants `?code=<function key>`.
    say(`Dashboard: ${url}/api/dashboard#/migrations/${encodeURIComponent(started.id)}`);
    const status = await watchMigration(api, started.id);
    const final = status.output === null ? await getMigration(api, started.id) : status;
    say('');
    say(formatReport(final.runtimeStatus, final.output));
    const passed =
      final.runtimeStatus === 'Completed' &&
      (final.output as { validation?: { passed?: boolean } }).validation?.passed === true;
    return passed ? 0 : 2;
  } finally {
    if (!opts.keep) {
      await host?.stop();
      await stack.stop();
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  },
);
