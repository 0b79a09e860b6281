/**
 * Local emulator stack for integration tests. Each test file gets its own stack: own ports, own
 * temporary state directory, started in beforeAll and stopped (processes gone, state deleted) in afterAll.
 */
import { withLocalRunThroughput } from '../../tools/localstack/strict-cosmos/options';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { cosmosClientOptions } from '../../tools/localstack/cosmos-client-options';
import type { ResolvedStrictCosmosOptions, StrictCosmosOptions } from '../../tools/localstack/strict-cosmos/options';
import type { ContainerReport, OfferRecord } from '../../tools/localstack/strict-cosmos/throughput';
import { ADMIN_PATH, HEADERS } from '../../tools/localstack/strict-cosmos/wire';
import { startLocalStack } from '../../tools/localstack/stack';
import { findFreePort, isListening } from '../../tools/localstack/net';
import type {
  LocalStack,
  LocalStackEndpoints,
  LocalStackOptions,
  LocalStackPorts,
  LocalStackSettings,
} from '../../tools/localstack/types';

/** Away from the defaults (10000-10002, 4568, 8081) so tests can run while a developer's stack is up. */
const TEST_BASE_PORTS: LocalStackPorts = { blob: 20000, queue: 20001, table: 20002, s3: 24568, cosmos: 28081 };

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;

/**
 * Ports for one stack. Jest runs test files in parallel workers, so each worker starts from its own
 * block of ports; a port that is still taken (say, by a stack leaked from an aborted run) is replaced
 * by one the OS reports free.
 */
export async function pickTestPorts(): Promise<LocalStackPorts> {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const offset = (Number.isInteger(worker) && worker > 0 ? worker - 1 : 0) * 10;
  const chosen = new Set<number>();
  const pick = async (base: number): Promise<number> => {
    let port = base + offset;
    while (chosen.has(port) || (await isListening(port))) port = await findFreePort();
    chosen.add(port);
    return port;
  };
  return {
    blob: await pick(TEST_BASE_PORTS.blob),
    queue: await pick(TEST_BASE_PORTS.queue),
    table: await pick(TEST_BASE_PORTS.table),
    s3: await pick(TEST_BASE_PORTS.s3),
    cosmos: await pick(TEST_BASE_PORTS.cosmos),
  };
}

/** Five distinct ports the OS reports free right now. */
export async function freeTestPorts(): Promise<LocalStackPorts> {
  const chosen = new Set<number>();
  while (chosen.size < 5) chosen.add(await findFreePort());
  const [blob, queue, table, s3, cosmos] = [...chosen];
  return { blob, queue, table, s3, cosmos };
}

export function makeStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'localstack-test-'));
}

/**
 * Starts a stack on test ports (options.ports, else the worker's preferred block). Other jest runs on
 * the same machine use the same worker ids and so the same preferred ports; if one of them wins a
 * port between our check and our bind, retry on ports the OS hands out.
 */
export async function startTestStack(
  stateDir: string,
  options: Omit<LocalStackOptions, 'stateDir'> = {},
): Promise<LocalStack> {
  for (let attempt = 1; ; attempt += 1) {
    const ports = attempt > 1 ? await freeTestPorts() : (options.ports ?? (await pickTestPorts()));
    try {
      return await startLocalStack({ ...options, stateDir, ports });
    } catch (error) {
      if (attempt >= 3 || !/already in use|EADDRINUSE/.test(String(error))) throw error;
    }
  }
}

export interface LocalStackHandle {
  readonly stack: LocalStack;
  readonly endpoints: LocalStackEndpoints;
  readonly settings: LocalStackSettings;
}

export interface UseLocalStackOptions extends Pick<
  LocalStackOptions,
  'lakeContainer' | 'quiet' | 'lakeFromUrl' | 'cosmos'
> {
  /** Copy the settings into process.env for the duration of the file (restored in afterAll). */
  applyEnv?: boolean;
}

/**
 * Registers beforeAll/afterAll hooks and returns a handle whose properties become readable once
 * beforeAll has run (reading them at module level throws).
 */
export function useLocalStack(options: UseLocalStackOptions = {}): LocalStackHandle {
  const { applyEnv, ...given } = options;
  const stackOptions = { ...given, cosmos: withLocalRunThroughput(given.cosmos) };
  let stack: LocalStack | undefined;
  let stateDir: string | undefined;
  const savedEnv = new Map<string, string | undefined>();

  beforeAll(async () => {
    stateDir = makeStateDir();
    stack = await startTestStack(stateDir, stackOptions);
    if (applyEnv) {
      for (const [name, value] of Object.entries(stack.settings)) {
        savedEnv.set(name, process.env[name]);
        process.env[name] = value;
      }
    }
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }, STOP_TIMEOUT_MS);

  const current = (): LocalStack => {
    if (!stack) throw new Error('useLocalStack(): the stack is only available inside tests (after beforeAll)');
    return stack;
  };
  return {
    get stack() {
      return current();
    },
    get endpoints() {
      return current().endpoints;
    },
    get settings() {
      return current().settings;
    },
  };
}

/** What the strict Cosmos DB layer reports: its switches, the offers, and per container the RUs charged and 429s. */
export interface StrictCosmosReport {
  options: ResolvedStrictCosmosOptions;
  containers: ContainerReport[];
  offers: OfferRecord[];
}

function adminRequest(endpoint: string, method: string, path = '', body?: unknown): Promise<any> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = https.request(
      new URL(`${ADMIN_PATH}${path}`, endpoint),
      {
        method,
        rejectUnauthorized: false,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((response.statusCode ?? 500) >= 300)
            reject(new Error(`${method} ${ADMIN_PATH}${path}: ${response.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    request.once('error', reject);
    request.end(payload);
  });
}

/**
 * The strict Cosmos DB layer of a running stack (tools/localstack/strict-cosmos/), for tests: switch its modes for
 * the rest of the file (say, Entra ID only after the containers exist), read what it charged and throttled.
 */
export function strictCosmos(stack: Pick<LocalStackHandle, 'endpoints'>) {
  const endpoint = (): string => stack.endpoints.cosmos;
  return {
    report: (): Promise<StrictCosmosReport> => adminRequest(endpoint(), 'GET'),
    configure: async (options: StrictCosmosOptions): Promise<ResolvedStrictCosmosOptions> =>
      (await adminRequest(endpoint(), 'PATCH', '', options)).options,
    resetStats: async (): Promise<void> => {
      await adminRequest(endpoint(), 'DELETE', '/stats');
    },
  };
}

/**
 * A Cosmos client acting as the control plane (what Azure Resource Manager, Bicep or `az cosmosdb sql` are in
 * Azure): the Entra-ID-only mode lets its management requests through. For creating databases and containers with
 * their throughput before the app runs, as infra/ users must; the app never gets one.
 */
export function controlPlaneCosmosClient(settings: LocalStackSettings): CosmosClient {
  const options = cosmosClientOptions(settings);
  return new CosmosClient({
    ...options,
    defaultHeaders: { ...options.defaultHeaders, [HEADERS.controlPlane]: 'true' },
  });
}
