import { CosmosClient, PartitionKeyDefinition, PartitionKeyDefinitionVersion, PartitionKeyKind } from '@azure/cosmos';
import { MigrationError } from '../errors';

export interface TargetContainer {
  database: string;
  container: string;
  /** One path, or two for a hierarchical key (`/pk`, `/sk`). */
  partitionKeyPaths: string[];
}

function definitionFor(paths: string[]): PartitionKeyDefinition {
  return paths.length > 1
    ? { paths, kind: PartitionKeyKind.MultiHash, version: PartitionKeyDefinitionVersion.V2 }
    : { paths, version: PartitionKeyDefinitionVersion.V2 };
}

/**
 * Creates the database and container when missing. An existing container must already be partitioned on the
 * requested paths: writing into a differently partitioned container would spread one table's items over
 * partitions the application does not expect, so that is refused with both definitions named.
 */
export async function ensureTargetContainer(cosmos: CosmosClient, target: TargetContainer): Promise<void> {
  let resource;
  try {
    const { database } = await cosmos.databases.createIfNotExists({ id: target.database });
    ({ resource } = await database.containers.createIfNotExists({
      id: target.container,
      partitionKey: definitionFor(target.partitionKeyPaths),
    }));
  } catch (error) {
    // With key auth disabled (as infra/ deploys it), the identity's data-plane role can read but not create
    // databases and containers: that is a control-plane operation.
    if ((error as { code?: number }).code === 403) {
      throw new MigrationError(
        'CONFIGURATION',
        `container ${target.database}/${target.container} does not exist and this app's identity may not create it (Cosmos DB data-plane roles cannot); create it with partition key [${target.partitionKeyPaths.join(', ')}] (az cosmosdb sql container create, or the cosmosContainers parameter of infra/main.bicep) and start again`,
      );
    }
    throw error;
  }
  const actual = resource?.partitionKey?.paths ?? [];
  if (actual.join(',') !== target.partitionKeyPaths.join(',')) {
    throw new MigrationError(
      'PARTITION_KEY_MISMATCH',
      `container ${target.database}/${target.container} is partitioned on [${actual.join(', ')}] but the migration needs [${target.partitionKeyPaths.join(', ')}]; choose another container or set target.partitionKeyPath to match`,
    );
  }
}
