/**
 * Issue 14, item 1: one data file must not take the host down. A gzip file of 3 MB that inflates to one line of
 * 3 GiB (valid manifest and MD5), among normal files: the host survives with its memory flat, the line is
 * dead-lettered with its length and reason, the other lines and files load, and the counts are right. Killed
 * while skipping that line, the host comes back and the load resumes right before it; killed there twice, the
 * file fails with FILE_POISONED instead of taking the host down a third time, and what it loaded is counted.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { deadLetterPath, RunFolder, reportRunFolder } from '../../src/lake/paths';
import { DynamoItem, mapItem, newMappingStats } from '../../src/mapping';
import { GeneratedExport } from '../../tools/sample/build-export';
import { sampleItem } from '../../tools/sample/items';
import { postJson, useAppHost, waitForCompletion } from '../support/app-host';
import { useLocalStack } from '../support/stack';
import { dataFile, exportOfLines, rewriteManifests, uploadWithout } from './support/exports';
import { logSize, readLog, waitForLogLine } from './support/host-log';
import { BUCKET, directClients, expectContainerToHold, MAPPING, migrationBody } from './support/migration';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const app = useAppHost(stack, {});

const MiB = 1024 * 1024;
/** 48 gzip members of 64 MiB of `a` (about 64 KB each): a line of 3 GiB in about 3 MB. */
const A_MEMBERS = 48;
const LONG_LINE = 41;
const SKIPPING = new RegExp(`\\[loadFile\\] .*: line ${LONG_LINE} is longer than the limit of \\d+ bytes; skipping it`);

const goodLines = (seed: number, from: number, count: number): string[] =>
  Array.from({ length: count }, (_, n) => JSON.stringify({ Item: sampleItem(seed, from + n) }));
const documentsOf = (lines: string[]): Map<string, Record<string, unknown>> =>
  new Map(
    lines.map((line) => {
      const mapped = mapItem((JSON.parse(line) as { Item: DynamoItem }).Item, MAPPING, newMappingStats());
      return [mapped.id, mapped.document];
    }),
  );

interface Scenario {
  generated: GeneratedExport;
  files: string[][];
  /** The lines of file 1 before and after its long line. */
  before: string[];
  after: string[];
  longLineBytes: number;
}

let member: Buffer | undefined;

/** Three files; the middle one holds 40 lines, the 3 GiB line, then 20 lines. */
function scenario(prefix: string, seed: number): Scenario {
  const before = goodLines(seed, 100, 40);
  const after = goodLines(seed, 140, 20);
  const files = [goodLines(seed, 0, 60), [], goodLines(seed, 200, 40)];
  const generated = exportOfLines(prefix, files, seed);
  const opening = `{"Item":{"pk":{"S":"CUST#huge"},"sk":{"N":"1"},"blob":{"S":"`;
  const closing = '"}}}';
  member ??= gzipSync(Buffer.alloc(64 * MiB, 'a'), { level: 9 });
  const body = Buffer.concat([
    gzipSync(before.join('\n') + '\n' + opening),
    ...Array.from({ length: A_MEMBERS }, () => member as Buffer),
    gzipSync(closing + '\n' + after.join('\n') + '\n'),
  ]);
  generated.files[1] = dataFile(generated.files[1].key, body, before.length + 1 + after.length);
  rewriteManifests(generated);
  const longLineBytes = Buffer.byteLength(opening) + A_MEMBERS * 64 * MiB + Buffer.byteLength(closing);
  return { generated, files, before, after, longLineBytes };
}

