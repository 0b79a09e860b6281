import { readExportManifest } from '../src/export/read-export';
import { ReadManifestResult } from '../src/migration/contracts';
import { MigrationRequest } from '../src/migration/request';
import { asOutcome } from './outcome';
import { DependencySource } from './dependencies';

export function readManifestActivity(deps: DependencySource) {
  return async (request: MigrationRequest): Promise<ReadManifestResult> =>
    asOutcome(async () => {
      const { clients } = deps();
      const manifest = await readExportManifest(clients.s3, request.source.bucket, request.source.exportPrefix);
      return { summary: manifest.summary, files: manifest.files };
    });
}
