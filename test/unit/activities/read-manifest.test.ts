/** readManifest on an in-memory S3: the request's bucket and folder are read, and problems become outcomes. */
import { S3ServiceException } from '@aws-sdk/client-s3';
import { readManifestActivity } from '../../../activities/read-manifest';
import { request } from '../orchestrators/fixtures';
import { dependencies, FakeS3, md5 } from './fakes';

const EXPORT_ID = '01700000000000-abcdef01';
/** Where the export was written, as its manifests say … */
const WRITTEN = `orders/AWSDynamoDB/${EXPORT_ID}`;
/** … and where it was copied to, as the request says. */
const COPIED = `copied/AWSDynamoDB/${EXPORT_ID}`;

function copiedRequest() {
  const base = request();
  return { ...base, source: { bucket: 'exports', exportPrefix: COPIED } };
}

function exportIn(s3: FakeS3, folder: string, summary: Record<string, unknown> = {}): void {
  s3.put(
    'exports',
    `${folder}/manifest-summary.json`,
    JSON.stringify({
      version: '2020-06-30',
      exportArn: `arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/export/${EXPORT_ID}`,
      exportTime: '2023-12-31T00:00:00.000Z',
      manifestFilesS3Key: `${WRITTEN}/manifest-files.json`,
      itemCount: 5,
      outputFormat: 'DYNAMODB_JSON',
      ...summary,
    }),
  );
  s3.put(
    'exports',
    `${folder}/manifest-files.json`,
    [
      { itemCount: 2, md5Checksum: md5('a'), etag: 'e1', dataFileS3Key: `${WRITTEN}/data/aaa.json.gz` },
      { itemCount: 3, md5Checksum: md5('b'), etag: 'e2', dataFileS3Key: `${WRITTEN}/data/bbb.json.gz` },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n'),
  );
}

describe('readManifest activity', () => {
  test('reads the manifests from the request bucket and folder; data files are located where the export is now', async () => {
    const s3 = new FakeS3();
    exportIn(s3, COPIED);
    const result = await readManifestActivity(dependencies({ s3 }))(copiedRequest());

    expect(result).toEqual({
      ok: true,
      summary: expect.objectContaining({ exportId: EXPORT_ID, exportType: 'FULL_EXPORT', itemCount: 5 }),
      files: [
        { index: 0, key: `${COPIED}/data/aaa.json.gz`, itemCount: 2, md5Checksum: md5('a') },
        { index: 1, key: `${COPIED}/data/bbb.json.gz`, itemCount: 3, md5Checksum: md5('b') },
      ],
    });
    expect(s3.requests.filter((r) => r.endsWith('.json'))).toEqual([
      `GetObject exports/${COPIED}/manifest-summary.json`,
      `GetObject exports/${COPIED}/manifest-files.json`,
    ]);
  });

  test('an export that has not finished is EXPORT_INCOMPLETE, as data', async () => {
    const result = await readManifestActivity(dependencies({ s3: new FakeS3() }))(copiedRequest());

    expect(result).toEqual({
      ok: false,
      code: 'EXPORT_INCOMPLETE',
      message: expect.stringMatching(
        new RegExp(`^\\[EXPORT_INCOMPLETE\\] s3://exports/${COPIED}/manifest-summary.json does not exist`),
      ),
    });
  });

  test('manifests that disagree are MANIFEST_INCONSISTENT, as data', async () => {
    const s3 = new FakeS3();
    exportIn(s3, COPIED, { itemCount: 6 });
    const result = await readManifestActivity(dependencies({ s3 }))(copiedRequest());

    expect(result).toMatchObject({ ok: false, code: 'MANIFEST_INCONSISTENT' });
    expect((result as { message: string }).message).toContain('itemCount 6 but manifest-files.json lists 5 items');
  });

  test('an S3 server error is thrown, for Durable to retry', async () => {
    const s3 = new FakeS3();
    const error = new S3ServiceException({
      name: 'InternalError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
      message: 'We encountered an internal error.',
    });
    s3.send = async () => {
      throw error;
    };
    // Thrown (a retryable error), not returned as a failure outcome.
    await expect(readManifestActivity(dependencies({ s3 }))(copiedRequest())).rejects.toThrow(
      'We encountered an internal error.',
    );
  });
});
