import { dataFileLocator } from '../../../src/export/locate';
import { checkManifestConsistency, parseManifestFiles } from '../../../src/export/parse-files';
import { parseExportSummary } from '../../../src/export/parse-summary';

const full = {
  version: '2020-06-30',
  exportArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/export/01767225600000-3f9a0c1e',
  exportTime: '2026-01-01T00:00:00.000Z',
  manifestFilesS3Key: 'orders/AWSDynamoDB/01767225600000-3f9a0c1e/manifest-files.json',
  itemCount: 2,
  outputFormat: 'DYNAMODB_JSON',
};

describe('parseExportSummary', () => {
  test('a full export without exportType is a full export, id from the ARN', () => {
    const summary = parseExportSummary(JSON.stringify(full), 'summary');
    expect(summary.exportType).toBe('FULL_EXPORT');
    expect(summary.exportId).toBe('01767225600000-3f9a0c1e');
    expect(summary.exportTime).toBe('2026-01-01T00:00:00.000Z');
  });

  test('exportFromTime without exportType means incremental', () => {
    const summary = parseExportSummary(
      JSON.stringify({
        ...full,
        exportTime: undefined,
        exportFromTime: '2026-01-01T00:00:00.000Z',
        exportToTime: '2026-01-01T01:00:00.000Z',
      }),
      's',
    );
    expect(summary.exportType).toBe('INCREMENTAL_EXPORT');
  });

  test('unknown fields are ignored', () => {
    expect(parseExportSummary(JSON.stringify({ ...full, somethingNew: 1 }), 's').itemCount).toBe(2);
  });

  test('both output formats are read: DYNAMODB_JSON (also when absent) and ION', () => {
    expect(parseExportSummary(JSON.stringify(full), 's').outputFormat).toBe('DYNAMODB_JSON');
    expect(parseExportSummary(JSON.stringify({ ...full, outputFormat: undefined }), 's').outputFormat).toBe(
      'DYNAMODB_JSON',
    );
    expect(parseExportSummary(JSON.stringify({ ...full, outputFormat: 'ION' }), 's').outputFormat).toBe('ION');
  });

  test.each([
    [{ ...full, outputFormat: 'CSV' }, /UNSUPPORTED_FORMAT.*"CSV" is not supported.*DYNAMODB_JSON or ION/],
    [{ ...full, exportType: 'PARTIAL' }, /UNSUPPORTED_FORMAT.*PARTIAL/],
    [{ ...full, exportArn: undefined }, /MANIFEST_INVALID.*exportArn/],
    [{ ...full, itemCount: -1 }, /MANIFEST_INVALID.*itemCount/],
    [{ ...full, manifestFilesS3Key: '' }, /MANIFEST_INVALID.*manifestFilesS3Key/],
  ])('rejects %j', (summary, message) => {
    expect(() => parseExportSummary(JSON.stringify(summary), 's3://b/k')).toThrow(message);
  });

  test('rejects text that is not a JSON object, naming where it is', () => {
    expect(() => parseExportSummary('[1]', 's3://b/manifest-summary.json')).toThrow(
      /s3:\/\/b\/manifest-summary.json is not a JSON object/,
    );
  });
});

describe('dataFileLocator', () => {
  test.each([
    // copied full export: data files follow the export folder
    [
      'orders/AWSDynamoDB/X/manifest-files.json',
      'copied/here/AWSDynamoDB/X',
      'orders/AWSDynamoDB/X/data/a.json.gz',
      'copied/here/AWSDynamoDB/X/data/a.json.gz',
    ],
    // incremental export: the shared data folder sits beside the export folders
    [
      'orders/AWSDynamoDB/Y/manifest-files.json',
      'moved/AWSDynamoDB/Y',
      'orders/AWSDynamoDB/data/b.json.gz',
      'moved/AWSDynamoDB/data/b.json.gz',
    ],
    // no S3Prefix on export
    [
      'AWSDynamoDB/X/manifest-files.json',
      'AWSDynamoDB/X',
      'AWSDynamoDB/X/data/c.json.gz',
      'AWSDynamoDB/X/data/c.json.gz',
    ],
    [
      'AWSDynamoDB/X/manifest-files.json',
      'p/AWSDynamoDB/X/',
      'AWSDynamoDB/X/data/c.json.gz',
      'p/AWSDynamoDB/X/data/c.json.gz',
    ],
  ])('%s read at %s: %s → %s', (manifestKey, prefix, dataKey, expected) => {
    expect(dataFileLocator(manifestKey, prefix)(dataKey)).toBe(expected);
  });

  test('a key outside the export tree is an error', () => {
    expect(() =>
      dataFileLocator('orders/AWSDynamoDB/X/manifest-files.json', 'orders/AWSDynamoDB/X')('elsewhere/a.json.gz'),
    ).toThrow(/MANIFEST_INVALID/);
  });
});

describe('parseManifestFiles', () => {
  const locate = (key: string): string => key;
  const line = (over: object = {}): string =>
    JSON.stringify({
      itemCount: 2,
      md5Checksum: 'q1Vb8wRkY2Jm9dTc0Xf3Hg==',
      etag: 'x-1',
      dataFileS3Key: 'p/data/a.json.gz',
      ...over,
    });

  test('reads JSON Lines with the trailing newline, indexes in order', () => {
    const files = parseManifestFiles(
      `${line()}\n${line({ dataFileS3Key: 'p/data/b.json.gz', itemCount: 0 })}\n`,
      'm',
      locate,
    );
    expect(files).toEqual([
      { index: 0, key: 'p/data/a.json.gz', itemCount: 2, md5Checksum: 'q1Vb8wRkY2Jm9dTc0Xf3Hg==' },
      { index: 1, key: 'p/data/b.json.gz', itemCount: 0, md5Checksum: 'q1Vb8wRkY2Jm9dTc0Xf3Hg==' },
    ]);
  });

  test.each([
    ['{not json', /line 2 is not valid JSON/],
    [line({ md5Checksum: 'abc' }), /line 2: field "md5Checksum"/],
    [line({ itemCount: 1.5 }), /line 2: field "itemCount"/],
    [line({ dataFileS3Key: undefined }), /line 2: field "dataFileS3Key" is missing/],
  ])('names the line of a bad entry: %s', (bad, message) => {
    expect(() => parseManifestFiles(`${line()}\n${bad}\n`, 'manifest-files.json', locate)).toThrow(message);
  });

  test('summary and files must agree', () => {
    const files = parseManifestFiles(`${line()}\n`, 'm', locate);
    expect(() => checkManifestConsistency(3, files, 'm')).toThrow(/MANIFEST_INCONSISTENT.*itemCount 3.*lists 2 items/);
    expect(() => checkManifestConsistency(2, files, 'm')).not.toThrow();
  });

  test('a file listed twice is inconsistent', () => {
    const files = parseManifestFiles(`${line({ itemCount: 1 })}\n${line({ itemCount: 1 })}\n`, 'm', locate);
    expect(() => checkManifestConsistency(2, files, 'm')).toThrow(/listed twice/);
  });
});
