import { Container } from '@azure/cosmos';
import { readProvisionedThroughput, resolveRuCap } from '../../../src/cosmos/throughput';

function containerWith(own: unknown, database: unknown, url = `dbs/d/colls/${Math.random()}`): Container {
  const answer = (offer: unknown) => async () => {
    if (offer instanceof Error) throw offer;
    return { resource: offer === undefined ? undefined : { content: offer } };
  };
  return { url, readOffer: answer(own), database: { readOffer: answer(database) } } as unknown as Container;
}

describe('readProvisionedThroughput', () => {
  test('manual throughput on the container', async () => {
    expect(await readProvisionedThroughput(containerWith({ offerThroughput: 1000 }, undefined))).toEqual({
      kind: 'manual',
      scope: 'container',
      maxRequestUnitsPerSecond: 1000,
    });
  });

  test('autoscale: its maximum', async () => {
    expect(
      await readProvisionedThroughput(
        containerWith({ offerThroughput: 400, offerAutopilotSettings: { maxThroughput: 4000 } }, undefined),
      ),
    ).toEqual({
      kind: 'autoscale',
      scope: 'container',
      maxRequestUnitsPerSecond: 4000,
    });
  });

  test('shared database throughput', async () => {
    expect(
      await readProvisionedThroughput(containerWith(undefined, { offerAutopilotSettings: { maxThroughput: 10_000 } })),
    ).toEqual({
      kind: 'autoscale',
      scope: 'database',
      maxRequestUnitsPerSecond: 10_000,
    });
  });

  test('serverless (no offer) and unreadable offers are none, with the reason', async () => {
    expect(await readProvisionedThroughput(containerWith(undefined, undefined))).toEqual({
      kind: 'none',
      reason: expect.stringMatching(/serverless/),
    });
    const refused = Object.assign(new Error('Request blocked by Auth\nmore'), { code: 403 });
    expect(await readProvisionedThroughput(containerWith(refused, undefined))).toEqual({
      kind: 'none',
      reason: 'the throughput offer could not be read (403 Request blocked by Auth)',
    });
  });
});

describe('resolveRuCap', () => {
  test('the request option wins', async () => {
    expect(await resolveRuCap(containerWith({ offerThroughput: 1000 }, undefined), 250)).toEqual({
      requestUnitsPerSecond: 250,
      source: 'options.maxRequestUnitsPerSecond',
    });
  });

  test('default: 80% of the provisioned throughput, 20% left to the live application', async () => {
    const cap = await resolveRuCap(
      containerWith({ offerAutopilotSettings: { maxThroughput: 4000 } }, undefined),
      undefined,
    );
    expect(cap.requestUnitsPerSecond).toBe(3200);
    expect(cap.source).toMatch(/80% of the container's autoscale 4000 RU\/s/);
  });

  test('nothing to read: no cap', async () => {
    const cap = await resolveRuCap(
      containerWith(Object.assign(new Error('no route'), { code: 400 }), undefined),
      undefined,
    );
    expect(cap.requestUnitsPerSecond).toBeUndefined();
  });

  test('offers are read once per container for a while', async () => {
    let reads = 0;
    const container = {
      url: 'dbs/d/colls/cached',
      readOffer: async () => (reads++, { resource: { content: { offerThroughput: 500 } } }),
      database: {},
    } as unknown as Container;
    await resolveRuCap(container, undefined, 1000);
    await resolveRuCap(container, undefined, 2000);
    expect(reads).toBe(1);
    await resolveRuCap(container, undefined, 1000 + 6 * 60_000);
    expect(reads).toBe(2);
  });
});
