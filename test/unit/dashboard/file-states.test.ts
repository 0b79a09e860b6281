import {
  attemptError,
  LaneView,
  countByState,
  fileActivityOf,
  fileRowsOf,
  HistoryEventView,
  manifestFilesOf,
} from '../../../functions/http/file-states';

const manifest = [0, 1, 2, 3].map((index) => ({ index, key: `data/file-${index}.json.gz`, itemCount: 100 + index }));
const deadLetterPathOf = (index: number) => `lake/deadletter/${index}.jsonl`;

/** An activity's history events as the HTTP API shows them; inputs as the legacy protocol wraps them. */
function scheduled(name: string, index: number): HistoryEventView {
  return { EventType: 'TaskScheduled', Name: name, Input: JSON.stringify([{ file: { index } }]) };
}
function completed(name: string, index: number, result: object): HistoryEventView {
  return {
    EventType: 'TaskCompleted',
    FunctionName: name,
    Input: JSON.stringify([{ file: { index } }]),
    Result: result,
  };
}
function failed(name: string, index: number, reason: string): HistoryEventView {
  return { EventType: 'TaskFailed', FunctionName: name, Input: JSON.stringify({ file: { index } }), Reason: reason };
}
const load = (written: number, extra: object = {}) => ({
  ok: true,
  linesRead: written,
  written,
  deleted: 0,
  deadLettered: 0,
  requestCharge: written * 6.5,
  complete: true,
  ...extra,
});

