import { Container } from '@azure/cosmos';
import { MigrationError } from '../../../src/errors';
import {
  parseThroughputSetting,
  readProvisionedThroughput,
  resolveRuCap,
  throughputSettingFor,
} from '../../../src/cosmos/throughput';

let containers = 0;

function containerWith(own: unknown, database: unknown, names = { database: 'app', container: 'orders' }): Container {
  const answer = (offer: unknown) => async () => {
    if (offer instanceof Error) throw offer;
    return { resource: offer === undefined ? undefined : { content: offer } };
  };
  return {
    id: names.container,
    url: `dbs/${names.database}/colls/${names.container}-${containers++}`,
    readOffer: answer(own),
    database: { id: names.database, readOffer: answer(database) },
  } as unknown as Container;
}

/** What the data plane answers an Entra ID token's offer read on an account with key auth disabled. */
const entraOnly = (): Error =>
  Object.assign(
    new Error('Request blocked by Auth cosmos: the given request cannot be authorized by AAD token\nmore'),
    {
      code: 403,
      substatus: 5300,
    },
  );

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
    ).toEqual({ kind: 'autoscale', scope: 'container', maxRequestUnitsPerSecond: 4000 });
  });

  test('shared database throughput', async () => {
    expect(
      await readProvisionedThroughput(containerWith(undefined, { offerAutopilotSettings: { maxThroughput: 10_000 } })),
    ).toEqual({ kind: 'autoscale', scope: 'database', maxRequestUnitsPerSecond: 10_000 });
  });

  test('serverless (no offer), refused and unreadable offers are none, with the reason', async () => {
    expect(await readProvisionedThroughput(containerWith(undefined, undefined))).toEqual({
      kind: 'none',
      reason: expect.stringMatching(/serverless/),
    });
    expect(await readProvisionedThroughput(containerWith(entraOnly(), undefined))).toEqual({
      kind: 'none',
      reason:
        'the throughput offer may not be read by this identity (403/5300 Request blocked by Auth cosmos: the given request cannot be authorized by AAD token; with key auth disabled only the control plane can read throughput)',
      transient: false,
    });
    expect(
      await readProvisionedThroughput(containerWith(Object.assign(new Error('no route'), { code: 400 }), undefined)),
    ).toEqual({ kind: 'none', reason: 'the throughput offer could not be read (400 no route)', transient: false });
  });

  test('a throttled or unavailable read is transient', async () => {
    const busy = Object.assign(new Error('Service unavailable'), { code: 503 });
    expect(await readProvisionedThroughput(containerWith(busy, undefined))).toMatchObject({
      kind: 'none',
      transient: true,
    });
  });
});

