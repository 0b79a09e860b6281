/**
 * Provisioned throughput of the local account: the offers (throughput settings) of databases and containers, and
 * the per-physical-partition RU budgets they translate into.
 *
 * - Manual RU/s or an autoscale maximum, set on a container or shared by a database, when it is created
 *   (https://learn.microsoft.com/azure/cosmos-db/set-throughput); a container created without throughput in a
 *   database without it gets the manual minimum, 400 RU/s (limits.ts).
 * - Autoscale can use its whole maximum at any moment (autoscale-faq, limits.ts).
 * - Serverless: no offers; 5,000 RU/s per container (limits.ts).
 * - The RU/s are divided evenly over physical partitions of at most 10,000 RU/s each ("Azure Cosmos DB distributes
 *   the overall provisioned throughput evenly across physical partitions":
 *   https://learn.microsoft.com/azure/cosmos-db/nosql/troubleshoot-request-timeout#hot-partition-key); a container
 *   gets ceil(RU/s / 10,000) of them, and never fewer after a change (partitions split, they do not merge:
 *   https://learn.microsoft.com/azure/cosmos-db/scaling-provisioned-throughput-best-practices). Items go to a
 *   partition by the hash of their partition key value (hash.ts), so one hot key can use one partition's share.
 *   Containers of a shared-throughput database share the database's partitions.
 */
import { renameSync, readFileSync, writeFileSync } from 'node:fs';
import { physicalPartitionOf } from './hash';
import {
  AUTOSCALE_THROUGHPUT_STEP,
  MANUAL_THROUGHPUT_STEP,
  MAX_RU_PER_PHYSICAL_PARTITION,
  MIN_AUTOSCALE_MAX_THROUGHPUT,
  MIN_MANUAL_THROUGHPUT,
  SERVERLESS_CONTAINER_THROUGHPUT,
} from './limits';
import { SecondWindowBudget, type Admission, type Clock } from './second-window';

export type ThroughputSetting = { mode: 'manual'; throughput: number } | { mode: 'autoscale'; maxThroughput: number };

export interface OfferRecord {
  id: string;
  database: string;
  /** Absent: the database's shared throughput. */
  container?: string;
  setting: ThroughputSetting;
  /** Physical partitions behind the offer; grows with the throughput, never shrinks. */
  partitions: number;
  /** `_self` and `_rid` of the database or container, as the server reports them (offers name their resource so). */
  resource: string;
  offerResourceId: string;
  etag: string;
  ts: number;
}

export interface ResourceIdentity {
  rid: string;
  self: string;
}

export function usableThroughput(setting: ThroughputSetting): number {
  return setting.mode === 'manual' ? setting.throughput : setting.maxThroughput;
}

export function partitionsFor(setting: ThroughputSetting): number {
  return Math.max(1, Math.ceil(usableThroughput(setting) / MAX_RU_PER_PHYSICAL_PARTITION));
}

/**
 * The throughput asked for with a create (`x-ms-offer-throughput`, `x-ms-cosmos-offer-autopilot-settings`:
 * https://learn.microsoft.com/rest/api/cosmos-db/create-a-collection), or why it is refused.
 */
