/**
 * What the fault tests share: clients that talk to the real servers directly (never through a proxy), the
 * request body, the expected documents of a sample export, and the check that a container holds exactly them.
 */
import { createCosmosClient, createLakeContainerClient, createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { DynamoItem, mapItem, MappingOptions, newMappingStats } from '../../../src/mapping';
import { exportItems, ExportSpec, GeneratedExport } from '../../../src/sample/build-export';
import { compareDocuments } from '../../../src/validation/compare';
import { LocalStackHandle } from '../../support/stack';

export const BUCKET = 'source-exports';
export const DATABASE = 'faults';
export const MAPPING: MappingOptions = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' };

export function directClients(stack: LocalStackHandle) {
  const settings = readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
  return { s3: createS3Client(settings), cosmos: createCosmosClient(settings), lake: createLakeContainerClient(settings) };
}

export function migrationBody(generated: GeneratedExport, container: string, options: object = {}) {
  return {
    source: { bucket: BUCKET, exportPrefix: generated.exportPrefix },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: DATABASE, container },
    options: { sampleSize: 200, ...options },
  };
}

/** id → mapped document for every item of the export, except those of the files in `skipFiles`. */
export function expectedDocuments(spec: ExportSpec, skipFiles: number[] = []): Map<string, Record<string, unknown>> {
  const expected = new Map<string, Record<string, unknown>>();
  for (const { file, item } of exportItems(spec)) {
    if (skipFiles.includes(file)) continue;
    const mapped = mapItem(item as DynamoItem, MAPPING, newMappingStats());
    expected.set(mapped.id, mapped.document);
  }
  return expected;
}

/**
 * The container holds exactly `expected`: the count matches (so nothing extra, nothing twice) and every
 * expected document point-reads back equal. Counting runs a whole-container query, which the local
 * server answers slowly, hence the client with a long request timeout.
 */
export async function expectContainerToHold(stack: LocalStackHandle, container: string, expected: Map<string, Record<string, unknown>>): Promise<void> {
  const settings = readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
  const counting = createCosmosClient(settings, { requestTimeoutMs: 240_000 });
  const { resources } = await counting.database(DATABASE).container(container).items.query<number>('SELECT VALUE COUNT(1) FROM c').fetchAll();
  expect(resources[0]).toBe(expected.size);
  const target = createCosmosClient(settings).database(DATABASE).container(container);
  const entries = [...expected];
  const problems: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < entries.length && problems.length < 5) {
        const [id, document] = entries[next++];
        const { resource } = await target.item(id, document.pk as string).read<Record<string, unknown>>();
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

/** Documents in a container (0 when it does not exist). */
export async function countDocuments(stack: LocalStackHandle, container: string): Promise<number> {
  const settings = readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
  const counting = createCosmosClient(settings, { requestTimeoutMs: 240_000 });
  try {
    const { resources } = await counting.database(DATABASE).container(container).items.query<number>('SELECT VALUE COUNT(1) FROM c').fetchAll();
    return resources[0] ?? 0;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return 0;
    throw error;
  }
}
