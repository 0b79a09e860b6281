#!/usr/bin/env node
import { S3Client } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import { s3ClientConfigFromSettings } from '../localstack/s3-client-config';
import { endpointsFor, settingsFor } from '../localstack/settings';
import { DEFAULT_PORTS } from '../localstack/constants';
import { buildFullExport } from './build-export';
import { uploadExport } from './upload-export';

/**
 * `npm run sample`: puts a generated DynamoDB export into the local S3 server of a running stack (`npm start`) and
 * prints the bucket and export prefix, so a migration can be started with the CLI as it would be against AWS.
 */
async function main(): Promise<void> {
  const opts = new Command('sample')
    .option('--bucket <bucket>', 'bucket to create or reuse', 'sample-exports')
    .option(
      '--prefix <prefix>',
      'folder the export goes under (DynamoDB adds AWSDynamoDB/<ExportId>)',
      'exports/orders',
    )
    .option('--items <n>', 'items in the export', (v) => Number(v), 2_000)
    .option('--files <n>', 'data files holding items', (v) => Number(v), 4)
    .option('--seed <n>', 'seed of the generated items (same seed, same export)', (v) => Number(v), 7)
    .option('--format <format>', 'json (DynamoDB JSON) or ion (Amazon Ion)', 'json')
    .parse()
    .opts<{ bucket: string; prefix: string; items: number; files: number; seed: number; format: string }>();
  const format = opts.format.toLowerCase();
  if (format !== 'json' && format !== 'ion') throw new Error(`--format must be json or ion, not "${opts.format}"`);
  const generated = buildFullExport({
    prefix: opts.prefix,
    itemCount: opts.items,
    fileCount: opts.files,
    seed: opts.seed,
    format: format === 'ion' ? 'ION' : 'DYNAMODB_JSON',
  });
  const s3 = new S3Client(s3ClientConfigFromSettings(settingsFor(endpointsFor(DEFAULT_PORTS))));
  await uploadExport(s3, opts.bucket, generated);
  process.stdout.write(
    `Uploaded ${opts.items} items in ${generated.files.length} files (keys pk, sk).\n` +
      `  --bucket ${opts.bucket} --export-prefix ${generated.exportPrefix}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`sample failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
