/**
 * Full verification at scale on the local stack: an export of N items (default 1,000,000) is generated, put into
 * S3 (manifests) and the lake (data files, where the loads leave them), loaded into a container by the project's
 * own loader (src/load/load-file.ts, no Functions host: faster than a migration through the app), registered as a
 * synced table whose ledger has it applied, and then verified through POST /api/tables/{name}/verify on the local
 * Functions host. Prints the duration, the host's peak RSS (sampled every 500 ms over its process tree), the RUs
 * the local server charged and the result. `--kill` kills the host with SIGKILL once half the export files are
 * read and starts it again on the same state: the verification must finish with the same result.
 *
 *   node dist/bench/verify-scale.js [--items 1000000] [--files 20] [--kill]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCosmosClient, createLakeContainerClient, createS3Client } from '../src/clients/create-clients';
import { ensureTargetContainer } from '../src/cosmos/target';
import { rawCopyPath } from '../src/lake/paths';
import { loadFile } from '../src/load/load-file';
import { TableStore } from '../src/sync/table-store';
import { buildFullExport } from '../tools/sample/build-export';
import { uploadExport } from '../tools/sample/upload-export';
import { startHostProcess } from '../tools/localstack/host-process';
import { findFreePort } from '../tools/localstack/net';
import { startBenchLocalStack } from './local-stack';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const ITEMS = flag('items', 1_000_000);
const FILES = flag('files', 20);
const KILL = args.includes('--kill');
const BUCKET = 'scale-exports';
const TABLE = 'scale-table';
const target = { database: 'scale', container: 'items', partitionKeyPaths: ['/pk'] };
const mapping = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const };

const log = (line: string): void => void process.stdout.write(`[${new Date().toISOString()}] ${line}\n`);

/** RSS of a process and its descendants, in bytes (Linux /proc). */
function treeRss(pid: number): number {
  let total = 0;
  const visit = (p: number): void => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      for (const task of [p]) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        for (const child of children ? children.split(/\s+/) : []) visit(Number(child));
      }
    } catch {
      // The process ended between the listing and the read.
    }
  };
  visit(pid);
  return total;
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'verify-scale-'));
  const { stack, settings } = await startBenchLocalStack(stateDir);
  const s3 = createS3Client(settings);
  const lake = createLakeContainerClient(settings);
  const cosmos = createCosmosClient(settings, { requestTimeoutMs: 600_000 });
  try {
    let at = Date.now();
    const generated = buildFullExport({ prefix: 'exports/scale', itemCount: ITEMS, fileCount: FILES, seed: 5 });
    log(`generated ${generated.itemCount} items in ${generated.files.length} files in ${Date.now() - at} ms`);
    at = Date.now();
    await uploadExport(s3, BUCKET, generated);
    await lake.createIfNotExists();
    for (const file of generated.files)
      await lake.getBlockBlobClient(rawCopyPath(BUCKET, file.key)).uploadData(file.body);
    log(`uploaded to S3 and the lake in ${Date.now() - at} ms`);

    at = Date.now();
    await ensureTargetContainer(cosmos, target);
    const container = cosmos.database(target.database).container(target.container);
    let next = 0;
    const loader = async (): Promise<void> => {
      while (next < generated.files.length) {
        const index = next++;
        const file = generated.files[index];
        await loadFile({
          lake,
          container,
          lakePath: rawCopyPath(BUCKET, file.key),
          sourceName: file.key,
          fileIndex: index,
          incremental: false,
          mapping: { ...mapping, partitionKeyPaths: target.partitionKeyPaths },
          migrationFolder: `${BUCKET}/scale-load`,
          sampleQuota: 0,
          runId: 'scale-load',
          concurrency: 8,
        });
      }
    };
    await Promise.all(Array.from({ length: 4 }, loader));
    const loadMs = Date.now() - at;
    log(
      `loaded ${generated.itemCount} documents in ${loadMs} ms (${Math.round(generated.itemCount / (loadMs / 1000))}/s)`,
    );

    const now = new Date().toISOString();
    const store = new TableStore(lake);
    await store.putRegistration(
      {
        name: TABLE,
        source: { bucket: BUCKET, exportsPrefix: 'exports/scale' },
        keySchema: mapping.keySchema,
        target,
        options: {
          numberMode: 'lossless',
          sampleSize: 500,
          copyMode: 'auto',
          maxParallelFiles: 8,
          bulkConcurrency: 4,
          allowGaps: false,
        },
        createdAt: now,
        updatedAt: now,
      },
      undefined,
    );
    await store.saveLedger(
      {
        table: TABLE,
        reachedTime: now,
        status: { state: 'up-to-date', at: now },
        exports: [
          {
            exportId: generated.exportId,
            exportPrefix: generated.exportPrefix,
            exportType: 'FULL_EXPORT',
            tableArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders',
            exportTime: now,
            itemCount: generated.itemCount,
            state: 'applied',
            attempts: 1,
            firstSeenAt: now,
            updatedAt: now,
          },
        ],
      },
      undefined,
    );

    const hostDir = mkdtempSync(join(tmpdir(), 'verify-scale-host-'));
    const port = await findFreePort();
    const startHost = () =>
      startHostProcess({
        appDir: resolve(__dirname, '../..'),
        port,
        stateDir: join(hostDir, 'durable'),
        env: { ...(stack.settings as unknown as Record<string, string>), DURABLE_TASK_HUB: 'scalehub' },
        logFile: join(hostDir, 'host.log'),
      });
    let host = await startHost();
    log(`host log: ${join(hostDir, 'host.log')}`);
    let peakRss = 0;
    const sampler = setInterval(() => {
      if (host.child.pid) peakRss = Math.max(peakRss, treeRss(host.child.pid));
    }, 500);
    at = Date.now();
    const started = await fetch(`${host.url}/api/tables/${TABLE}/verify`, { method: 'POST' });
    const body = (await started.json()) as { statusQueryGetUri: string };
    if (started.status !== 202) throw new Error(`verify answered ${started.status}: ${JSON.stringify(body)}`);
    const statusUrl = `${host.url}/api/migrations/verify-${TABLE}`;
    let killedAt: number | undefined;
    let lastLine = '';
    let status: { runtimeStatus: string; progress: any; output: any };
    for (;;) {
      try {
        status = (await (await fetch(statusUrl)).json()) as typeof status;
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      const p = status.progress ?? {};
      const line = `${status.runtimeStatus} ${p.phase} files ${p.expectedFiles?.done}/${p.expectedFiles?.total} ranges ${p.ranges?.done}/${p.ranges?.total} buckets ${p.bucketsChecked ?? 0}/${p.buckets} rss ${Math.round(peakRss / 2 ** 20)} MB`;
      if (line !== lastLine) log(line);
      lastLine = line;
      if (['Completed', 'Failed', 'Terminated'].includes(status.runtimeStatus)) break;
      if (KILL && killedAt === undefined && p.expectedFiles && p.expectedFiles.done * 2 >= p.expectedFiles.total) {
        killedAt = Date.now() - at;
        log(`kill -9 of the host (pid ${host.child.pid}) after ${killedAt} ms`);
        await host.kill();
        host = await startHost();
        log('host started again');
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    clearInterval(sampler);
    const verifyMs = Date.now() - at;
    const output = status.output;
    const summary = {
      items: generated.itemCount,
      files: generated.files.length,
      loadMs,
      verifyMs,
      killedAtMs: killedAt,
      hostPeakRssMB: Math.round(peakRss / 2 ** 20),
      runtimeStatus: status.runtimeStatus,
      result:
        typeof output === 'object' && output
          ? {
              passed: output.passed,
              expected: output.expected,
              actual: output.actual,
              matched: output.matched,
              missingCount: output.missingCount,
              unexpectedCount: output.unexpectedCount,
              differingCount: output.differingCount,
              buckets: output.buckets,
              requestCharge: output.requestCharge,
              durationMs: output.durationMs,
            }
          : output,
    };
    log(JSON.stringify(summary, null, 2));
    await host.stop();
  } finally {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
