import { dataFileLocator } from '../../../src/export/locate';
import { checkManifestConsistency, parseManifestFiles } from '../../../src/export/parse-files';
import { migrationFolder, rawCopyPath } from '../../../src/lake/paths';

const MANIFEST = 'orders/AWSDynamoDB/01700000000000-aaaaaaaa/manifest-files.json';
const locate = dataFileLocator(MANIFEST, 'copied/AWSDynamoDB/01700000000000-aaaaaaaa');

describe('manifest keys are normalised, then must be inside the export', () => {
  test.each([
    [
      'orders/AWSDynamoDB/01700000000000-aaaaaaaa/data/f.json.gz',
      'copied/AWSDynamoDB/01700000000000-aaaaaaaa/data/f.json.gz',
    ],
    [
      'orders/AWSDynamoDB/01700000000000-aaaaaaaa/data/./f.json.gz',
      'copied/AWSDynamoDB/01700000000000-aaaaaaaa/data/f.json.gz',
    ],
    [
      'orders/AWSDynamoDB/01700000000000-aaaaaaaa/data/zz/../f.json.gz',
      'copied/AWSDynamoDB/01700000000000-aaaaaaaa/data/f.json.gz',
    ],
    [
      'orders/AWSDynamoDB/01700000000000-aaaaaaaa//data/f.json.gz',
      'copied/AWSDynamoDB/01700000000000-aaaaaaaa/data/f.json.gz',
    ],
    // incremental exports: the shared data folder beside the export folders
    ['orders/AWSDynamoDB/data/g.json.gz', 'copied/AWSDynamoDB/data/g.json.gz'],
  ])('%s → %s', (key, expected) => {
    expect(locate(key)).toBe(expected);
  });

  test.each([
    // another export's folder, reached with `..`
    'orders/AWSDynamoDB/01700000000000-aaaaaaaa/../../../other/AWSDynamoDB/01800000000000-bbbbbbbb/data/v1.json.gz',
    'orders/AWSDynamoDB/01700000000000-aaaaaaaa/../01800000000000-bbbbbbbb/data/v1.json.gz',
    // out of the bucket altogether
    '../../x.json.gz',
    // the export folder itself, or its manifest
    'orders/AWSDynamoDB/01700000000000-aaaaaaaa',
    'orders/AWSDynamoDB/01700000000000-aaaaaaaa-x/data/f.json.gz',
    'elsewhere/a.json.gz',
    'orders/AWSDynamoDB/01700000000000-aaaaaaaa/data/\u0000.json.gz',
    'orders/AWSDynamoDB/01700000000000-aaaaaaaa/data/\ud800.json.gz',
    `orders/AWSDynamoDB/01700000000000-aaaaaaaa/data/${'x'.repeat(1024)}`,
  ])('%j is MANIFEST_INVALID', (key) => {
    expect(() => locate(key)).toThrow(/^\[MANIFEST_INVALID\] data file key /);
  });

  test('a manifestFilesS3Key that climbs out of the bucket is MANIFEST_INVALID', () => {
    expect(() => dataFileLocator('../m/manifest-files.json', 'p/AWSDynamoDB/X')).toThrow(/MANIFEST_INVALID.*climbs/);
  });

  test('one file listed in three spellings is MANIFEST_INCONSISTENT, whatever the counts say', () => {
    const folder = 'orders/AWSDynamoDB/01700000000000-aaaaaaaa/data';
    const text = ['f.json.gz', './f.json.gz', 'zz/../f.json.gz']
      .map((name) =>
        JSON.stringify({ itemCount: 20, md5Checksum: 'q1Vb8wRkY2Jm9dTc0Xf3Hg==', dataFileS3Key: `${folder}/${name}` }),
      )
      .join('\n');
    const files = parseManifestFiles(text, 'm', locate);
    expect(new Set(files.map((f) => f.key)).size).toBe(1);
    expect(() => checkManifestConsistency(60, files, 'm')).toThrow(
      /^\[MANIFEST_INCONSISTENT\] m: data file ".*\/data\/f.json.gz" is listed twice \(entries 1 and 2, in any spelling of its key\)$/,
    );
  });

  test('a bad key names its manifest line and is cut short in the message', () => {
    const text = JSON.stringify({
      itemCount: 1,
      md5Checksum: 'q1Vb8wRkY2Jm9dTc0Xf3Hg==',
      dataFileS3Key: `../${'y'.repeat(5000)}`,
    });
    let message = '';
    try {
      parseManifestFiles(text, 's3://b/m', locate);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /^\[MANIFEST_INVALID\] s3:\/\/b\/m line 1: data file key "\.\.\/y+"… \(5003 characters\) is 5003 bytes long/,
    );
    expect(message.length).toBeLessThan(300);
  });
});

describe('the lake paths refuse what slipped past every check', () => {
  test('ordinary names make the usual paths', () => {
    expect(rawCopyPath('acme', 'p/AWSDynamoDB/X/data/f.json.gz')).toBe('acme/p/AWSDynamoDB/X/data/f.json.gz');
    expect(migrationFolder('acme', 'p/AWSDynamoDB/X/', 'app', 'orders')).toBe(
      'acme/p/AWSDynamoDB/X/_migration/app/orders',
    );
  });

  test.each([
    [() => rawCopyPath('acme', 'p/../../other/report.json'), /^\[MANIFEST_INVALID\] data file key/],
    [() => rawCopyPath('..', 'p/x'), /^\[MANIFEST_INVALID\] bucket/],
    [() => migrationFolder('acme', '../other-bucket/export', 'app', 'orders'), /^\[MANIFEST_INVALID\] export prefix/],
    [() => migrationFolder('acme', 'p//q', 'app', 'orders'), /^\[MANIFEST_INVALID\] export prefix/],
    [
      () => migrationFolder('acme', 'p', '..', 'orders'),
      /^\[CONFIGURATION\] database "\.\." cannot be part of a lake path/,
    ],
    [() => migrationFolder('acme', 'p', 'app', '.'), /^\[CONFIGURATION\] container/],
  ])('%#', (make, message) => {
    expect(make).toThrow(message);
  });
});
