import {
  deleteCharge,
  insertCharge,
  queryCharge,
  readCharge,
  replaceCharge,
} from '../../../tools/localstack/strict-cosmos/charges';
import { measureDocument } from '../../../tools/localstack/strict-cosmos/document-rules';

const KB = 1024;

/** The two inserts the .NET tutorial prints (learn.microsoft.com/azure/cosmos-db/sql-api-get-started, "Run the app"). */
const andersen = {
  id: 'Andersen.1',
  LastName: 'Andersen',
  Parents: [
    { FamilyName: null, FirstName: 'Thomas' },
    { FamilyName: null, FirstName: 'Mary Kay' },
  ],
  Children: [
    { FamilyName: null, FirstName: 'Henriette Thaulow', Gender: 'female', Grade: 5, Pets: [{ GivenName: 'Fluffy' }] },
  ],
  Address: { State: 'WA', County: 'King', City: 'Seattle' },
  IsRegistered: false,
};
const wakefield = {
  id: 'Wakefield.7',
  LastName: 'Wakefield',
  Parents: [
    { FamilyName: 'Wakefield', FirstName: 'Robin' },
    { FamilyName: 'Miller', FirstName: 'Ben' },
  ],
  Children: [
    {
      FamilyName: 'Merriam',
      FirstName: 'Jesse',
      Gender: 'female',
      Grade: 8,
      Pets: [{ GivenName: 'Goofy' }, { GivenName: 'Shadow' }],
    },
    { FamilyName: 'Miller', FirstName: 'Lisa', Gender: 'female', Grade: 1, Pets: null },
  ],
  Address: { State: 'NY', County: 'Manhattan', City: 'NY' },
  IsRegistered: true,
};

function insertOf(document: object): number {
  return insertCharge(Buffer.byteLength(JSON.stringify(document)), measureDocument(document).indexedTerms);
}

describe('request charge model', () => {
  test('a 1 KB point read costs 1 RU and a 100 KB one 10 RU (optimize-cost-reads-writes)', () => {
    expect(readCharge(100)).toBe(1);
    expect(readCharge(KB)).toBe(1);
    expect(readCharge(100 * KB)).toBe(10);
    expect(readCharge(10 * KB)).toBeCloseTo(1.82, 2);
  });

  test('a 1 KB insert with a few properties costs about 5.5 RU (optimize-cost-reads-writes#writing-data)', () => {
    expect(insertCharge(KB, 3)).toBeGreaterThanOrEqual(5);
    expect(insertCharge(KB, 3)).toBeLessThanOrEqual(6);
  });

  test('writes grow with size: 100 KB is ten times 1 KB with indexing off, as key-value-store-cost tabulates (5 → 50)', () => {
    expect(insertCharge(100 * KB, 0) - insertCharge(KB, 0)).toBeCloseTo(45, 5);
    expect(insertCharge(10 * KB, 3)).toBeGreaterThan(insertCharge(KB, 3));
  });

  test('writes grow with indexed properties: the tutorial inserts within 2% of their printed charges', () => {
    expect(measureDocument(andersen).indexedTerms).toBe(15);
    expect(measureDocument(wakefield).indexedTerms).toBe(21);
    expect(Math.abs(insertOf(andersen) - 11.43) / 11.43).toBeLessThan(0.02);
    expect(Math.abs(insertOf(wakefield) - 14.29) / 14.29).toBeLessThan(0.02);
  });

  test('a replace costs twice the insert; a delete costs the insert of what it removes', () => {
    expect(replaceCharge(KB, 3)).toBeCloseTo(2 * insertCharge(KB, 3), 5);
    expect(deleteCharge(KB, 3)).toBe(insertCharge(KB, 3));
  });

  test('a query page costs 1 RU per KB returned (1,000 1-KB items: 1,000 RU), at least 1', () => {
    expect(queryCharge(1000 * KB)).toBe(1000);
    expect(queryCharge(10)).toBe(1);
  });

  test('the indexing policy decides what counts: excluded paths and indexing mode none', () => {
    const item = { id: 'a', pk: 'p', body: { text: 'x', tags: ['a', 'b'] }, n: 1 };
    expect(measureDocument(item).indexedTerms).toBe(6);
    expect(measureDocument(item, { excludedPaths: [{ path: '/body/*' }] }).indexedTerms).toBe(3);
    expect(
      measureDocument(item, { includedPaths: [{ path: '/pk/?' }], excludedPaths: [{ path: '/*' }] }).indexedTerms,
    ).toBe(1);
    expect(measureDocument(item, { indexingMode: 'none' }).indexedTerms).toBe(0);
    expect(measureDocument({ ...item, _rid: 'r', _etag: 'e', _ts: 1, _self: 's' }).indexedTerms).toBe(6);
  });
});
