/**
 * Keeps a failed partition key range lookup out of @azure/cosmos's routing-map cache, and retries it.
 *
 * The SDK (4.x) caches each container's routing map as the promise of its lookup, and keeps that promise when it
 * rejects: one 429 (metadata is throttled too) or reset on the `pkranges` read poisons the cache of that container
 * for the life of the client. Every later `executeBulkOperations` call on the container then fails all its
 * operations at once (code 500, the old error's message) without sending anything, and rejects one promise per
 * operation before it awaits them: unhandled rejections, which end the Functions worker in Azure (its only handler is
 * for uncaught exceptions, and exits; Node raises an unhandled rejection as one). The app's writes client has the
 * SDK's 429 retries off (the RU budget answers the 429s of writes, ru-budget.ts), so its metadata reads get none.
 *
 * The lookup is wrapped: a failed attempt is dropped from the cache at once, and a transient failure (429, 408,
 * 5xx, a reset) is retried with backoff, honouring the service's retry-after, as the SDK retries metadata reads
 * with its retries on. Written against the SDK's internals, which package-lock pins; `guardRoutingMapCache` says
 * whether it found them, and test/faults/routing-map-cache.test.ts fails if a new SDK version moves them.
 */
import type { CosmosClient } from '@azure/cosmos';
import { isTransientError, retryAfterOf } from '../cosmos/status';
import { BackoffPolicy, METADATA_RETRIES, retrying } from '../retry/backoff';

interface RoutingMapCache {
  collectionRoutingMapByCollectionId: Record<string, Promise<unknown> | undefined>;
  onCollectionRoutingMap(collectionLink: string, ...rest: unknown[]): Promise<unknown>;
  [guarded]?: true;
}

const guarded = Symbol('routing map cache guarded');

function routingMapCacheOf(client: CosmosClient): RoutingMapCache | undefined {
  const cache = (client as unknown as { clientContext?: { partitionKeyRangeCache?: Partial<RoutingMapCache> } })
    .clientContext?.partitionKeyRangeCache;
  if (
    !cache ||
    typeof cache.onCollectionRoutingMap !== 'function' ||
    typeof cache.collectionRoutingMapByCollectionId !== 'object' ||
    cache.collectionRoutingMapByCollectionId === null
  )
    return undefined;
  return cache as RoutingMapCache;
}

/** The key the SDK files a container's routing map under: its link without leading or trailing slashes. */
function cacheKeyOf(collectionLink: string): string {
  let start = 0;
  let end = collectionLink.length;
  while (start < end && collectionLink[start] === '/') start++;
  while (end > start && collectionLink[end - 1] === '/') end--;
  return collectionLink.slice(start, end);
}

/** Wraps the client's routing-map lookup (once); false when the SDK's internals were not where expected. */
export function guardRoutingMapCache(client: CosmosClient, policy: BackoffPolicy = METADATA_RETRIES): boolean {
  const cache = routingMapCacheOf(client);
  if (!cache) return false;
  if (cache[guarded]) return true;
  const lookUp = cache.onCollectionRoutingMap.bind(cache);
  const entries = cache.collectionRoutingMapByCollectionId;
  cache.onCollectionRoutingMap = (collectionLink: string, ...rest: unknown[]) => {
    const key = cacheKeyOf(collectionLink);
    return retrying(
      async () => {
        const lookup = lookUp(collectionLink, ...rest);
        // The SDK files the lookup's promise before its first await, so this is the one that may fail.
        const filed = entries[key];
        try {
          return await lookup;
        } catch (error) {
          // Only the promise that failed is dropped: a lookup started meanwhile stays.
          if (entries[key] === filed) delete entries[key];
          throw error;
        }
      },
      { policy, isTransient: isTransientError, retryAfterOf },
    );
  };
  cache[guarded] = true;
  return true;
}
