import { migrationFolder } from '../lake/paths';
import { MappingOptions } from '../mapping';
import { MigrationRequest } from './request';

export function mappingOptionsOf(request: MigrationRequest): MappingOptions {
  return {
    keySchema: request.keySchema,
    numberMode: request.options.numberMode,
    partitionKeyPaths: request.target.partitionKeyPaths,
  };
}

export function migrationFolderOf(request: MigrationRequest): string {
  return migrationFolder(
    request.source.bucket,
    request.source.exportPrefix,
    request.target.database,
    request.target.container,
  );
}
