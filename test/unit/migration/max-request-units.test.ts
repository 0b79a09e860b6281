import { validateMigrationRequest } from '../../../src/migration/validate-request';

const valid = {
  source: { bucket: 'acme-exports', exportPrefix: 'exports/t/AWSDynamoDB/01700000000000-abcdef12' },
  keySchema: { partitionKey: 'pk' },
  target: { database: 'app', container: 'orders' },
};

describe('options.maxRequestUnitsPerSecond', () => {
  test('absent: no fixed value, the load works the default out from the provisioned throughput', () => {
    const result = validateMigrationRequest(valid);
    expect(result.ok && 'maxRequestUnitsPerSecond' in result.request.options).toBe(false);
  });

  test('a positive integer is kept', () => {
    const result = validateMigrationRequest({ ...valid, options: { maxRequestUnitsPerSecond: 4000 } });
    expect(result.ok && result.request.options.maxRequestUnitsPerSecond).toBe(4000);
  });

  test.each([0, -5, 1.5, '4000', null, 20_000_000])('%j is refused, naming the field', (value) => {
    const result = validateMigrationRequest({ ...valid, options: { maxRequestUnitsPerSecond: value } });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems).toEqual([
        { field: 'options.maxRequestUnitsPerSecond', message: 'must be an integer from 1 to 10000000' },
      ]);
  });
});