export function throughputFromHeaders(
  headers: Record<string, string | string[] | undefined>,
  serverless: boolean,
): { setting?: ThroughputSetting; error?: string } {
  const manualHeader = headers['x-ms-offer-throughput'];
  const autoscaleHeader = headers['x-ms-cosmos-offer-autopilot-settings'];
  if (manualHeader === undefined && autoscaleHeader === undefined) return {};
  if (serverless) return { error: 'Throughput cannot be set on a serverless account (strict local layer)' };
  if (manualHeader !== undefined && autoscaleHeader !== undefined) {
    return { error: 'Only one of x-ms-offer-throughput and x-ms-cosmos-offer-autopilot-settings may be given' };
  }
  if (manualHeader !== undefined) {
    const throughput = Number(String(manualHeader));
    if (!Number.isInteger(throughput) || throughput < MIN_MANUAL_THROUGHPUT || throughput % MANUAL_THROUGHPUT_STEP) {
      return {
        error: `x-ms-offer-throughput ${String(manualHeader)}: manual throughput is at least ${MIN_MANUAL_THROUGHPUT} RU/s, in steps of ${MANUAL_THROUGHPUT_STEP}`,
      };
    }
    return { setting: { mode: 'manual', throughput } };
  }
  let maxThroughput = NaN;
  try {
    maxThroughput = Number((JSON.parse(String(autoscaleHeader)) as { maxThroughput?: unknown }).maxThroughput);
  } catch {
    // reported below
  }
  if (
    !Number.isInteger(maxThroughput) ||
    maxThroughput < MIN_AUTOSCALE_MAX_THROUGHPUT ||
    maxThroughput % AUTOSCALE_THROUGHPUT_STEP
  ) {
    return {
      error: `x-ms-cosmos-offer-autopilot-settings ${String(autoscaleHeader)}: the autoscale maximum is at least ${MIN_AUTOSCALE_MAX_THROUGHPUT} RU/s, in steps of ${AUTOSCALE_THROUGHPUT_STEP}`,
    };
  }
  return { setting: { mode: 'autoscale', maxThroughput } };
}

/** A set of physical partitions sharing one offer (or a serverless container). */
export class Budget {
  readonly buckets: SecondWindowBudget[] = [];

  constructor(
    readonly key: string,
    readonly scope: 'container' | 'database' | 'serverless',
    private readonly clock: Clock,
    setting: ThroughputSetting,
    partitions: number,
  ) {
    this.update(setting, partitions);
  }

  setting!: ThroughputSetting;

  update(setting: ThroughputSetting, partitions: number): void {
    this.setting = setting;
    const rate = usableThroughput(setting) / partitions;
    while (this.buckets.length < partitions) this.buckets.push(new SecondWindowBudget(rate, this.clock));
    for (const bucket of this.buckets) bucket.ratePerSecond = rate;
  }

  /** The partition owning a key of `container` (containers of a shared database share its partitions). */
  partitionOf(container: string, canonicalKey: string): number {
    const key = this.scope === 'database' ? `${container}|${canonicalKey}` : canonicalKey;
    return physicalPartitionOf(key, this.buckets.length);
  }

  admit(partition: number): Admission {
    return this.buckets[partition].admit();
  }

  /** A request that reaches every partition (a cross-partition query) needs budget left on each. */
  admitAll(): Admission {
    let longest = 0;
    for (const bucket of this.buckets) {
      const admission = bucket.admit();
      if (!admission.admitted) longest = Math.max(longest, admission.retryAfterMs);
    }
    return longest > 0 ? { admitted: false, retryAfterMs: longest } : { admitted: true };
  }

  charge(partition: number | 'all', requestUnits: number): void {
    if (partition !== 'all') return this.buckets[partition].charge(requestUnits);
    for (const bucket of this.buckets) bucket.charge(requestUnits / this.buckets.length);
  }
}

interface ContainerStats {
  requestCharge: number;
  operations: number;
  throttled: number;
  /** RU charged per epoch second, the last SECONDS_KEPT seconds. */
  perSecond: Map<number, number>;
}

const SECONDS_KEPT = 3600;
const STATE_FORMAT = 'strict-cosmos-offers';

export interface ContainerReport {
  database: string;
  container: string;
  throughput:
    | { scope: Budget['scope']; mode: ThroughputSetting['mode']; requestUnitsPerSecond: number; partitions: number }
    | undefined;
  requestCharge: number;
  operations: number;
  throttled: number;
  /** The highest RU charged in one calendar second, and the seconds with charges: `[epoch second, RU]`. */
  peakRequestUnitsPerSecond: number;
  seconds: [number, number][];
}

export class ThroughputRegistry {
  private readonly offers = new Map<string, OfferRecord>();
  private readonly budgets = new Map<string, Budget>();
  private readonly stats = new Map<string, ContainerStats>();
  private nextOffer = 1;
  /** Manual RU/s of a container that asked for none in a database without any (options.ts). */
  defaultThroughput = MIN_MANUAL_THROUGHPUT;

