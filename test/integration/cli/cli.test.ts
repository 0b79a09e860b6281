import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { buildFullExport } from '../../../tools/sample/build-export';
import { uploadExport } from '../../../tools/sample/upload-export';
import { useAppHost } from '../../support/app-host';
import { useLocalStack } from '../../support/stack';
import { T0, TableChain } from '../../support/table-chain';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const app = useAppHost(stack);
const BUCKET = 'cli-exports';
const CLI = resolve(__dirname, '../../../dist/src/cli/main.js');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, '--url', app.url, ...args], {
      timeout: 240_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function s3() {
  return createS3Client(readSettings(stack.settings as unknown as NodeJS.ProcessEnv));
}

describe('ddb2cosmos', () => {
  const generated = buildFullExport({ prefix: 'exports/cli', itemCount: 2000, fileCount: 3, seed: 3 });

  beforeAll(async () => {
    await uploadExport(s3(), BUCKET, generated);
  }, 60_000);

  test('start migrates an export, shows progress and prints a passing report', async () => {
    const target = ['--partition-key', 'pk', '--sort-key', 'sk', '--database', 'cli', '--container', 'orders'];
    const result = await cli('start', '--bucket', BUCKET, '--export-prefix', generated.exportPrefix, ...target);
    expect(result.stderr).not.toMatch(/HTTP \d/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/started migrate-/);
    expect(result.stdout).toMatch(/validation\s+passed/i);
    const id = /started (migrate-[0-9a-f]+)/.exec(result.stdout)?.[1] as string;

    const report = await cli('report', id, '--json');
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toEqual(
      expect.objectContaining({ exportId: generated.exportId, items: expect.objectContaining({ written: 2000 }) }),
    );
    const status = await cli('status', id);
    expect(JSON.parse(status.stdout)).toEqual(expect.objectContaining({ instanceId: id, runtimeStatus: 'Completed' }));
  });

  test('a bad request prints what is wrong and exits non-zero', async () => {
    const result = await cli(
      'start',
      '--bucket',
      'Bad_Bucket',
      '--export-prefix',
      'x',
      '--partition-key',
      'pk',
      '--database',
      'cli',
      '--container',
      'c',
      '--no-watch',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HTTP 400/);
    expect(result.stderr).toMatch(/source\.bucket/);
  });

  test('table register, sync, show, list and remove', async () => {
    const chain = new TableChain('exports/cli-table', 300, 4);
    for (const generatedExport of [chain.full(), chain.incremental(T0)])
      await uploadExport(s3(), BUCKET, generatedExport);
    const registered = await cli(
      'table',
      'register',
      'cli-table',
      '--bucket',
      BUCKET,
      '--exports-prefix',
      'exports/cli-table',
      '--partition-key',
      'pk',
      '--sort-key',
      'sk',
      '--database',
      'cli',
      '--container',
      'synced',
    );
    expect(registered.stdout).toMatch(/registered cli-table/);
    expect((await cli('table', 'sync', 'cli-table')).stdout).toMatch(/started sync-cli-table/);

    let shown = '';
    const deadline = Date.now() + 120_000;
    while (!/up-to-date/.test(shown) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      shown = (await cli('table', 'show', 'cli-table')).stdout;
    }
    expect(shown).toMatch(/^cli-table: up-to-date/);
    expect(shown.match(/ applied/g)).toHaveLength(2);
    expect((await cli('table', 'list')).stdout).toMatch(/cli-table {2}up-to-date {2}2\/2 applied/);
    expect((await cli('table', 'remove', 'cli-table')).stdout).toMatch(/removed cli-table/);
    expect((await cli('table', 'show', 'cli-table')).stderr).toMatch(/HTTP 404/);
  });
});
