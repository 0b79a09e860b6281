import { copyToLake, CopyResult } from '../src/lake/copy-to-lake';
import { CopyFileInput, Outcome } from '../src/migration/contracts';
import { DependencySource } from './dependencies';
import { asOutcome } from './outcome';

export function copyFileActivity(deps: DependencySource) {
  return async (input: CopyFileInput): Promise<Outcome<CopyResult>> =>
    asOutcome(async () => {
      const { clients, settings } = deps();
      return copyToLake({
        s3: clients.s3,
        lake: clients.lake,
        bucket: input.request.source.bucket,
        file: input.file,
        mode: input.request.options.copyMode,
        serverBlockBytes: settings.lakeCopyBlockBytes,
      });
    });
}
