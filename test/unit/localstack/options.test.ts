import { resolveStrictCosmosOptions, strictCosmosArgs } from '../../../tools/localstack/strict-cosmos/options';
import { classify, isManagementOperation } from '../../../tools/localstack/strict-cosmos/wire';

describe('strict layer switches', () => {
  test('on by default; options beat the environment, the environment beats the defaults', () => {
    expect(resolveStrictCosmosOptions(undefined, {})).toEqual({
      strict: true,
      entraIdOnly: false,
      serverless: false,
      defaultThroughput: 400,
    });
    const env = { LOCALSTACK_COSMOS_STRICT: 'off', LOCALSTACK_COSMOS_ENTRA_ID_ONLY: '1' };
    expect(resolveStrictCosmosOptions(undefined, env)).toEqual({
      strict: false,
      entraIdOnly: true,
      serverless: false,
      defaultThroughput: 400,
    });
    expect(resolveStrictCosmosOptions({ strict: true }, env)).toMatchObject({ strict: true, entraIdOnly: true });
    expect(resolveStrictCosmosOptions(undefined, { LOCALSTACK_COSMOS_SERVERLESS: 'maybe' }).serverless).toBe(false);
  });

  test('a default container throughput is taken only as the service would accept it', () => {
    expect(
      resolveStrictCosmosOptions(undefined, { LOCALSTACK_COSMOS_DEFAULT_THROUGHPUT: '10000' }).defaultThroughput,
    ).toBe(10_000);
    expect(resolveStrictCosmosOptions({ defaultThroughput: 350 }, {}).defaultThroughput).toBe(400);
    expect(resolveStrictCosmosOptions({ defaultThroughput: 1050 }, {}).defaultThroughput).toBe(400);
    expect(
      resolveStrictCosmosOptions({ defaultThroughput: 2000 }, { LOCALSTACK_COSMOS_DEFAULT_THROUGHPUT: '900' }),
    ).toMatchObject({
      defaultThroughput: 2000,
    });
  });

  test('the cosmos child gets every switch on its command line', () => {
    expect(strictCosmosArgs({ strict: true, entraIdOnly: true, serverless: false, defaultThroughput: 400 })).toEqual([
      '--strict',
      'on',
      '--entra-id-only',
      'on',
      '--serverless',
      'off',
      '--default-throughput',
      '400',
    ]);
  });
});

describe('requests as the layer sees them', () => {
  const none = {};
  test('document operations, by method and the SDK’s headers', () => {
    expect(classify('POST', '/dbs/d/colls/c/docs', none)).toMatchObject({ kind: 'documents', op: 'create' });
    expect(classify('POST', '//dbs/d/colls/c/docs/', { 'x-ms-documentdb-is-upsert': 'True' })).toMatchObject({
      op: 'upsert',
    });
    expect(classify('POST', '/dbs/d/colls/c/docs', { 'x-ms-cosmos-is-batch-request': 'true' })).toMatchObject({
      op: 'batch',
    });
    expect(classify('POST', '/dbs/d/colls/c/docs', { 'content-type': 'application/query+json' })).toMatchObject({
      op: 'query',
    });
    expect(classify('GET', '/dbs/d/colls/c/docs/a%20b', none)).toMatchObject({
      kind: 'document',
      id: 'a b',
      op: 'read',
    });
  });

  test('ids the URL could not carry', () => {
    expect(classify('GET', '/dbs/d/colls/c/docs/a/b', none)).toMatchObject({ id: 'a/b', mangled: 'slash' });
    expect(classify('DELETE', '/dbs/d/colls/c/docs/a?b', none)).toMatchObject({ id: 'a?b', mangled: 'query' });
  });

  test('management operations, refused in the Entra-ID-only mode', () => {
    const management = [
      ['POST', '/dbs'],
      ['DELETE', '/dbs/d'],
      ['POST', '/dbs/d/colls'],
      ['PUT', '/dbs/d/colls/c'],
      ['DELETE', '/dbs/d/colls/c'],
      ['POST', '/offers'],
      ['GET', '/offers/x'],
      ['PUT', '/offers/x'],
      ['POST', '/dbs/d/colls/c/udfs'],
    ];
    for (const [method, url] of management) expect(isManagementOperation(classify(method, url, none))).toBe(true);
    const data = [
      ['GET', '/dbs/d'],
      ['GET', '/dbs/d/colls/c'],
      ['GET', '/dbs/d/colls/c/pkranges'],
      ['POST', '/dbs/d/colls/c/docs'],
      ['DELETE', '/dbs/d/colls/c/docs/a'],
      ['GET', '/'],
    ];
    for (const [method, url] of data) expect(isManagementOperation(classify(method, url, none))).toBe(false);
  });
});
