/** prepareTarget with a recording Cosmos fake: the request's target is what gets created and checked. */
import { prepareTargetActivity } from '../../../activities/prepare-target';
import { request } from '../orchestrators/fixtures';
import { dependencies, FakeLake } from './fakes';

let containers = 0;

/**
 * Records createIfNotExists calls; the container comes back partitioned on `actualPaths`, or the call fails with
 * `error`. With `offer` the container has a manual throughput offer of that many RU/s; without, reading offers is
 * refused as for an identity with a data-plane role only (403, substatus 5300).
 */
function fakeCosmos(actualPaths: string[], error?: { code: number; message: string }, offer?: number) {
  const calls: unknown[] = [];
  const url = `dbs/shop/colls/orders-${++containers}`;
  const readOffer = async () => {
    if (offer === undefined)
      throw Object.assign(new Error('Request blocked by Auth cosmos'), { code: 403, substatus: 5300 });
    return { resource: { content: { offerThroughput: offer } } };
  };
  const cosmos = {
    databases: {
      async createIfNotExists(definition: unknown) {
        calls.push(['database', definition]);
        if (error) throw Object.assign(new Error(error.message), { code: error.code });
        return {
          database: {
            containers: {
              async createIfNotExists(container: unknown) {
                calls.push(['container', container]);
                return { resource: { partitionKey: { paths: actualPaths } } };
              },
            },
          },
        };
      },
    },
    database: (database: string) => ({
      container: (container: string) => ({
        url,
        id: container,
        readOffer,
        database: { id: database, readOffer },
      }),
    }),
  };
  return { cosmos, calls };
}

describe('prepareTarget activity', () => {
  test('creates the lake container, then the target database and container with the requested partition key', async () => {
    const lake = new FakeLake();
    const { cosmos, calls } = fakeCosmos(['/pk']);
    const outcome = await prepareTargetActivity(dependencies({ lake, cosmos, settings: { lakeContainer: 'raw' } }))(
      request(),
    );

    expect(outcome).toEqual({
      ok: true,
      lakeContainer: 'raw',
      ruCap: { source: 'none', detail: expect.stringMatching(/^no cap: .*403\/5300.*COSMOS_THROUGHPUT is not set$/) },
    });
    expect(lake.containerCreated).toBe(1);
    expect(calls).toEqual([
      ['database', { id: 'shop' }],
      ['container', { id: 'orders', partitionKey: { paths: ['/pk'], version: 2 } }],
    ]);
  });

  test('a hierarchical key asks for a MultiHash container', async () => {
    const { cosmos, calls } = fakeCosmos(['/pk', '/sk']);
    const base = request();
    const outcome = await prepareTargetActivity(dependencies({ cosmos }))({
      ...base,
      target: { ...base.target, partitionKeyPaths: ['/pk', '/sk'] },
    });

    expect(outcome).toMatchObject({ ok: true });
    expect(calls[1]).toEqual([
      'container',
      { id: 'orders', partitionKey: { paths: ['/pk', '/sk'], kind: 'MultiHash', version: 2 } },
    ]);
  });

  test('an existing container partitioned otherwise is PARTITION_KEY_MISMATCH, as data', async () => {
    const { cosmos } = fakeCosmos(['/id']);
    const outcome = await prepareTargetActivity(dependencies({ cosmos }))(request());

    expect(outcome).toEqual({
      ok: false,
      code: 'PARTITION_KEY_MISMATCH',
      message: expect.stringContaining('container shop/orders is partitioned on [/id] but the migration needs [/pk]'),
    });
  });

  test('an identity that may not create the container is CONFIGURATION, as data', async () => {
    const { cosmos } = fakeCosmos([], { code: 403, message: 'Forbidden' });
    const outcome = await prepareTargetActivity(dependencies({ cosmos }))(request());

    expect(outcome).toMatchObject({ ok: false, code: 'CONFIGURATION' });
    expect((outcome as { message: string }).message).toMatch(
      /^\[CONFIGURATION\] container shop\/orders does not exist/,
    );
  });

  test('the RU cap and its source: COSMOS_THROUGHPUT where the offer may not be read', async () => {
    const { cosmos } = fakeCosmos(['/pk']);
    const outcome = await prepareTargetActivity(
      dependencies({ cosmos, settings: { cosmosThroughput: 'shop=autoscale:4000' } }),
    )(request());
    expect(outcome).toMatchObject({ ok: true, ruCap: { requestUnitsPerSecond: 3200, source: 'setting' } });
  });

  test("the RU cap: the request's, else 80% of the container's provisioned throughput", async () => {
    const { cosmos } = fakeCosmos(['/pk'], undefined, 1000);
    const requested = await prepareTargetActivity(dependencies({ cosmos }))(request({ maxRequestUnitsPerSecond: 450 }));
    expect(requested).toMatchObject({ ok: true, ruCap: { requestUnitsPerSecond: 450, source: 'request' } });

    const provisioned = await prepareTargetActivity(dependencies({ cosmos }))(request());
    expect(provisioned).toMatchObject({ ok: true, ruCap: { requestUnitsPerSecond: 800, source: 'offer' } });
  });

  test('a malformed COSMOS_THROUGHPUT is CONFIGURATION, as data', async () => {
    const { cosmos } = fakeCosmos(['/pk']);
    const outcome = await prepareTargetActivity(dependencies({ cosmos, settings: { cosmosThroughput: 'shop' } }))(
      request(),
    );
    expect(outcome).toMatchObject({ ok: false, code: 'CONFIGURATION' });
  });

  test('any other Cosmos error is thrown, for Durable to retry', async () => {
    const { cosmos } = fakeCosmos([], { code: 503, message: 'Service unavailable' });
    await expect(prepareTargetActivity(dependencies({ cosmos }))(request())).rejects.toThrow('Service unavailable');
  });
});
