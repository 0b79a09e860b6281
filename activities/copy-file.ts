import { copyToLake, CopyResult } from '../src/lake/copy-to-lake';
import { MigrationError } from '../src/errors';
import { CopyFileInput, Outcome } from '../src/migration/contracts';
import { DependencySource } from './dependencies';
import { asOutcome } from './outcome';

/**
 * Block size of the server-side copy from the app setting LAKE_COPY_BLOCK_BYTES (a tuning knob, and how the local
 * tests make small files span several blocks); unset: the copy's default (64 MiB).
 */
export function serverBlockBytesSetting(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env.LAKE_COPY_BLOCK_BYTES;
  if (value === undefined || value === '') return undefined;
  const bytes = Number(value);
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new MigrationError(
      'CONFIGURATION',
      `App setting LAKE_COPY_BLOCK_BYTES must be a whole number of bytes, got "${value}"`,
    );
  return bytes;
}

export function copyFileActivity(deps: DependencySource) {
  return async (input: CopyFileInput): Promise<Outcome<CopyResult>> =>
    asOutcome(async () => {
      const { clients } = deps();
      return copyToLake({
        s3: clients.s3,
        lake: clients.lake,
        bucket: input.request.source.bucket,
        file: input.file,
        mode: input.request.options.copyMode,
        serverBlockBytes: serverBlockBytesSetting(),
      });
    });
}
