import { documentName, DynamoItem, MappedValue, newPendingStats } from '../../../src/mapping';

const present = (...names: string[]): DynamoItem => Object.fromEntries(names.map((name) => [name, { S: 'x' }]));

describe('documentName (mapping.md §4)', () => {
  test.each<[string, string, MappedValue, DynamoItem, string]>([
    ['ordinary attribute', 'total', 1, present('total'), 'total'],
    ['id equal to the computed id stays', 'id', 'CUST%2342|7', present('id'), 'id'],
    ['id different from the computed id', 'id', 'something else', present('id'), '_ddb_id'],
    ['id with the right text but as a number', 'id', 7, present('id'), '_ddb_id'],
    ['id as the unescaped key', 'id', 'CUST#42|7', present('id'), '_ddb_id'],
    ['_rid', '_rid', 'x', present('_rid'), '_ddb__rid'],
    ['_self', '_self', 'x', present('_self'), '_ddb__self'],
    ['_etag', '_etag', 'x', present('_etag'), '_ddb__etag'],
    ['_attachments', '_attachments', 'x', present('_attachments'), '_ddb__attachments'],
    ['_ts', '_ts', 5, present('_ts'), '_ddb__ts'],
    ['_ddb_id taken', 'id', 'x', present('id', '_ddb_id'), '_ddb__ddb_id'],
    ['_ddb_id and _ddb__ddb_id taken', 'id', 'x', present('id', '_ddb_id', '_ddb__ddb_id'), '_ddb__ddb__ddb_id'],
    ['_ddb__ts taken', '_ts', 5, present('_ts', '_ddb__ts'), '_ddb__ddb__ts'],
    ['_ddb_id itself is not reserved', '_ddb_id', 'x', present('_ddb_id'), '_ddb_id'],
    ['names are case-sensitive', 'ID', 'x', present('ID'), 'ID'],
    ['_TS is not a system property', '_TS', 'x', present('_TS'), '_TS'],
    ['_lsn is not renamed', '_lsn', 'x', present('_lsn'), '_lsn'],
  ])('%s', (_name, name, mapped, item, expected) => {
    const pending = newPendingStats();
    expect(documentName(name, mapped, 'CUST%2342|7', item, pending)).toBe(expected);
    expect(pending.renames).toEqual(expected === name ? [] : [name]);
  });
});
