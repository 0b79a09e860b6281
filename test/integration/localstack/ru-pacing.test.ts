/**
 * The bulk writer and the RU budget against the strict Cosmos DB layer, which charges what Azure charges, gives each
 * physical partition one second's share of the RU/s at a time and answers 429 with x-ms-retry-after-ms beyond it
 * (docs/azure-fidelity.md). Through a client that does not retry 429s itself, as the load activity's
 * (create-clients.ts `cosmosWrites`): every throttle the layer counts is one the writer saw and paced on.
 *
 * Speed is not asserted here (bench/throughput.ts measures it); what is: everything is written, the layer's 429s
 * stay few at a cap of the whole throughput, the budget saw the charges the layer booked, and where the cap is
 * above what the container gives, or unknown, the budget's rate ends near what it does give. The test prints the
 * 429s of the whole run and of its second half.
 */
import { CosmosClient, OperationInput } from '@azure/cosmos';
import { cosmosClientOptions } from '../../../tools/localstack/cosmos-client-options';
import { BulkWriter } from '../../../src/cosmos/bulk-writer';
import { leaseRuBudget } from '../../../src/cosmos/ru-budget';
import { controlPlaneCosmosClient, strictCosmos, useLocalStack } from '../../support/stack';

jest.setTimeout(240_000);

const local = useLocalStack({ cosmos: { defaultThroughput: 400 } });
const layer = strictCosmos(local);
const DATABASE = 'pacing';

/** A document of about 1 KB with a few properties: 6-7 RU to insert (charges.ts). */
function documentOf(n: number): { id: string; pk: string; n: number; payload: string } {
  return { id: `d${n}`, pk: `p${n % 97}`, n, payload: 'x'.repeat(900) };
}

async function containerWith(throughput: number, id: string) {
  const control = controlPlaneCosmosClient(local.settings);
  const { database } = await control.databases.createIfNotExists({ id: DATABASE });
  await database.containers.create({ id, partitionKey: { paths: ['/pk'] }, throughput });
  const options = cosmosClientOptions(local.settings);
  const writes = new CosmosClient({
    ...options,
    connectionPolicy: {
      ...options.connectionPolicy,
      retryOptions: { ...options.connectionPolicy?.retryOptions, maxRetryAttemptCount: 0 },
    },
  });
  return writes.database(DATABASE).container(id);
}

/** Four files' worth of writers sharing one migration's budget, as four loads of one process do. */
async function load(containerId: string, cap: number | undefined, items: number) {
  const container = await containerWith(1000, containerId);
  await layer.resetStats();
  const leases = Array.from({ length: 4 }, () => leaseRuBudget(`pacing-${containerId}`, cap, 4));
  const written = new Set<number>();
  const started = Date.now();
  let rate: number;
  const counts = async () => {
    const report = (await layer.report()).containers.find(
      (c) => c.database === DATABASE && c.container === containerId,
    );
    if (!report) throw new Error(`the layer saw nothing of ${containerId}`);
    return report;
  };
  // The layer's counts half way: what came after shows where the rate settled.
  let halfWay: ReturnType<typeof counts> | undefined;
  const wrote = (n: number): void => {
    written.add(n);
    if (written.size === Math.floor(items / 2)) halfWay = counts();
  };
  let requestCharge = 0;
  try {
    await Promise.all(
      leases.map(async (lease, file) => {
        const writer = new BulkWriter<number>(container, {
          ruBudget: lease.budget,
          onWritten: wrote,
          onRejected: (n, reason) => {
            throw new Error(`${n}: ${reason}`);
          },
        });
        for (let n = file; n < items; n += leases.length) {
          const document = documentOf(n);
          const operation: OperationInput = {
            operationType: 'Upsert',
            partitionKey: document.pk,
            resourceBody: document,
          };
          await writer.write(operation, n, 1000);
        }
        await writer.flush();
        requestCharge += writer.requestCharge;
      }),
    );
  } finally {
    rate = leases[0].budget.ratePerSecond;
    for (const lease of leases) lease.release();
  }
  const first = await halfWay;
  const seconds = (Date.now() - started) / 1000;
  const total = await counts();
  const report = {
    requestCharge: total.requestCharge - (first?.requestCharge ?? 0),
    operations: total.operations - (first?.operations ?? 0),
    throttled: total.throttled - (first?.throttled ?? 0),
  };
  const figures = {
    items,
    cap,
    seconds: Math.round(seconds * 10) / 10,
    secondHalf: {
      charged: report.requestCharge,
      operations: report.operations,
      throttled: report.throttled,
    },
    whole: { charged: total.requestCharge, operations: total.operations, throttled: total.throttled },
    budgetCharged: requestCharge,
    rateAtEnd: Math.round(rate),
  };
  console.log(`RU pacing ${containerId}: ${JSON.stringify(figures)}`);
  return { written, requestCharge, layerCharge: total.requestCharge, report, total, rate };
}

describe('RU budget on the strict layer: a container of 1,000 RU/s', () => {
  test('a cap of the whole throughput: everything written, few operations throttled', async () => {
    const { written, total, requestCharge, layerCharge } = await load('whole', 1000, 1500);
    expect(written.size).toBe(1500);
    // The budget was paid in the charges the layer booked (x-ms-request-charge, per operation in bulk), not a guess.
    expect(Math.abs(requestCharge - layerCharge) / layerCharge).toBeLessThan(0.01);
    // A cap of all of it leaves the budget's quarter-second burst nowhere to go but over the container's second
    // (the default cap, 80%, leaves it room): some 429s, 2 and 7% of the operations in two runs here, no storm.
    expect(total.throttled / total.operations).toBeLessThanOrEqual(0.1);
  });

  test('a cap twice what the container has (a stale COSMOS_THROUGHPUT): the 429s bring the rate down', async () => {
    const { written, rate } = await load('overstated', 2000, 1500);
    expect(written.size).toBe(1500);
    // The rate came down from the 2,000 RU/s the cap said to about the container's 1,000.
    expect(rate).toBeLessThanOrEqual(1100);
    expect(rate).toBeGreaterThanOrEqual(400);
  });

  test('no known cap: the budget finds the rate the container sustains', async () => {
    const { written, rate } = await load('unknown', undefined, 1500);
    expect(written.size).toBe(1500);
    // From 400 RU/s, doubled per busy second until the first 429, then just under the container's 1,000.
    expect(rate).toBeLessThanOrEqual(1100);
    expect(rate).toBeGreaterThanOrEqual(400);
  });
});
