import { Container } from '@azure/cosmos';

/** What the target's provisioned throughput is, as far as it can be read. */
export type ProvisionedThroughput =
  | { kind: 'manual' | 'autoscale'; scope: 'container' | 'database'; maxRequestUnitsPerSecond: number }
  | { kind: 'none'; reason: string };

/** Share of the provisioned throughput a migration leaves to the live application by default. */
const LIVE_APPLICATION_SHARE = 0.2;

interface OfferContent {
  offerThroughput?: number;
  offerAutopilotSettings?: { maxThroughput?: number };
}

function fromOffer(
  content: OfferContent | undefined,
  scope: 'container' | 'database',
): ProvisionedThroughput | undefined {
  const autoscale = content?.offerAutopilotSettings?.maxThroughput;
  if (typeof autoscale === 'number' && autoscale > 0)
    return { kind: 'autoscale', scope, maxRequestUnitsPerSecond: autoscale };
  const manual = content?.offerThroughput;
  if (typeof manual === 'number' && manual > 0) return { kind: 'manual', scope, maxRequestUnitsPerSecond: manual };
  return undefined;
}

/**
 * The container's throughput offer (autoscale: its maximum), else its database's (shared throughput). A
 * serverless account has no offers; reading them may also be refused (an identity with a data-plane role
 * only) or unsupported (the local Cosmos server): all of these come back as `none` with the reason.
 */
export async function readProvisionedThroughput(container: Container): Promise<ProvisionedThroughput> {
  try {
    const own = fromOffer((await container.readOffer()).resource?.content as OfferContent | undefined, 'container');
    if (own) return own;
    const shared = fromOffer(
      (await container.database.readOffer()).resource?.content as OfferContent | undefined,
      'database',
    );
    if (shared) return shared;
    return { kind: 'none', reason: 'no throughput offer on the container or its database (serverless?)' };
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const detail = [
      code,
      String(message ?? '')
        .split('\n')[0]
        .slice(0, 200),
    ]
      .filter((part) => part !== undefined && part !== '')
      .join(' ');
    return { kind: 'none', reason: `the throughput offer could not be read (${detail})` };
  }
}

export interface RuCap {
  /** RU/s; undefined: no cap. */
  requestUnitsPerSecond: number | undefined;
  /** Where the number came from, for the activity's log. */
  source: string;
}

const CACHE_MS = 5 * 60_000;
const cache = new Map<string, { at: number; cap: Promise<RuCap> }>();

/**
 * The RU/s cap of a migration into `container`: the request's `maxRequestUnitsPerSecond` if given, else
 * 80% of the provisioned throughput (20% is left to the live application), else none. Offers are read once
 * per container and process every few minutes, not once per file.
 */
export function resolveRuCap(container: Container, requested: number | undefined, now = Date.now()): Promise<RuCap> {
  if (requested !== undefined)
    return Promise.resolve({ requestUnitsPerSecond: requested, source: 'options.maxRequestUnitsPerSecond' });
  const key = container.url;
  const hit = cache.get(key);
  if (hit && now - hit.at < CACHE_MS) return hit.cap;
  const cap = readProvisionedThroughput(container).then((throughput): RuCap => {
    if (throughput.kind === 'none') return { requestUnitsPerSecond: undefined, source: `no cap: ${throughput.reason}` };
    const share = 1 - LIVE_APPLICATION_SHARE;
    return {
      requestUnitsPerSecond: Math.floor(throughput.maxRequestUnitsPerSecond * share),
      source: `${share * 100}% of the ${throughput.scope}'s ${throughput.kind} ${throughput.maxRequestUnitsPerSecond} RU/s`,
    };
  });
  cache.set(key, { at: now, cap });
  return cap;
}
