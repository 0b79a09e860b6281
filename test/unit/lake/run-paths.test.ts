/**
 * Run-scoped lake paths: every run of a migration (the same instance id started again after a terminate) writes its
 * checkpoints, dead letters and samples in a folder of its own, named from the run id without taking any of it
 * as a path.
 */
import {
  checkpointPath,
  deadLetterPath,
  listedRunFolder,
  reportRunFolder,
  runFolder,
  runSegment,
  samplePath,
} from '../../../src/lake/paths';
import { latestRunFolder } from '../../../src/lake/runs';
import { attemptMarkerPath } from '../../../src/load/checkpoint';
import { migrationRunId } from '../../../src/migration/instance-id';

const FOLDER = 'bucket/exports/t/_migration/db/c';
const ID = 'migrate-0123456789abcdef0123456789abcdef';
const FIRST = migrationRunId(ID, new Date('2026-12-02T06:50:33.123Z'));
const SECOND = migrationRunId(ID, new Date('2026-12-02T07:10:00.000Z'));

describe('run-scoped lake paths', () => {
  test("a run's folder is its start stamp and 8 hex digits of its id, under runs/", () => {
    expect(runFolder(FOLDER, FIRST)).toMatch(
      new RegExp(`^${FOLDER}/runs/20261202T065033123Z-[0-9a-f]{8}$`.replace(/\//g, '\\/')),
    );
  });

  test('two runs of one migration share none of their checkpoint, dead-letter, sample and marker paths', () => {
    const paths = (runId: string) => {
      const run = runFolder(FOLDER, runId);
      const checkpoint = checkpointPath(run, 3);
      return [checkpoint, attemptMarkerPath(checkpoint), deadLetterPath(run, 3), samplePath(run, 3)];
    };
    const first = paths(FIRST);
    expect(first).toEqual([
      expect.stringMatching(/\/runs\/20261202T065033123Z-[0-9a-f]{8}\/checkpoints\/00003\.json$/),
      expect.stringMatching(/\/checkpoints\/00003\.attempt\.json$/),
      expect.stringMatching(/\/deadletter\/00003\.jsonl$/),
      expect.stringMatching(/\/samples\/00003\.jsonl$/),
    ]);
    for (const path of paths(SECOND)) expect(first).not.toContain(path);
  });

  test('two instance ids that start in the same millisecond on one folder get different runs', () => {
    const at = new Date('2026-12-02T06:50:33.123Z');
    expect(runSegment(migrationRunId(ID, at))).not.toBe(runSegment(migrationRunId('sync-orders-x-1', at)));
  });

  test('a run id that is not <id>@<ISO time> still gives one safe folder name, nothing of it as a path', () => {
    for (const hostile of ['../../other', 'a/b@..', 'x@2026-13-45T00:00:00Z', '@', '', 'run@not a date/..']) {
      const segment = runSegment(hostile);
      expect(segment).toMatch(/^(\d{8}T\d{9}Z|run)-[0-9a-f]{8}$/);
      expect(runFolder(FOLDER, hostile)).toBe(`${FOLDER}/runs/${segment}`);
    }
    expect(runSegment('a')).not.toBe(runSegment('b'));
  });

  test('folder names sort by the start of their run', () => {
    const stamps = [
      '2026-12-02T06:50:33.123Z',
      '2026-12-02T06:50:33.124Z',
      '2026-12-02T10:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ];
    const segments = stamps.map((at) => runSegment(migrationRunId(ID, new Date(at))));
    expect([...segments].sort()).toEqual(segments);
  });

  test("a report's run folder is the one its loads wrote in", () => {
    const report = { instanceId: ID, startedAt: '2026-12-02T06:50:33.123Z', lake: { folder: FOLDER } };
    expect(reportRunFolder(report)).toBe(runFolder(FOLDER, FIRST));
  });

  test('a listed prefix is a run folder only when it is one by name', () => {
    const run = runFolder(FOLDER, FIRST);
    expect(listedRunFolder(FOLDER, `${run}/`)).toBe(run);
    expect(listedRunFolder(FOLDER, `${FOLDER}/runs/notes/`)).toBeUndefined();
    expect(listedRunFolder(FOLDER, `${FOLDER}/runs/../x/`)).toBeUndefined();
    expect(listedRunFolder(FOLDER, `other/runs/${run.slice(-28)}/`)).toBeUndefined();
  });
});

describe('latestRunFolder', () => {
  /** A lake whose hierarchy listing answers the given prefixes and blobs under the asked prefix. */
  function lakeWith(names: string[]) {
    return {
      listBlobsByHierarchy: (delimiter: string, options: { prefix: string }) =>
        (async function* () {
          expect(delimiter).toBe('/');
          for (const name of names.filter((n) => n.startsWith(options.prefix))) {
            yield name.endsWith('/') ? { kind: 'prefix', name } : { kind: 'blob', name };
          }
        })(),
    } as never;
  }

  test('is the newest run that wrote anything, whatever order the lake lists them in', async () => {
    const first = runFolder(FOLDER, FIRST);
    const second = runFolder(FOLDER, SECOND);
    const lake = lakeWith([`${second}/`, `${FOLDER}/runs/readme.txt`, `${FOLDER}/runs/junk/`, `${first}/`]);
    await expect(latestRunFolder(lake, FOLDER)).resolves.toBe(second);
  });

  test('is undefined when no run wrote a folder', async () => {
    await expect(latestRunFolder(lakeWith([`${FOLDER}/report.json`]), FOLDER)).resolves.toBeUndefined();
  });
});
