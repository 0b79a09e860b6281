import { MIN_MANUAL_THROUGHPUT } from './limits';

/**
 * Switches of the strict Cosmos DB layer. Resolved once from, in order: the stack's options (LocalStackOptions.cosmos),
 * the cosmos child's command line, the environment, the defaults (layer on, key auth allowed, provisioned account).
 */
export interface StrictCosmosOptions {
  /**
   * The strict layer in front of @vercel/cosmosdb-server. Default true; false serves the bare, lenient server
   * (1 RU per request, no partition key checks, no throttling): for comparison only.
   */
  strict?: boolean;
  /**
   * An account with local (key) authorization disabled (`disableLocalAuth: true`, as infra/ deploys it): data
   * operations work, while reading or replacing offers and creating, replacing or deleting databases and containers
   * are refused with 403, substatus 5300. Default false.
   */
  entraIdOnly?: boolean;
  /** A serverless account: no offers, 5,000 RU/s per container. Default false. */
  serverless?: boolean;
  /**
   * Manual RU/s of a container created without throughput in a database without any. Default 400, what Azure
   * gives. The test suites raise it to stand for a database provisioned beforehand, as `infra/` users have:
   * the app then caps itself at 80% of a realistic offer instead of 320 RU/s.
   */
  defaultThroughput?: number;
}

export type ResolvedStrictCosmosOptions = Required<StrictCosmosOptions>;

/** Environment variables read when no option or flag says otherwise (e.g. `LOCALSTACK_COSMOS_STRICT=off npm start`). */
export const STRICT_COSMOS_ENV = {
  strict: 'LOCALSTACK_COSMOS_STRICT',
  entraIdOnly: 'LOCALSTACK_COSMOS_ENTRA_ID_ONLY',
  serverless: 'LOCALSTACK_COSMOS_SERVERLESS',
  defaultThroughput: 'LOCALSTACK_COSMOS_DEFAULT_THROUGHPUT',
} as const;

export const STRICT_COSMOS_DEFAULTS: ResolvedStrictCosmosOptions = Object.freeze({
  strict: true,
  entraIdOnly: false,
  serverless: false,
  defaultThroughput: MIN_MANUAL_THROUGHPUT,
});

/** A manual throughput as the service accepts it: at least 400 RU/s, in steps of 100; undefined otherwise. */
export function parseThroughput(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= MIN_MANUAL_THROUGHPUT && n % 100 === 0 ? n : undefined;
}

/** `on/off`, `true/false`, `1/0`, `yes/no`; undefined when absent or unreadable. */
export function parseSwitch(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const normalized = value.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(normalized)) return true;
  if (['0', 'false', 'off', 'no'].includes(normalized)) return false;
  return undefined;
}

export function resolveStrictCosmosOptions(
  given: StrictCosmosOptions | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedStrictCosmosOptions {
  const pick = (name: 'strict' | 'entraIdOnly' | 'serverless'): boolean =>
    given?.[name] ?? parseSwitch(env[STRICT_COSMOS_ENV[name]]) ?? STRICT_COSMOS_DEFAULTS[name];
  const defaultThroughput =
    parseThroughput(given?.defaultThroughput) ??
    parseThroughput(env[STRICT_COSMOS_ENV.defaultThroughput]) ??
    STRICT_COSMOS_DEFAULTS.defaultThroughput;
  return {
    strict: pick('strict'),
    entraIdOnly: pick('entraIdOnly'),
    serverless: pick('serverless'),
    defaultThroughput,
  };
}

/**
 * RU/s a new container gets in local runs (`npm start`, the demo, the bench, the test suites): a database provisioned
 * beforehand, as `infra/` users have, rather than Azure's 400 RU/s for a container nobody sized. The strict tests of
 * the 400 RU/s default ask for it explicitly; LOCALSTACK_COSMOS_DEFAULT_THROUGHPUT overrides both.
 */
export const LOCAL_RUN_THROUGHPUT = 50_000;

export function withLocalRunThroughput(
  given: StrictCosmosOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): StrictCosmosOptions {
  if (given.defaultThroughput !== undefined || env[STRICT_COSMOS_ENV.defaultThroughput]) return given;
  return { ...given, defaultThroughput: LOCAL_RUN_THROUGHPUT };
}

/** Command-line flags of the cosmos child for resolved options (parsed back by cosmos-server.ts). */
export function strictCosmosArgs(options: ResolvedStrictCosmosOptions): string[] {
  return [
    '--strict',
    options.strict ? 'on' : 'off',
    '--entra-id-only',
    options.entraIdOnly ? 'on' : 'off',
    '--serverless',
    options.serverless ? 'on' : 'off',
    '--default-throughput',
    String(options.defaultThroughput),
  ];
}

/** A one-line description for logs. */
export function describeStrictCosmos(options: ResolvedStrictCosmosOptions): string {
  if (!options.strict) return 'strict layer off (bare @vercel/cosmosdb-server)';
  return `strict layer on (${options.serverless ? 'serverless' : 'provisioned throughput'}, ${options.entraIdOnly ? 'Entra ID only: key-authorized management refused' : 'key auth allowed'})`;
}
