import { ContainerClient } from '@azure/storage-blob';
import { listedRunFolder, RunFolder, RUNS_FOLDER } from './paths';

/**
 * The newest run folder of a migration (folder names sort by the run's start, paths.ts runSegment), or undefined
 * when no run wrote one. A run starts only after the previous run of its id has ended, so the newest folder is
 * the current run's: what a validation whose input predates `runId` reads its samples from.
 */
export async function latestRunFolder(lake: ContainerClient, folder: string): Promise<RunFolder | undefined> {
  let latest: RunFolder | undefined;
  for await (const item of lake.listBlobsByHierarchy('/', { prefix: `${folder}/${RUNS_FOLDER}/` })) {
    const run = item.kind === 'prefix' ? listedRunFolder(folder, item.name) : undefined;
    if (run && (!latest || run > latest)) latest = run;
  }
  return latest;
}
