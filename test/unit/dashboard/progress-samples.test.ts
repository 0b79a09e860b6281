import { customStatusOf, MAX_PROGRESS_SAMPLES, newProgress, recordSample } from '../../../orchestrators/progress';

const START = Date.parse('2026-01-01T00:00:00.000Z');

function progressAt(written: number, requestCharge: number) {
  const progress = newProgress(10, 1_000_000);
  progress.items.written = written;
  progress.requestCharge = requestCharge;
  return progress;
}

describe('the progress series in the custom status', () => {
  test('adds a point when the totals change, none when they do not, and one per tenth of a second', () => {
    const progress = progressAt(0, 0);
    recordSample(progress, 1000);
    recordSample(progress, 2000);
    progress.items.written = 100;
    progress.requestCharge = 550.4;
    recordSample(progress, 3000);
    progress.items.written = 150;
    recordSample(progress, 3020);
    expect(progress.samples).toEqual([
      [1, 0, 0],
      [3, 150, 550],
    ]);
  });

  test('stays bounded over a long run, keeping its first and last points', () => {
    const progress = progressAt(0, 0);
    for (let i = 1; i <= 1000; i++) {
      progress.items.written = i * 10;
      progress.requestCharge = i * 55;
      recordSample(progress, i * 60_000);
    }
    const samples = progress.samples ?? [];
    expect(samples.length).toBeLessThanOrEqual(MAX_PROGRESS_SAMPLES);
    expect(samples.length).toBeGreaterThan(MAX_PROGRESS_SAMPLES / 2);
    expect(samples[0]).toEqual([60, 10, 55]);
    expect(samples[samples.length - 1]).toEqual([60_000, 10_000, 55_000]);
    // Cumulative, in time order: the chart's rates stay averages over wider intervals.
    for (let i = 1; i < samples.length; i++) expect(samples[i][0]).toBeGreaterThan(samples[i - 1][0]);
  });

  test('customStatusOf carries the series, the RU figures and the start, well inside 16 KB', () => {
    const progress = progressAt(0, 0);
    let status = customStatusOf('loading', progress, 'x', 0, new Date(START));
    for (let i = 1; i <= 500; i++) {
      progress.items.written = i * 1234;
      progress.requestCharge = i * 6789.12;
      status = customStatusOf('loading', progress, '01700000000000-abcdef01', i * 7000, new Date(START + i * 7000));
    }
    expect(status).toMatchObject({
      requestCharge: Math.round(500 * 6789.12),
      requestUnitsPerSecond: Math.round((500 * 6789.12 * 1000) / (500 * 7000)),
      startedAt: new Date(START).toISOString(),
    });
    expect(status.samples?.[status.samples.length - 1]).toEqual([3500, 617_000, Math.round(500 * 6789.12)]);
    expect(Buffer.byteLength(JSON.stringify(status))).toBeLessThan(4 * 1024);
  });

  test('replays to the same series: the same calls give the same points', () => {
    const run = () => {
      const progress = progressAt(0, 0);
      const statuses = [];
      for (let i = 0; i < 200; i++) {
        progress.items.written += 37;
        progress.requestCharge += 91.3;
        statuses.push(customStatusOf('loading', progress, 'x', i * 1500, new Date(START + i * 1500)));
      }
      return JSON.stringify(statuses[statuses.length - 1]);
    };
    expect(run()).toBe(run());
  });
});