  constructor(
    private serverlessMode: boolean,
    private readonly clock: Clock = Date.now,
    private readonly stateFile?: string,
  ) {
    if (stateFile) this.load(stateFile);
  }

  get serverless(): boolean {
    return this.serverlessMode;
  }

  set serverless(value: boolean) {
    this.serverlessMode = value;
    this.budgets.clear();
  }

  private load(file: string): void {
    let state: { format?: string; nextOffer?: number; offers?: OfferRecord[] };
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as typeof state;
    } catch {
      return;
    }
    if (state.format !== STATE_FORMAT) return;
    for (const offer of state.offers ?? []) this.offers.set(offerKey(offer.database, offer.container), offer);
    this.nextOffer = Math.max(this.nextOffer, state.nextOffer ?? 1);
  }

  private save(): void {
    if (!this.stateFile) return;
    const temp = `${this.stateFile}.tmp`;
    const state = { format: STATE_FORMAT, nextOffer: this.nextOffer, offers: [...this.offers.values()] };
    writeFileSync(temp, JSON.stringify(state, null, 1));
    renameSync(temp, this.stateFile);
  }

  allOffers(): OfferRecord[] {
    return this.serverlessMode ? [] : [...this.offers.values()];
  }

  offerById(id: string): OfferRecord | undefined {
    return this.allOffers().find((offer) => offer.id === id);
  }

  offerOf(database: string, container?: string): OfferRecord | undefined {
    return this.serverlessMode ? undefined : this.offers.get(offerKey(database, container));
  }

  private createOffer(
    database: string,
    container: string | undefined,
    identity: ResourceIdentity,
    setting: ThroughputSetting,
  ): OfferRecord {
    const id = `of${(this.nextOffer++).toString(36).padStart(3, '0')}`;
    const offer: OfferRecord = {
      id,
      database,
      container,
      setting,
      partitions: partitionsFor(setting),
      resource: identity.self,
      offerResourceId: identity.rid,
      etag: `${id}-1`,
      ts: Math.floor(this.clock() / 1000),
    };
    this.offers.set(offerKey(database, container), offer);
    this.budgets.delete(budgetKey(offer));
    this.save();
    return offer;
  }

  databaseCreated(database: string, identity: ResourceIdentity, setting: ThroughputSetting | undefined): void {
    this.databaseDeleted(database);
    if (setting) this.createOffer(database, undefined, identity, setting);
  }

  /** A new container: its own offer if it asked for throughput, else its database's, else the default (400 RU/s). */
  containerCreated(
    database: string,
    container: string,
    identity: ResourceIdentity,
    setting: ThroughputSetting | undefined,
  ): void {
    this.containerDeleted(database, container);
    if (this.serverlessMode) return;
    if (setting) this.createOffer(database, container, identity, setting);
    else if (!this.offers.has(offerKey(database))) {
      this.createOffer(database, container, identity, { mode: 'manual', throughput: this.defaultThroughput });
    }
  }

  databaseDeleted(database: string): void {
    let changed = false;
    for (const [key, offer] of this.offers) {
      if (offer.database !== database) continue;
      this.offers.delete(key);
      this.budgets.delete(budgetKey(offer));
      changed = true;
    }
    for (const key of this.stats.keys()) if (key.startsWith(`${database}/`)) this.stats.delete(key);
    if (changed) this.save();
  }

  containerDeleted(database: string, container: string): void {
    const offer = this.offers.get(offerKey(database, container));
    this.budgets.delete(`serverless:${database}/${container}`);
    this.stats.delete(`${database}/${container}`);
    if (!offer) return;
    this.offers.delete(offerKey(database, container));
    this.budgets.delete(budgetKey(offer));
    this.save();
  }

  /** Manual RU/s or autoscale maximum of an offer replaced through /offers. */
  replaceOffer(id: string, setting: ThroughputSetting): OfferRecord | undefined {
    const offer = this.offerById(id);
    if (!offer) return undefined;
    offer.setting = setting;
    offer.partitions = Math.max(offer.partitions, partitionsFor(setting));
    offer.etag = `${offer.id}-${Number(offer.etag.split('-').pop() ?? 0) + 1}`;
    offer.ts = Math.floor(this.clock() / 1000);
    this.budgets.get(budgetKey(offer))?.update(offer.setting, offer.partitions);
    this.save();
    return offer;
  }

  /**
   * The budget a container's requests draw on. `identity` resolves a container the registry has not seen created
   * (created before the layer ran, or with it off): it gets what a new one would.
   */
  budgetFor(database: string, container: string, identity: () => ResourceIdentity | undefined): Budget | undefined {
    if (this.serverlessMode) {
      const key = `serverless:${database}/${container}`;
      let budget = this.budgets.get(key);
      if (!budget) {
        const setting: ThroughputSetting = { mode: 'manual', throughput: SERVERLESS_CONTAINER_THROUGHPUT };
        budget = new Budget(key, 'serverless', this.clock, setting, 1);
        this.budgets.set(key, budget);
      }
      return budget;
    }
    let offer = this.offers.get(offerKey(database, container)) ?? this.offers.get(offerKey(database));
    if (!offer) {
      const found = identity();
      if (!found) return undefined;
      this.containerCreated(database, container, found, undefined);
      offer = this.offers.get(offerKey(database, container)) ?? this.offers.get(offerKey(database));
      if (!offer) return undefined;
    }
    const key = budgetKey(offer);
    let budget = this.budgets.get(key);
    if (!budget) {
      budget = new Budget(key, offer.container ? 'container' : 'database', this.clock, offer.setting, offer.partitions);
      this.budgets.set(key, budget);
    }
    return budget;
  }

  /**
   * Books an answered operation of a container: its charge, and whether it was throttled, in the second it was
   * admitted (`at`, default now), where the budget took it.
   */
  record(database: string, container: string, requestCharge: number, throttled = false, at = this.clock()): void {
    const key = `${database}/${container}`;
    let stats = this.stats.get(key);
    if (!stats) {
      stats = { requestCharge: 0, operations: 0, throttled: 0, perSecond: new Map() };
      this.stats.set(key, stats);
    }
    stats.operations++;
    if (throttled) stats.throttled++;
    if (requestCharge <= 0) return;
    stats.requestCharge += requestCharge;
    const second = Math.floor(at / 1000);
    stats.perSecond.set(second, (stats.perSecond.get(second) ?? 0) + requestCharge);
    if (stats.perSecond.size > SECONDS_KEPT) {
      for (const old of stats.perSecond.keys()) {
        if (old > second - SECONDS_KEPT) break;
        stats.perSecond.delete(old);
      }
    }
  }

  report(): ContainerReport[] {
    return [...this.stats.entries()].map(([key, stats]) => {
      const slash = key.indexOf('/');
      const database = key.slice(0, slash);
      const container = key.slice(slash + 1);
      const budget = this.budgetFor(database, container, () => undefined);
      const seconds = [...stats.perSecond.entries()].map(([s, ru]): [number, number] => [s, round(ru)]);
      return {
        database,
        container,
        throughput: budget && {
          scope: budget.scope,
          mode: budget.setting.mode,
          requestUnitsPerSecond: usableThroughput(budget.setting),
          partitions: budget.buckets.length,
        },
        requestCharge: round(stats.requestCharge),
        operations: stats.operations,
        throttled: stats.throttled,
        peakRequestUnitsPerSecond: Math.max(0, ...seconds.map(([, ru]) => ru)),
        seconds,
      };
    });
  }

  resetStats(): void {
    this.stats.clear();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function offerKey(database: string, container?: string): string {
  return container === undefined ? `db:${database}` : `coll:${database}/${container}`;
}

function budgetKey(offer: OfferRecord): string {
  return offerKey(offer.database, offer.container);
}