describe('COSMOS_THROUGHPUT', () => {
  test('entries by scope', () => {
    expect(
      parseThroughputSetting(' app=autoscale:4000 ; app/orders=manual:400;*=serverless;big=1200;x=serverless:8000 '),
    ).toEqual([
      {
        database: 'app',
        container: undefined,
        throughput: { kind: 'autoscale', scope: 'database', maxRequestUnitsPerSecond: 4000 },
        text: 'app=autoscale:4000',
      },
      {
        database: 'app',
        container: 'orders',
        throughput: { kind: 'manual', scope: 'container', maxRequestUnitsPerSecond: 400 },
        text: 'app/orders=manual:400',
      },
      {
        database: undefined,
        container: undefined,
        throughput: { kind: 'serverless', scope: 'container', maxRequestUnitsPerSecond: 5000 },
        text: '*=serverless',
      },
      {
        database: 'big',
        container: undefined,
        throughput: { kind: 'manual', scope: 'database', maxRequestUnitsPerSecond: 1200 },
        text: 'big=1200',
      },
      {
        database: 'x',
        container: undefined,
        throughput: { kind: 'serverless', scope: 'container', maxRequestUnitsPerSecond: 8000 },
        text: 'x=serverless:8000',
      },
    ]);
    expect(parseThroughputSetting(undefined)).toEqual([]);
    expect(parseThroughputSetting(' ; ')).toEqual([]);
  });

  test.each(['app', '=manual:400', 'app=fast', 'app=autoscale:', 'app=manual:0', 'a/b/c=400', 'app/=400', 'app=-5'])(
    'a malformed entry is CONFIGURATION naming the setting: %j',
    (text) => {
      let caught: unknown;
      try {
        parseThroughputSetting(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(MigrationError);
      expect((caught as MigrationError).code).toBe('CONFIGURATION');
      expect((caught as MigrationError).message).toMatch(/App setting COSMOS_THROUGHPUT entry/);
    },
  );

  test('the container’s own entry, else its database’s, else *', () => {
    const entries = parseThroughputSetting('app/orders=manual:400;app=autoscale:4000;*=serverless');
    expect(throughputSettingFor(entries, 'app', 'orders')?.text).toBe('app/orders=manual:400');
    expect(throughputSettingFor(entries, 'app', 'users')?.text).toBe('app=autoscale:4000');
    expect(throughputSettingFor(entries, 'other', 'orders')?.text).toBe('*=serverless');
    expect(throughputSettingFor(parseThroughputSetting('app=400'), 'other', 'x')).toBeUndefined();
  });
});

describe('resolveRuCap: which cap, and where it came from', () => {
  test('the request option wins', async () => {
    expect(await resolveRuCap(containerWith({ offerThroughput: 1000 }, undefined), 250, 'app=autoscale:4000')).toEqual({
      requestUnitsPerSecond: 250,
      source: 'request',
      detail: 'options.maxRequestUnitsPerSecond',
    });
  });

  test('offer: 80% of the provisioned throughput, 20% left to the live application', async () => {
    expect(
      await resolveRuCap(
        containerWith({ offerAutopilotSettings: { maxThroughput: 4000 } }, undefined),
        undefined,
        'app=manual:400',
      ),
    ).toEqual({ requestUnitsPerSecond: 3200, source: 'offer', detail: "80% of the container's autoscale 4000 RU/s" });
  });

  test('setting: an identity that may not read offers (Entra ID, key auth disabled) gets the cap infra wrote', async () => {
    const cap = await resolveRuCap(containerWith(entraOnly(), undefined), undefined, 'app=autoscale:4000');
    expect(cap).toEqual({
      requestUnitsPerSecond: 3200,
      source: 'setting',
      detail: expect.stringMatching(
        /^80% of the database's autoscale 4000 RU\/s \(COSMOS_THROUGHPUT "app=autoscale:4000"; the throughput offer may not be read by this identity \(403\/5300 /,
      ),
    });
  });

  test('setting: serverless is 80% of what a serverless container serves', async () => {
    const cap = await resolveRuCap(containerWith(undefined, undefined), undefined, '*=serverless');
    expect(cap).toMatchObject({
      requestUnitsPerSecond: 4000,
      source: 'setting',
      detail: expect.stringMatching(
        /^80% of the serverless container's 5000 RU\/s \(COSMOS_THROUGHPUT "\*=serverless"; no throughput offer/,
      ),
    });
  });

  test('none, never silently: the reason names both places looked at', async () => {
    expect(await resolveRuCap(containerWith(entraOnly(), undefined), undefined, undefined)).toEqual({
      source: 'none',
      detail: expect.stringMatching(
        /^no cap: the throughput offer may not be read .*, and COSMOS_THROUGHPUT is not set$/,
      ),
    });
    expect(await resolveRuCap(containerWith(entraOnly(), undefined), undefined, 'other=400')).toEqual({
      source: 'none',
      detail: expect.stringMatching(/, and COSMOS_THROUGHPUT has no entry for app\/orders or \*$/),
    });
  });

  test('a malformed setting fails with CONFIGURATION', async () => {
    await expect(resolveRuCap(containerWith(entraOnly(), undefined), undefined, 'app=lots')).rejects.toThrow(
      /CONFIGURATION.*COSMOS_THROUGHPUT/,
    );
  });

  test('offers are read once per container for a while; a transient failure is read again', async () => {
    let reads = 0;
    const container = {
      id: 'c',
      url: 'dbs/d/colls/cached',
      readOffer: async () => (reads++, { resource: { content: { offerThroughput: 500 } } }),
      database: { id: 'd' },
    } as unknown as Container;
    await resolveRuCap(container, undefined, undefined, 1000);
    await resolveRuCap(container, undefined, undefined, 2000);
    expect(reads).toBe(1);
    await resolveRuCap(container, undefined, undefined, 1000 + 6 * 60_000);
    expect(reads).toBe(2);

    let attempts = 0;
    const flaky = {
      id: 'c',
      url: 'dbs/d/colls/flaky',
      readOffer: async () => {
        attempts++;
        if (attempts === 1) throw Object.assign(new Error('busy'), { code: 429 });
        return { resource: { content: { offerThroughput: 1000 } } };
      },
      database: { id: 'd' },
    } as unknown as Container;
    expect((await resolveRuCap(flaky, undefined, 'd=400', 1000)).source).toBe('setting');
    expect(await resolveRuCap(flaky, undefined, 'd=400', 1001)).toMatchObject({
      source: 'offer',
      requestUnitsPerSecond: 800,
    });
  });
});
