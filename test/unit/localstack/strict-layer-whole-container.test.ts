/**
 * The strict layer's answers for reading a whole container (tools/localstack/strict-cosmos/layer.ts): the pages of
 * `SELECT * FROM c` and the read feed come from the stored items, and the query plan the SDK asks for with every
 * page of `items.readAll()` is answered from the query text. Run by the server, each plan was a pass over the
 * whole container, so a million documents read in pages of 1,000 took a thousand passes. The view is a list of
 * items and the forward records what would reach the server, which none of these requests should.
 */
import type { AccountView } from '../../../tools/localstack/strict-cosmos/account-view';
import { createStrictCosmosLayer } from '../../../tools/localstack/strict-cosmos/layer';
import { resolveStrictCosmosOptions } from '../../../tools/localstack/strict-cosmos/options';
import type { ForwardedRequest } from '../../../tools/localstack/strict-cosmos/proxy';
import { jsonAnswer } from '../../../tools/localstack/strict-cosmos/wire';

const stored = Array.from({ length: 25 }, (_, i) => ({ id: `item-${i}`, pk: `p${i % 4}` }));

const view: AccountView = {
  database: () => ({ rid: 'db-rid', self: 'dbs/db-rid/' }),
  container: () => ({
    rid: 'coll-rid',
    self: 'dbs/db-rid/colls/coll-rid/',
    partitionKey: { paths: ['/pk'], kind: 'Hash', version: 2 },
  }),
  document: () => undefined,
  documentCount: () => stored.length,
  documentsPage: (_db, _coll, offset, count) => ({
    documents: stored.slice(offset, offset + count),
    more: offset + count < stored.length,
  }),
};

function layerWithForwardLog(): { process: (request: ForwardedRequest) => Promise<any>; forwarded: string[] } {
  const forwarded: string[] = [];
  const layer = createStrictCosmosLayer({
    forward: (request) => {
      forwarded.push(`${request.method} ${request.url}`);
      return Promise.resolve(jsonAnswer(200, { Documents: [], _count: 0 }));
    },
    view,
    options: resolveStrictCosmosOptions({ strict: true, defaultThroughput: 10_000 }, {}),
  });
  return {
    forwarded,
    process: async (request) => {
      const answer = await layer.process(request);
      return { status: answer.status, headers: answer.headers, body: JSON.parse(answer.body.toString()) };
    },
  };
}

const queryRequest = (query: string, headers: Record<string, string> = {}): ForwardedRequest => ({
  method: 'POST',
  url: '/dbs/db/colls/items/docs',
  headers: {
    'x-ms-documentdb-isquery': 'true',
    'content-type': 'application/query+json',
    'x-ms-documentdb-query-enablecrosspartition': 'true',
    ...headers,
  },
  body: Buffer.from(JSON.stringify({ query, parameters: [] })),
});

describe('strict layer: a whole container read', () => {
  it('answers the query plan of SELECT * FROM c itself: no aggregates, no ordering, every range', async () => {
    const { process, forwarded } = layerWithForwardLog();
    const answer = await process(queryRequest('SELECT * from c', { 'x-ms-cosmos-is-query-plan-request': 'True' }));
    expect(answer.status).toBe(200);
    expect(answer.body.queryInfo).toMatchObject({ aggregates: [], orderBy: [], hasSelectValue: false, top: null });
    expect(answer.body.queryRanges).toEqual([{ min: '', max: 'FF', isMinInclusive: true, isMaxInclusive: false }]);
    expect(forwarded).toEqual([]);
  });

  it('pages SELECT * FROM c from the stored items, every item once, with an offset continuation', async () => {
    const { process, forwarded } = layerWithForwardLog();
    const ids: string[] = [];
    let continuation: string | undefined;
    for (;;) {
      const page = await process(
        queryRequest('SELECT * FROM c', {
          'x-ms-max-item-count': '10',
          ...(continuation ? { 'x-ms-continuation': continuation } : {}),
        }),
      );
      expect(page.status).toBe(200);
      expect(Number(page.headers['x-ms-request-charge'])).toBeGreaterThanOrEqual(1);
      ids.push(...page.body.Documents.map((d: { id: string }) => d.id));
      continuation = page.headers['x-ms-continuation'];
      if (!continuation) break;
    }
    expect(ids).toEqual(stored.map((s) => s.id));
    expect(forwarded).toEqual([]);
  });

  it('sends other queries and their plans on to the server', async () => {
    const { process, forwarded } = layerWithForwardLog();
    await process(queryRequest('SELECT * FROM c WHERE c.pk = "p1"', { 'x-ms-cosmos-is-query-plan-request': 'True' }));
    await process(queryRequest('SELECT c.id FROM c'));
    expect(forwarded).toHaveLength(2);
  });
});
