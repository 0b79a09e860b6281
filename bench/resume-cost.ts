/**
 * What a resumed load pays to get back to its checkpoint, per GB of decompressed data before it. gzip cannot be
 * entered mid-stream, so a resume reads the file from its first byte again (docs/scale.md, "Resume"); this measures
 * the three ways of passing over the lines before the checkpoint, on the same generated data file, interleaved:
 *
 * - `gunzip`: decompressing alone, into nothing (the floor: what any resume from byte 0 pays);
 * - `handedOut`: the reader as a resume used it before (every line cut, decoded and handed out, then dropped by
 *   number);
 * - `passed`: the reader's `skipThrough` (newlines counted, nothing decoded).
 *
 * Part of `npm run bench` (results.resume); alone: `node dist/bench/resume-cost.js`, which records it in
 * bench/results.json. Environment: BENCH_RESUME_MB (256 MB of lines), BENCH_REPS (5).
 */
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { readGzipEntryBatches } from '../src/export/read-lines';
import { writeLargeFile } from './data';
import { median, round, runs } from './stats';

const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const RESUME_MB = env('BENCH_RESUME_MB', 256);
const REPS = env('BENCH_REPS', 5);

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function gunzipOnly(file: string): Promise<void> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  await pipeline(createReadStream(file), createGunzip({ chunkSize: 64 * 1024 }), sink);
}

async function handedOut(file: string, through: number): Promise<void> {
  let kept = 0;
  for await (const entries of readGzipEntryBatches(createReadStream(file), 'resume.json.gz'))
    for (const entry of entries) if (entry.number > through) kept++;
  if (kept !== 0) throw new Error('lines after the end');
}

async function passed(file: string, through: number): Promise<void> {
  for await (const entries of readGzipEntryBatches(createReadStream(file), 'resume.json.gz', { skipThrough: through }))
    if (entries.length > 0) throw new Error('a line before the checkpoint was handed out');
}

/** The resume figures (results.resume): seconds per GB of decompressed lines passed over, each way. */
export async function benchResumeCost(work: string): Promise<Record<string, unknown>> {
  const file = join(work, 'resume.json.gz');
  const generated = await writeLargeFile(file, RESUME_MB * 2 ** 20);
  const gb = generated.bytes / 2 ** 30;
  // Every line of the file is before the checkpoint: the whole read is the cost of getting back to it.
  const through = generated.items;
  const times = { gunzip: [] as number[], handedOut: [] as number[], passed: [] as number[] };
  for (let rep = 0; rep < REPS; rep++) {
    times.gunzip.push((await timed(() => gunzipOnly(file))) / gb);
    times.handedOut.push((await timed(() => handedOut(file, through))) / gb);
    times.passed.push((await timed(() => passed(file, through))) / gb);
  }
  rmSync(file, { force: true });
  const perGb = (values: number[]) => round(median(values), 2);
  return {
    fileMB: round(generated.bytes / 2 ** 20, 0),
    gzippedMB: round(generated.compressedBytes / 2 ** 20, 0),
    items: generated.items,
    repetitions: REPS,
    gunzipSecondsPerGB: perGb(times.gunzip),
    handedOutSecondsPerGB: perGb(times.handedOut),
    passedSecondsPerGB: perGb(times.passed),
    /** The resume's cost to get back to its checkpoint now, against before (same run, medians of the ratios). */
    passedVsHandedOut: round(median(times.passed.map((t, i) => t / times.handedOut[i])), 3),
    runs: { gunzip: runs(times.gunzip), handedOut: runs(times.handedOut), passed: runs(times.passed) },
  };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ddb2cosmos-resume-'));
  try {
    const figures = await benchResumeCost(work);
    const path = resolve(__dirname, '../../bench/results.json');
    const results = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
    results.resume = { measuredAt: new Date().toISOString(), node: process.version, ...figures };
    writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(`${JSON.stringify({ ...figures, runs: undefined }, null, 2)}\n(written to ${path})\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`resume bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
