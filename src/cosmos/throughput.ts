/**
 * The RU/s cap of a migration, and where it comes from.
 *
 * Default: 80% of the target's throughput, 20% left to the live application. The throughput is read where the
 * app's identity may read it:
 *
 * 1. `offer`: the container's (else its database's) throughput offer, read on the data plane. That works with
 *    account keys (the emulator, the local stack) but not in Azure as `infra/` deploys it: with key auth
 *    disabled the data plane refuses offer reads to Entra ID tokens (403, substatus 5300), whatever data-plane
 *    role the identity holds: data-plane RBAC covers reading and writing data, not throughput
 *    (https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac#permission-model). So a refused or
 *    unsupported read falls through to
 * 2. `setting`: the app setting `COSMOS_THROUGHPUT`, which `infra/` writes from the same Bicep parameters that
 *    provision the throughput (`cosmosCapacityMode`, `cosmosAutoscaleMaxThroughput`), so the two cannot drift
 *    apart on a deployment; a user who changes throughput by hand sets it too (README "Configuration").
 *    Chosen over Azure Resource Manager (`@azure/arm-cosmosdb` with a reader role), which would be exact but
 *    needs a control-plane role on the account, a subscription id and resource group in settings, one more SDK
 *    and a network path to ARM: the setting costs nothing at run time and grants the identity nothing.
 * 3. `none`, with the reason: nothing could be read and nothing is set. Never silent: the report, the custom
 *    status and the load logs say which cap applied (`RuCap`).
 *
 * The request's `options.maxRequestUnitsPerSecond` (`request`) overrides all of these.
 */
import { Container } from '@azure/cosmos';
import { MigrationError } from '../errors';
import { isTransientStatus, statusOf } from './status';

/** The app setting `infra/` writes with the provisioned throughput (see parseThroughputSetting). */
export const THROUGHPUT_SETTING = 'COSMOS_THROUGHPUT';

/**
 * What a serverless container serves at most, in RU/s, up to 250 GB of data (more beyond, 1,000 RU/s per
 * partition: https://learn.microsoft.com/azure/cosmos-db/serverless-performance): the budget the live application
 * and the migration share there. `serverless:<RU/s>` in the setting gives another figure.
 */
export const SERVERLESS_CONTAINER_REQUEST_UNITS = 5000;

/** Share of the throughput a migration leaves to the live application by default. */
const LIVE_APPLICATION_SHARE = 0.2;

/** What the target's throughput is. */
export interface Throughput {
  kind: 'manual' | 'autoscale' | 'serverless';
  scope: 'container' | 'database';
  /** Manual RU/s, the autoscale maximum, or what a serverless container can serve. */
  maxRequestUnitsPerSecond: number;
}

/** What the target's provisioned throughput is, as far as the data plane lets the app read it. */
export type ProvisionedThroughput =
  (Throughput & { kind: 'manual' | 'autoscale' }) | { kind: 'none'; reason: string; transient?: boolean };

/**
 * Where a migration's RU cap came from: the request, the throughput offer, the `COSMOS_THROUGHPUT` setting, Azure
 * Resource Manager (not used by this app, named so the report's vocabulary stays fixed), or nowhere.
 */
export type RuCapSource = 'request' | 'offer' | 'setting' | 'arm' | 'none';

export interface RuCap {
  /** RU/s; absent: no cap. */
  requestUnitsPerSecond?: number;
  source: RuCapSource;
  /** How the number was worked out, or, for `none`, why there is no cap; one line for logs, status and report. */
  detail: string;
}

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

/** `403/5300 first line of the message`, short enough for a log line. */
function describeError(error: unknown): string {
  const { code, substatus, message } = (error ?? {}) as { code?: unknown; substatus?: unknown; message?: unknown };
  const status = [code, substatus].filter((part) => part !== undefined && part !== '').join('/');
  const text = String(message ?? error ?? '')
    .split('\n')[0]
    .slice(0, 160);
  return [status, text].filter(Boolean).join(' ');
}

/**
 * The container's throughput offer (autoscale: its maximum), else its database's (shared throughput). A
 * serverless account has no offers; reading them may also be refused (Entra ID with key auth disabled: 403,
 * substatus 5300) or unsupported (the local Cosmos server): all of these come back as `none` with the reason,
 * `transient` when trying again later may answer.
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
    const status = statusOf(error);
    const reason =
      status === 403
        ? `the throughput offer may not be read by this identity (${describeError(error)}; with key auth disabled only the control plane can read throughput)`
        : `the throughput offer could not be read (${describeError(error)})`;
    return { kind: 'none', reason, transient: status !== 403 && status !== 401 && isTransientStatus(status) };
  }
}

/** One entry of `COSMOS_THROUGHPUT`. `database` and `container` undefined: any. */
export interface ThroughputSettingEntry {
  database?: string;
  container?: string;
  throughput: Throughput;
  /** The entry as written, for messages. */
  text: string;
}

function settingProblem(entry: string, why: string): MigrationError {
  return new MigrationError(
    'CONFIGURATION',
    `App setting ${THROUGHPUT_SETTING} entry "${entry.slice(0, 100)}" ${why}; expected entries such as "app=autoscale:4000", "app/orders=manual:400" or "*=serverless", separated by ";"`,
  );
}

