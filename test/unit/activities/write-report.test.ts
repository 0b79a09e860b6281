/** writeReport on an in-memory lake: the report lands in the migration's folder and says where it is. */
import { writeReportActivity } from '../../../activities/write-report';
import { runFolder } from '../../../src/lake/paths';
import type { MigrationReport } from '../../../src/migration/contracts';
import { migrationRunId } from '../../../src/migration/instance-id';
import { request } from '../orchestrators/fixtures';
import { dependencies, FakeLake } from './fakes';

const FOLDER = 'exports/orders/AWSDynamoDB/01700000000000-abcdef01/_migration/shop/orders';

describe('writeReport activity', () => {
  test("uploads the report as JSON to <migration folder>/report.json and returns it with the lake location and the run's dead letters", async () => {
    const lake = new FakeLake();
    const report = {
      instanceId: 'mig-1',
      startedAt: '2026-12-02T06:50:33.123Z',
      exportId: '01700000000000-abcdef01',
      items: { expected: 3, read: 3, written: 3, deleted: 0, deadLettered: 0 },
      lake: { container: '', folder: '', report: '', deadLetters: '' },
    } as MigrationReport;
    const written = await writeReportActivity(dependencies({ lake, settings: { lakeContainer: 'raw' } }))({
      request: request(),
      report,
    });

    expect(written).toEqual({
      ...report,
      lake: {
        container: 'raw',
        folder: FOLDER,
        report: `${FOLDER}/report.json`,
        deadLetters: `${FOLDER}/runs/20261202T065033123Z-${runFolder('', migrationRunId('mig-1', new Date('2026-12-02T06:50:33.123Z'))).slice(-8)}/deadletter/`,
      },
    });
    expect(lake.requests).toEqual([`upload ${FOLDER}/report.json`]);
    expect(JSON.parse(lake.text(`${FOLDER}/report.json`)!)).toEqual(written);
    expect(lake.blobs.get(`${FOLDER}/report.json`)!.contentType).toBe('application/json');
  });

  test('a lake error is thrown, for Durable to retry', async () => {
    const lake = new FakeLake();
    lake.getBlockBlobClient = () =>
      ({
        upload: async () => {
          throw new Error('lake unavailable');
        },
      }) as never;
    await expect(
      writeReportActivity(dependencies({ lake }))({ request: request(), report: {} as MigrationReport }),
    ).rejects.toThrow('lake unavailable');
  });
});
