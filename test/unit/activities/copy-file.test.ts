/**
 * copyFile on an in-memory lake and S3: the request's bucket and the file are passed through to copyToLake, and its
 * permanent failures become outcomes. (The copies themselves, server-side or streamed, need the real services: they
 * are covered by the integration tests.)
 */
import { copyFileActivity } from '../../../activities/copy-file';
import type { CopyFileInput } from '../../../src/migration/contracts';
import { request } from '../orchestrators/fixtures';
import { dependencies, FakeLake, FakeS3, md5 } from './fakes';

const KEY = 'orders/AWSDynamoDB/01700000000000-abcdef01/data/aaa.json.gz';
const BODY = Buffer.from('gzip bytes of the data file');

function input(copyMode: 'auto' | 'stream' = 'stream', md5Checksum = md5(BODY)): CopyFileInput {
  return { request: request({ copyMode }), file: { index: 0, key: KEY, itemCount: 2, md5Checksum } };
}

describe('copyFile activity', () => {
  test('a copy already in the lake with the manifest checksum is skipped; S3 is not read', async () => {
    const lake = new FakeLake();
    lake.put(`exports/${KEY}`, BODY, { contentMD5: md5(BODY) });
    const s3 = new FakeS3();
    const outcome = await copyFileActivity(dependencies({ lake, s3 }))(input('auto'));

    expect(outcome).toEqual({ ok: true, lakePath: `exports/${KEY}`, bytes: 0, method: 'skipped' });
    expect(s3.requests).toEqual([]);
  });

  test('a data file missing from S3 is DATA_FILE_MISSING, as data', async () => {
    const outcome = await copyFileActivity(dependencies({ lake: new FakeLake(), s3: new FakeS3() }))(input());

    expect(outcome).toEqual({
      ok: false,
      code: 'DATA_FILE_MISSING',
      message: `[DATA_FILE_MISSING] s3://exports/${KEY} is listed in the manifest but does not exist`,
    });
  });

  test('a lake error other than not-found is thrown, for Durable to retry', async () => {
    const lake = new FakeLake();
    const error = new Error('lake unavailable');
    lake.getBlockBlobClient = () => {
      throw error;
    };
    await expect(copyFileActivity(dependencies({ lake }))(input())).rejects.toBe(error);
  });
});