/**
 * Reads `COSMOS_THROUGHPUT`: entries `<scope>=<throughput>` separated by `;`, where the scope is `*` (every
 * database), `<database>` (the database's shared throughput) or `<database>/<container>` (the container's own),
 * and the throughput is `serverless` (5,000 RU/s per container, or `serverless:<RU/s>`), `manual:<RU/s>`,
 * `autoscale:<maximum RU/s>`, or a number (manual).
 * Unset or empty: no entries. Anything else is a CONFIGURATION error naming the entry.
 */
export function parseThroughputSetting(text: string | undefined): ThroughputSettingEntry[] {
  const entries: ThroughputSettingEntry[] = [];
  for (const raw of (text ?? '').split(';')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const equals = entry.lastIndexOf('=');
    if (equals <= 0) throw settingProblem(entry, 'has no "<scope>=" in front');
    const scope = entry.slice(0, equals).trim();
    const value = entry.slice(equals + 1).trim();
    const slash = scope.indexOf('/');
    const database = scope === '*' ? undefined : slash < 0 ? scope : scope.slice(0, slash);
    const container = slash < 0 ? undefined : scope.slice(slash + 1);
    if (database === '' || container === '' || container?.includes('/'))
      throw settingProblem(entry, 'has a scope that is not *, <database> or <database>/<container>');
    const level: Throughput['scope'] = container === undefined ? 'database' : 'container';
    let throughput: Throughput;
    const match = /^(?:(manual|autoscale|serverless):)?([0-9]+)$/.exec(value);
    if (value === 'serverless') {
      throughput = {
        kind: 'serverless',
        scope: 'container',
        maxRequestUnitsPerSecond: SERVERLESS_CONTAINER_REQUEST_UNITS,
      };
    } else if (match && Number(match[2]) > 0 && Number.isSafeInteger(Number(match[2]))) {
      const kind = (match[1] as Throughput['kind'] | undefined) ?? 'manual';
      throughput = {
        kind,
        scope: kind === 'serverless' ? 'container' : level,
        maxRequestUnitsPerSecond: Number(match[2]),
      };
    } else {
      throw settingProblem(
        entry,
        'has a throughput that is not serverless[:<RU/s>], manual:<RU/s>, autoscale:<RU/s> or <RU/s>',
      );
    }
    entries.push({ database, container, throughput, text: entry });
  }
  return entries;
}

/** The entry that applies to `database`/`container`: its own, else its database's, else `*`. */
export function throughputSettingFor(
  entries: readonly ThroughputSettingEntry[],
  database: string,
  container: string,
): ThroughputSettingEntry | undefined {
  return (
    entries.find((e) => e.database === database && e.container === container) ??
    entries.find((e) => e.database === database && e.container === undefined) ??
    entries.find((e) => e.database === undefined)
  );
}

function describeThroughput(throughput: Throughput): string {
  if (throughput.kind === 'serverless') return `serverless container's ${throughput.maxRequestUnitsPerSecond} RU/s`;
  return `${throughput.scope}'s ${throughput.kind} ${throughput.maxRequestUnitsPerSecond} RU/s`;
}

function capOf(throughput: Throughput, source: 'offer' | 'setting', suffix = ''): RuCap {
  const share = 1 - LIVE_APPLICATION_SHARE;
  return {
    requestUnitsPerSecond: Math.floor(throughput.maxRequestUnitsPerSecond * share),
    source,
    detail: `${Math.round(share * 100)}% of the ${describeThroughput(throughput)}${suffix}`,
  };
}

const CACHE_MS = 5 * 60_000;
const cache = new Map<string, { at: number; cap: Promise<RuCap> }>();

/**
 * The RU/s cap of a migration into `container` (see the top of this file): the request's
 * `maxRequestUnitsPerSecond` if given; else 80% of the throughput offer if the data plane lets the app read
 * it; else 80% of what `COSMOS_THROUGHPUT` (`setting`, the raw text) says for the container; else none, with
 * the reason. A malformed setting is a CONFIGURATION error. Offers are read once per container and process
 * every few minutes, not once per file; a read that failed transiently is tried again next time.
 */
export function resolveRuCap(
  container: Container,
  requested: number | undefined,
  setting?: string,
  now = Date.now(),
): Promise<RuCap> {
  if (requested !== undefined)
    return Promise.resolve({
      requestUnitsPerSecond: requested,
      source: 'request',
      detail: 'options.maxRequestUnitsPerSecond',
    });
  let entries: ThroughputSettingEntry[];
  try {
    entries = parseThroughputSetting(setting);
  } catch (error) {
    return Promise.reject(error);
  }
  const key = `${container.url}\n${setting ?? ''}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < CACHE_MS) return hit.cap;
  const cap = readProvisionedThroughput(container).then((offer): RuCap => {
    if (offer.kind !== 'none') return capOf(offer, 'offer');
    if (offer.transient) cache.delete(key);
    const entry = throughputSettingFor(entries, container.database.id, container.id);
    if (entry) return capOf(entry.throughput, 'setting', ` (${THROUGHPUT_SETTING} "${entry.text}"; ${offer.reason})`);
    const unset =
      entries.length === 0
        ? `${THROUGHPUT_SETTING} is not set`
        : `${THROUGHPUT_SETTING} has no entry for ${container.database.id}/${container.id} or *`;
    return { source: 'none', detail: `no cap: ${offer.reason}, and ${unset}` };
  });
  cache.set(key, { at: now, cap });
  return cap;
}
