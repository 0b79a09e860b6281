import { CosmosClient } from '@azure/cosmos';
import { createCosmosClient } from '../../src/clients/create-clients';
import { readSettings } from '../../src/config/settings';
import { DynamoItem, mapItem, MappingOptions, newMappingStats } from '../../src/mapping';
import { compareDocuments } from '../../src/validation/compare';
import { LocalStackHandle } from './stack';

export type Documents = Map<string, Record<string, unknown>>;

/** A Cosmos client for tests on the local server, patient enough for whole-container queries. */
export function testCosmosClient(stack: LocalStackHandle): CosmosClient {
  // The local server needs about 30 s to count 50,000 documents, more on a busy machine.
  return createCosmosClient(readSettings(stack.settings as unknown as NodeJS.ProcessEnv), {
    requestTimeoutMs: 240_000,
  });
}

/** The documents the mapping makes of `items`, by id. */
export function mappedDocuments(items: Iterable<DynamoItem>, mapping: MappingOptions): Documents {
  const documents: Documents = new Map();
  for (const item of items) {
    const mapped = mapItem(item, mapping, newMappingStats());
    documents.set(mapped.id, mapped.document);
  }
  return documents;
}

/**
 * Asserts the container holds exactly `expected`: the count matches and every document, read back by id and
 * partition key (`partitionKey` names the document field), equals its expected form. Point reads: the local
 * Cosmos server evaluates a query over the whole container for every page, slower than 50,000 reads.
 */
export async function expectContainerToHold(
  stack: LocalStackHandle,
  database: string,
  container: string,
  expected: Documents,
  partitionKey = 'pk',
): Promise<void> {
  const target = testCosmosClient(stack).database(database).container(container);
  const { resources } = await target.items.query<number>('SELECT VALUE COUNT(1) FROM c').fetchAll();
  expect(resources[0]).toBe(expected.size);
  const entries = [...expected];
  const problems: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < entries.length && problems.length < 5) {
        const [id, document] = entries[next++];
        const { resource } = await target.item(id, document[partitionKey] as string).read<Record<string, unknown>>();
        if (!resource) problems.push(`${id}: missing`);
        else {
          const differences = compareDocuments(document, resource);
          if (differences.length) problems.push(`${id}: ${JSON.stringify(differences)}`);
        }
      }
    }),
  );
  expect(problems).toEqual([]);
}
