/**
 * What the fault tests share: clients that talk to the real servers directly (never through a proxy), the
 * request body, the expected documents of a sample export, and the check that a container holds exactly them.
 */
import { createCosmosClient, createLakeContainerClient, createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { DynamoItem, MappingOptions } from '../../../src/mapping';
import { buildFullExport, exportItems, ExportSpec, GeneratedExport } from '../../../tools/sample/build-export';
import { uploadExport } from '../../../tools/sample/upload-export';
import {
  Documents,
  expectContainerToHold as expectContainerToHoldIn,
  mappedDocuments,
  testCosmosClient,
} from '../../support/container';
import { LocalStackHandle } from '../../support/stack';

export const BUCKET = 'source-exports';
export const DATABASE = 'faults';
export const MAPPING: MappingOptions = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' };

export function directClients(stack: LocalStackHandle) {
  const settings = readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
  return {
    s3: createS3Client(settings),
    cosmos: createCosmosClient(settings),
    lake: createLakeContainerClient(settings),
  };
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
export function expectedDocuments(spec: ExportSpec, skipFiles: number[] = []): Documents {
  const items = [...exportItems(spec)]
    .filter(({ file }) => !skipFiles.includes(file))
    .map(({ item }) => item as DynamoItem);
  return mappedDocuments(items, MAPPING);
}

/** The container of the faults database holds exactly `expected` (test/support/container.ts). */
export function expectContainerToHold(stack: LocalStackHandle, container: string, expected: Documents): Promise<void> {
  return expectContainerToHoldIn(stack, DATABASE, container, expected);
}

/** Documents in a container (0 when it does not exist). */
export async function countDocuments(stack: LocalStackHandle, container: string): Promise<number> {
  try {
    const { resources } = await testCosmosClient(stack)
      .database(DATABASE)
      .container(container)
      .items.query<number>('SELECT VALUE COUNT(1) FROM c')
      .fetchAll();
    return resources[0] ?? 0;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return 0;
    throw error;
  }
}

/** Generates each export and uploads it before the describe block's tests; the record fills in during beforeAll. */
export function useUploadedExports<K extends string>(
  stack: LocalStackHandle,
  specs: Record<K, ExportSpec>,
): Record<K, GeneratedExport> {
  const generated = {} as Record<K, GeneratedExport>;
  beforeAll(async () => {
    for (const [name, spec] of Object.entries(specs) as [K, ExportSpec][]) {
      generated[name] = buildFullExport(spec);
      await uploadExport(directClients(stack).s3, BUCKET, generated[name]);
    }
  }, 120_000);
  return generated;
}
