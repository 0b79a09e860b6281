import { offerResource, answerOffers } from '../../../tools/localstack/strict-cosmos/offers';
import {
  partitionsFor,
  throughputFromHeaders,
  ThroughputRegistry,
} from '../../../tools/localstack/strict-cosmos/throughput';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const identity = (name: string) => () => ({ rid: `rid-${name}`, self: `/dbs/x/colls/${name}` });

/** RU a budget lets one key charge in one second when each operation costs `charge`. */
function burst(admit: () => boolean, charge: () => void): number {
  let total = 0;
  while (admit()) {
    charge();
    total += 10;
  }
  return total;
}

describe('provisioned throughput', () => {
  test('physical partitions: one per 10,000 RU/s or part of it', () => {
    expect(partitionsFor({ mode: 'manual', throughput: 400 })).toBe(1);
    expect(partitionsFor({ mode: 'manual', throughput: 10_000 })).toBe(1);
    expect(partitionsFor({ mode: 'manual', throughput: 10_100 })).toBe(2);
    expect(partitionsFor({ mode: 'autoscale', maxThroughput: 40_000 })).toBe(4);
  });

  test('create headers: manual (>= 400, steps of 100), autoscale maximum (>= 1,000, steps of 1,000), not serverless', () => {
    expect(throughputFromHeaders({ 'x-ms-offer-throughput': '1000' }, false).setting).toEqual({
      mode: 'manual',
      throughput: 1000,
    });
    expect(
      throughputFromHeaders({ 'x-ms-cosmos-offer-autopilot-settings': '{"maxThroughput":4000}' }, false).setting,
    ).toEqual({ mode: 'autoscale', maxThroughput: 4000 });
    expect(throughputFromHeaders({}, false)).toEqual({});
    expect(throughputFromHeaders({ 'x-ms-offer-throughput': '300' }, false).error).toMatch(/at least 400/);
    expect(throughputFromHeaders({ 'x-ms-offer-throughput': '450' }, false).error).toMatch(/steps of 100/);
    expect(
      throughputFromHeaders({ 'x-ms-cosmos-offer-autopilot-settings': '{"maxThroughput":1500}' }, false).error,
    ).toMatch(/steps of 1000/);
    expect(throughputFromHeaders({ 'x-ms-offer-throughput': '400' }, true).error).toMatch(/serverless/);
  });

  test('a container created without throughput gets 400 RU/s manual; in a shared database it gets none of its own', () => {
    const registry = new ThroughputRegistry(false);
    registry.containerCreated('db', 'c', identity('c')(), undefined);
    expect(registry.offerOf('db', 'c')?.setting).toEqual({ mode: 'manual', throughput: 400 });
    registry.databaseCreated('shared', { rid: 'r', self: '/dbs/shared' }, { mode: 'manual', throughput: 1000 });
    registry.containerCreated('shared', 'c', identity('c')(), undefined);
    expect(registry.offerOf('shared', 'c')).toBeUndefined();
    expect(registry.budgetFor('shared', 'c', identity('c'))?.scope).toBe('database');
    registry.containerCreated('shared', 'own', identity('own')(), { mode: 'manual', throughput: 500 });
    expect(registry.budgetFor('shared', 'own', identity('own'))?.scope).toBe('container');
  });

  test('a container the registry never saw created is treated as a new one', () => {
    const registry = new ThroughputRegistry(false);
    expect(registry.budgetFor('db', 'old', identity('old'))?.setting).toEqual({ mode: 'manual', throughput: 400 });
    expect(registry.budgetFor('db', 'gone', () => undefined)).toBeUndefined();
  });

  test('a hot partition key gets one physical partition’s share; other keys still have theirs', () => {
    const time = clock();
    const registry = new ThroughputRegistry(false, time.now);
    registry.containerCreated('db', 'hot', identity('hot')(), { mode: 'manual', throughput: 20_000 });
    const budget = registry.budgetFor('db', 'hot', identity('hot'))!;
    expect(budget.buckets).toHaveLength(2);
    const hot = budget.partitionOf('hot', '["tenant-1"]');
    const other = ['["a"]', '["b"]', '["c"]', '["d"]', '["e"]']
      .map((key) => budget.partitionOf('hot', key))
      .find((p) => p !== hot)!;
    const used = burst(
      () => budget.admit(hot).admitted,
      () => budget.charge(hot, 10),
    );
    expect(used).toBe(10_000);
    expect(budget.admit(hot)).toMatchObject({ admitted: false });
    expect(budget.admit(other).admitted).toBe(true);
    time.advance(1000);
    expect(budget.admit(hot).admitted).toBe(true);
  });

  test('autoscale can use its whole maximum at once; serverless gets 5,000 RU/s per container and no offers', () => {
    const registry = new ThroughputRegistry(false, clock().now);
    registry.containerCreated('db', 'auto', identity('auto')(), { mode: 'autoscale', maxThroughput: 4000 });
    const budget = registry.budgetFor('db', 'auto', identity('auto'))!;
    expect(
      burst(
        () => budget.admit(0).admitted,
        () => budget.charge(0, 10),
      ),
    ).toBe(4000);
    registry.serverless = true;
    expect(registry.allOffers()).toEqual([]);
    const serverless = registry.budgetFor('db', 'auto', identity('auto'))!;
    expect(serverless.scope).toBe('serverless');
    expect(
      burst(
        () => serverless.admit(0).admitted,
        () => serverless.charge(0, 10),
      ),
    ).toBe(5000);
  });

  test('offers read and replace as the SDK expects; partitions grow with throughput and never shrink', () => {
    const registry = new ThroughputRegistry(false);
    registry.containerCreated('db', 'c', identity('c')(), { mode: 'manual', throughput: 400 });
    const offer = registry.offerOf('db', 'c')!;
    const query = answerOffers(registry, { op: 'query' }, 'POST', {
      query: 'SELECT * from root where root.resource = "/dbs/x/colls/c"',
    });
    const found = JSON.parse(query.body.toString()) as { Offers: { id: string; content: unknown }[] };
    expect(found.Offers.map((o) => o.id)).toEqual([offer.id]);
    expect(found.Offers[0].content).toEqual({ offerThroughput: 400, offerIsRUPerMinuteThroughputEnabled: false });

    const replaced = answerOffers(registry, { id: offer.id, op: 'replace' }, 'PUT', {
      ...offerResource(offer),
      content: { offerThroughput: 25_000 },
    });
    expect(replaced.status).toBe(200);
    expect(registry.offerOf('db', 'c')?.partitions).toBe(3);
    answerOffers(registry, { id: offer.id, op: 'replace' }, 'PUT', { content: { offerThroughput: 400 } });
    expect(registry.offerOf('db', 'c')?.partitions).toBe(3);
    expect(registry.budgetFor('db', 'c', identity('c'))?.buckets.map((b) => b.ratePerSecond)).toEqual([
      400 / 3,
      400 / 3,
      400 / 3,
    ]);
    const refused = answerOffers(registry, { id: offer.id, op: 'replace' }, 'PUT', { content: { offerThroughput: 1 } });
    expect(refused.status).toBe(400);
    expect(answerOffers(registry, { id: 'nope', op: 'read' }, 'GET', undefined).status).toBe(404);
  });

  test('charges and throttles are booked per container and per second', () => {
    const time = clock();
    const registry = new ThroughputRegistry(false, time.now);
    registry.record('db', 'c', 5.5);
    registry.record('db', 'c', 4.5);
    registry.record('db', 'c', 0, true);
    time.advance(1000);
    registry.record('db', 'c', 2);
    const [report] = registry.report();
    expect(report).toMatchObject({
      database: 'db',
      container: 'c',
      requestCharge: 12,
      operations: 4,
      throttled: 1,
      peakRequestUnitsPerSecond: 10,
    });
    expect(report.seconds.map(([, ru]) => ru)).toEqual([10, 2]);
  });
});