describe('what the files grid shows', () => {
  test('the manifest comes from the readManifest result in the migration history', () => {
    expect(manifestFilesOf([{ EventType: 'ExecutionStarted' }])).toBeUndefined();
    expect(
      manifestFilesOf([
        { EventType: 'ExecutionStarted' },
        { EventType: 'TaskCompleted', FunctionName: 'readManifest', Result: { ok: true, files: manifest } },
      ]),
    ).toEqual(manifest);
  });

  test('attempts count retries of the current step, not continuations from a checkpoint', () => {
    const activity = fileActivityOf([
      completed('copyFile', 0, { ok: true }),
      failed('loadFile', 0, "Activity function 'loadFile' failed: [TRANSIENT] cosmos answered 503"),
      completed('loadFile', 0, load(40, { complete: false })),
      completed('loadFile', 0, load(100)),
      completed('copyFile', 1, { ok: true }),
      scheduled('loadFile', 1),
    ]);
    expect(activity.get(0)).toMatchObject({ copy: { runs: 1 }, load: { runs: 3, failed: 1, continued: 1 } });
    expect(activity.get(1)).toMatchObject({ load: { runs: 1, running: true } });
    const lane: LaneView = {
      instanceId: 'm:lane-0',
      runtimeStatus: 'Running',
      files: manifest.slice(0, 2),
      activity,
    };
    const rows = fileRowsOf(manifest, [lane], deadLetterPathOf);
    expect(rows[0]).toMatchObject({
      state: 'loaded',
      attempts: 2,
      runs: { copy: 1, load: 3 },
      items: { written: 100 },
    });
    expect(rows[1]).toMatchObject({ state: 'loading', attempts: 1 });
    expect(rows.slice(2).map((r) => [r.state, r.lane])).toEqual([
      ['pending', null],
      ['pending', null],
    ]);
  });

  test('a file waiting for its next try shows the last error as a code and one line, never a stack trace', () => {
    const activity = fileActivityOf([
      completed('copyFile', 2, { ok: true }),
      failed('loadFile', 2, 'Error: socket hang up\n    at /work/app/node_modules/x.js:1:2'),
    ]);
    const rows = fileRowsOf(
      manifest,
      [{ instanceId: 'm:lane-2', runtimeStatus: 'Running', files: [manifest[2]], activity }],
      deadLetterPathOf,
    );
    expect(rows[2].state).toBe('retrying');
    expect(rows[2].error?.code).toBe('TRANSIENT');
    expect(rows[2].error?.message).not.toMatch(/node_modules|socket/);
    expect(
      attemptError({ Reason: "Activity function 'copyFile' failed: [CORRUPT_GZIP] data/x.json.gz breaks off\nstack" }),
    ).toEqual({
      code: 'CORRUPT_GZIP',
      message: '[CORRUPT_GZIP] data/x.json.gz breaks off',
    });
  });

  test('a permanent failure returned by an activity fails the file at once, with its code', () => {
    const activity = fileActivityOf([
      completed('copyFile', 3, { ok: false, code: 'CHECKSUM_MISMATCH', message: '[CHECKSUM_MISMATCH] md5 differs' }),
    ]);
    const rows = fileRowsOf(
      manifest,
      [{ instanceId: 'm:lane-3', runtimeStatus: 'Running', files: [manifest[3]], activity }],
      deadLetterPathOf,
    );
    expect(rows[3]).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'CHECKSUM_MISMATCH' } });
  });

  test('an ended lane: its records, dead letters with their path, and failures; a failed lane fails its files', () => {
    const lanes: LaneView[] = [
      {
        instanceId: 'm:lane-0',
        runtimeStatus: 'Completed',
        files: manifest.slice(0, 2),
        records: [
          { index: 0, load: load(98, { deadLettered: 2 }), attempts: 2, runs: { copy: 1, load: 3 } },
          { index: 1, error: { code: 'DATA_FILE_MISSING', message: '[DATA_FILE_MISSING] gone' }, attempts: 1 },
        ],
      },
      { instanceId: 'm:lane-1', runtimeStatus: 'Failed', files: manifest.slice(2, 3) },
    ];
    const rows = fileRowsOf(manifest, lanes, deadLetterPathOf);
    expect(rows.map((r) => r.state)).toEqual(['loaded', 'failed', 'failed', 'pending']);
    expect(rows[0]).toMatchObject({
      deadLetters: 'lake/deadletter/0.jsonl',
      items: { deadLettered: 2 },
      attempts: 2,
      runs: { copy: 1, load: 3 },
    });
    expect(rows[1].error?.code).toBe('DATA_FILE_MISSING');
    expect(rows[2].error?.code).toBe('BATCH_FAILED');
    // A running lane: a file finished before its last continue-as-new (its record), one being loaded (copied in an
    // earlier execution, no run in this history yet), one waiting for its next try, one not started.
    const running: LaneView = {
      instanceId: 'm:lane-2',
      runtimeStatus: 'Running',
      files: manifest,
      records: [{ index: 0, load: load(100), attempts: 1, runs: { copy: 1, load: 1 } }],
      working: new Map([
        [1, { copied: true, retrying: false, failedTries: 0 }],
        [2, { copied: false, retrying: true, failedTries: 2 }],
      ]),
      activity: new Map(),
    };
    expect(fileRowsOf(manifest, [running], deadLetterPathOf).map((r) => [r.state, r.attempts])).toEqual([
      ['loaded', 1],
      ['loading', 1],
      ['retrying', 3],
      ['pending', null],
    ]);
    // Its last try failed in this execution, the retry policy's fifth: the file has failed.
    const exhausted = fileActivityOf([
      failed('copyFile', 2, "Activity function 'copyFile' failed: [TRANSIENT] S3 answered 503"),
      failed('copyFile', 2, "Activity function 'copyFile' failed: [TRANSIENT] S3 answered 503"),
      failed('copyFile', 2, "Activity function 'copyFile' failed: [TRANSIENT] S3 answered 503"),
    ]);
    const row = fileRowsOf(manifest, [{ ...running, activity: exhausted }], deadLetterPathOf)[2];
    expect(row).toMatchObject({ state: 'failed', error: { code: 'TRANSIENT' } });
    expect(countByState(rows)).toEqual({
      total: 4,
      pending: 1,
      copying: 0,
      loading: 0,
      retrying: 0,
      loaded: 1,
      failed: 2,
    });
  });
});
