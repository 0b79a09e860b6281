/**
 * A `LoadPresence` (ru-budget.ts) kept in the lake: each process running loads of a migration keeps one small blob,
 * `<migration folder>/ru-presence/<run>/<process>`, whose metadata says how many loads it runs; every process
 * lists the folder to count them all. A blob the service has not seen rewritten for STALE_MS (its process died or
 * stopped without saying so) no longer counts. Freshness is judged on the service's own Last-Modified times, the
 * newest against the others, so the clocks of the instances do not matter.
 *
 * The lake rather than a Durable entity or a lease: the load activity already has the lake client, a write and a
 * list every two seconds per process cost nothing beside a load's own traffic, and a failed look only means the
 * budget falls back to its static share (ru-budget.ts) for a while.
 */
import { ContainerClient } from '@azure/storage-blob';
import { createHash, randomUUID } from 'node:crypto';
import { LoadPresence, PRESENCE_INTERVAL_MS } from './ru-budget';

/** This process, for as long as it lives. */
const PROCESS_ID = randomUUID();
/** A process's blob counts until it is this much older than the newest one. */
export const STALE_MS = 3 * PRESENCE_INTERVAL_MS;
/** At most this many processes are listed; more than that and the static share applies. */
const MAX_LISTED = 1000;

/** The folder of a run's presence blobs: the run id is hashed, so it is data, never part of a path. */
export function presenceFolder(migrationFolder: string, runId: string): string {
  return `${migrationFolder}/ru-presence/${createHash('sha256').update(runId).digest('hex').slice(0, 24)}/`;
}

/**
 * Counts the loads in a listing of presence blobs: the `leases` metadata of each blob modified within STALE_MS of
 * the newest. Exported for tests.
 */
export function countLoads(entries: readonly { lastModified: Date; leases: number }[]): number {
  const newest = Math.max(...entries.map((e) => e.lastModified.getTime()));
  return entries
    .filter((e) => newest - e.lastModified.getTime() <= STALE_MS)
    .reduce((sum, e) => sum + (Number.isFinite(e.leases) && e.leases > 0 ? e.leases : 0), 0);
}

export function lakeLoadPresence(
  lake: ContainerClient,
  migrationFolder: string,
  runId: string,
  processId: string = PROCESS_ID,
): LoadPresence {
  const folder = presenceFolder(migrationFolder, runId);
  const own = lake.getBlockBlobClient(`${folder}${processId}`);
  return {
    async publish(leases: number): Promise<number | undefined> {
      if (leases <= 0) {
        await own.deleteIfExists();
        return undefined;
      }
      await own.upload('', 0, { metadata: { leases: String(leases) } });
      const entries: { lastModified: Date; leases: number }[] = [];
      for await (const blob of lake.listBlobsFlat({ prefix: folder, includeMetadata: true })) {
        entries.push({ lastModified: blob.properties.lastModified, leases: Number(blob.metadata?.leases) });
        if (entries.length > MAX_LISTED) return undefined;
      }
      return entries.length > 0 ? countLoads(entries) : undefined;
    },
  };
}
