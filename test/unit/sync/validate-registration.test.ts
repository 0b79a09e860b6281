import { validateTableRegistration } from '../../../src/sync/validate-registration';

const valid = {
  source: { bucket: 'acme-exports', exportsPrefix: 'exports/orders/' },
  keySchema: { partitionKey: 'pk', sortKey: 'sk' },
  target: { database: 'app', container: 'orders' },
};

function fields(name: string, body: unknown, allowed: string[] = []): string[] {
  const result = validateTableRegistration(name, body, allowed);
  return result.ok ? [] : result.problems.map((p) => p.field);
}

describe('validateTableRegistration', () => {
  test('a valid body gets the migration defaults, allowGaps false and a trimmed prefix', () => {
    const result = validateTableRegistration('Orders.v2', valid);
    expect(result).toEqual({
      ok: true,
      registration: expect.objectContaining({
        name: 'Orders.v2',
        source: { bucket: 'acme-exports', exportsPrefix: 'exports/orders' },
        target: { database: 'app', container: 'orders', partitionKeyPaths: ['/pk'] },
        options: expect.objectContaining({ numberMode: 'lossless', sampleSize: 500, allowGaps: false }),
      }),
    });
  });

  test('exportsPrefix may be empty or absent: exports at the bucket root', () => {
    for (const source of [{ bucket: 'acme-exports', exportsPrefix: '' }, { bucket: 'acme-exports' }]) {
      const result = validateTableRegistration('orders', { ...valid, source });
      expect(result.ok && result.registration.source.exportsPrefix).toBe('');
    }
  });

  test.each([
    ['a short name', 'ab', valid, ['(name)']],
    ['a name with a slash', 'a/b', valid, ['(name)']],
    [
      'an export folder instead of the prefix',
      'orders',
      { ...valid, source: { bucket: 'acme-exports', exportsPrefix: 'exports/AWSDynamoDB/0170-ab' } },
      ['source.exportsPrefix'],
    ],
    [
      'a leading slash',
      'orders',
      { ...valid, source: { bucket: 'acme-exports', exportsPrefix: '/exports' } },
      ['source.exportsPrefix'],
    ],
    [
      'a prefix that is not a string',
      'orders',
      { ...valid, source: { bucket: 'acme-exports', exportsPrefix: 7 } },
      ['source.exportsPrefix'],
    ],
    [
      'exportPrefix of a migration',
      'orders',
      { ...valid, source: { bucket: 'acme-exports', exportPrefix: 'x' } },
      ['source.exportPrefix'],
    ],
    ['allowGaps not a boolean', 'orders', { ...valid, options: { allowGaps: 'yes' } }, ['options.allowGaps']],
    ['an unknown option', 'orders', { ...valid, options: { fast: true } }, ['options.fast']],
    ['a body that is not an object', 'orders', [], ['(body)']],
  ])('%s is reported', (_what, name, body, expected) => {
    expect(fields(name, body)).toEqual(expected);
  });

  test('the allow-list applies to the exports prefix', () => {
    expect(fields('orders', valid, ['acme-exports/exports/orders'])).toEqual([]);
    expect(fields('orders', valid, ['other-bucket'])).toEqual(['source']);
  });
});
