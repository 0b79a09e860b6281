import { createHash } from 'node:crypto';
import { MigrationRequest } from './request';

/**
 * One instance id per (export, target container): a second start of the same migration finds the first
 * one by id instead of racing it, and a finished one can be started again under the same id.
 */
export function migrationInstanceId(request: Pick<MigrationRequest, 'source' | 'target'>): string {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        request.source.bucket,
        request.source.exportPrefix,
        request.target.database,
        request.target.container,
      ]),
    )
    .digest('hex');
  return `migrate-${digest.slice(0, 32)}`;
}