/** The host process's resident memory now and at its peak (VmHWM), in MiB, from /proc. */
function hostMemory(): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${app.host.child.pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

async function start(s: Scenario, container: string): Promise<{ id: string; statusQueryGetUri: string }> {
  await uploadWithout(directClients(stack).s3, BUCKET, s.generated);
  // No RU cap to wait for: the time goes to the long line, not to the container's 400 RU/s.
  const body = migrationBody(s.generated, container, { maxRequestUnitsPerSecond: 100_000 });
  const started = await postJson(`${app.url}/api/migrations`, body);
  expect(started.status).toBe(202);
  return started.body;
}

async function deadLettersOf(folder: RunFolder, fileIndex: number): Promise<any[]> {
  const body = await directClients(stack).lake.getBlockBlobClient(deadLetterPath(folder, fileIndex)).downloadToBuffer();
  return body
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/**
 * Kills the host with SIGKILL once a load, from log offset `from` on, is skipping the long line, and starts it
 * again. Returns where the new host's log begins: an attempt logs that line once, so a later one is the new host's.
 */
async function killWhileSkipping(from: number): Promise<number> {
  await waitForLogLine(app.logFile, SKIPPING, from, 120_000);
  const restartedAt = logSize(app.logFile);
  await app.restart(true);
  return restartedAt;
}

/** The whole export loaded, the long line dead-lettered once with its exact length. */
async function expectLoadedWithLongLineDeadLettered(s: Scenario, status: any, container: string): Promise<void> {
  expect(status.runtimeStatus).toBe('Completed');
  const report = status.output;
  expect(report.files).toEqual(expect.objectContaining({ total: 3, loaded: 3, failed: 0 }));
  expect(report.items).toEqual({ expected: 161, read: 161, written: 160, deleted: 0, deadLettered: 1 });
  expect(report.validation).toEqual(expect.objectContaining({ passed: true, countsReconciled: true, mismatched: 0 }));
  const letters = await deadLettersOf(reportRunFolder(report), 1);
  expect(letters).toEqual([
    {
      file: s.generated.files[1].key,
      line: LONG_LINE,
      code: 'LINE_TOO_LONG',
      reason: expect.stringContaining(
        `[LINE_TOO_LONG] line ${LONG_LINE} is ${s.longLineBytes} bytes long, over the limit`,
      ),
      raw: expect.stringMatching(/^\{"Item":\{"pk":\{"S":"CUST#huge"\},"sk":\{"N":"1"\},"blob":\{"S":"a+$/),
      rawTruncated: true,
      bytes: s.longLineBytes,
    },
  ]);
  await expectContainerToHold(
    stack,
    container,
    new Map([
      ...documentsOf(s.files[0]),
      ...documentsOf(s.before),
      ...documentsOf(s.after),
      ...documentsOf(s.files[2]),
    ]),
  );
}

describe('a data file that inflates to one line of 3 GiB', () => {
  test('the host survives, memory flat: the line is dead-lettered with its length, everything else loads', async () => {
    const s = scenario('exports/oversized/once', 81);
    expect(s.generated.files[1].body.length).toBeLessThan(4 * MiB);
    const pid = app.host.child.pid;
    const before = hostMemory();
    let highest = before.rss;
    const sampler = setInterval(() => (highest = Math.max(highest, hostMemory().rss)), 100);
    const startedAt = Date.now();
    let status: any;
    try {
      const started = await start(s, 'oversized-once');
      status = await waitForCompletion(started.statusQueryGetUri, 180_000);
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - startedAt) / 1000;
    const after = hostMemory();
    console.log(
      `3 GiB line: migration ${seconds.toFixed(1)} s; host RSS ${before.rss.toFixed(0)} MiB before, highest sampled ${highest.toFixed(0)} MiB, peak (VmHWM) ${after.peak.toFixed(0)} MiB`,
    );
    expect(app.host.child.pid).toBe(pid);
    expect(app.host.child.exitCode).toBeNull();
    await expectLoadedWithLongLineDeadLettered(s, status, 'oversized-once');
    // The host grew by far less than the line (it grew 4.4 GB and died before the fix).
    expect(highest - before.rss).toBeLessThan(400);
  });

  test('killed while skipping it, the host comes back and the load resumes right before it', async () => {
    const s = scenario('exports/oversized/killed', 82);
    const startedAt = Date.now();
    const logFrom = logSize(app.logFile);
    const started = await start(s, 'oversized-killed');
    await killWhileSkipping(logFrom);
    const status = await waitForCompletion(started.statusQueryGetUri, 180_000);
    console.log(
      `killed once: migration ${((Date.now() - startedAt) / 1000).toFixed(1)} s; restarted host peak RSS (VmHWM) ${hostMemory().peak.toFixed(0)} MiB`,
    );
    await expectLoadedWithLongLineDeadLettered(s, status, 'oversized-killed');
    const log = readLog(app.logFile, logFrom);
    expect(log).toMatch(new RegExp(`\\[loadFile\\] .*resuming from checkpoint after line ${LONG_LINE - 1}\\b`));
    expect(log).toMatch(
      new RegExp(
        `the previous attempt at this file did not end: its process died while skipping line ${LONG_LINE}, longer than the limit of \\d+ bytes \\(at least \\d+ bytes\\); 1 in a row without progress`,
      ),
    );
  });

  test('killed there twice, the file fails with FILE_POISONED: the host is not taken down again, the rest loads', async () => {
    const s = scenario('exports/oversized/poisoned', 83);
    const startedAt = Date.now();
    const logFrom = logSize(app.logFile);
    const started = await start(s, 'oversized-poisoned');
    await killWhileSkipping(await killWhileSkipping(logFrom));
    const status = await waitForCompletion(started.statusQueryGetUri, 180_000);
    console.log(`killed twice: migration ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    expect(status.runtimeStatus).toBe('Completed');
    const report = status.output;
    expect(report.files).toEqual(expect.objectContaining({ total: 3, loaded: 2, failed: 1 }));
    expect(report.files.failures).toEqual([
      {
        file: s.generated.files[1].key,
        code: 'FILE_POISONED',
        message: expect.stringMatching(
          new RegExp(
            `^\\[FILE_POISONED\\] .*: the process loading this file died 2 times in a row while skipping line ${LONG_LINE}, .* lines 1 to 40 were loaded \\(40 written, 0 dead-lettered\\)`,
          ),
        ),
      },
    ]);
    // The lines before the long one were written, and are counted: the counts agree with the container.
    expect(report.items).toEqual({ expected: 161, read: 140, written: 140, deleted: 0, deadLettered: 0 });
    expect(report.validation).toEqual(expect.objectContaining({ passed: false, countsReconciled: false }));
    await expectContainerToHold(
      stack,
      'oversized-poisoned',
      new Map([...documentsOf(s.files[0]), ...documentsOf(s.before), ...documentsOf(s.files[2])]),
    );
  });
});
