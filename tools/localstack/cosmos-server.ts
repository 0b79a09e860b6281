/**
 * Child-process entry: @vercel/cosmosdb-server with its account persisted to <state-dir>/account.ndjson, served over
 * HTTPS on --port. With the strict layer on (the default), the server listens on an ephemeral loopback port over
 * plain HTTP and the HTTPS port is the strict Cosmos DB layer in front of it (strict-cosmos/), in this process.
 * Started by the local stack; not meant to be imported.
 *
 *   node cosmos-server.js --host 127.0.0.1 --port 8081 --state-dir .local/cosmos [--verbose]
 *                         [--strict on|off] [--entra-id-only on|off] [--serverless on|off] [--snapshots on|off]
 *
 * The three switches of the strict layer default to LOCALSTACK_COSMOS_STRICT, LOCALSTACK_COSMOS_ENTRA_ID_ONLY and
 * LOCALSTACK_COSMOS_SERVERLESS, then to on, off, off. --snapshots defaults to LOCALSTACK_COSMOS_SNAPSHOTS, then on:
 * off keeps the account in memory only (nothing restored, nothing written), for bench runs of a million documents,
 * whose whole-account snapshot (about 1.2 GB, written synchronously) would stop the server for many seconds every
 * few seconds; their state directory is thrown away afterwards anyway.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHttpServer, createHttpsServer } from '@vercel/cosmosdb-server';
import type Account from '@vercel/cosmosdb-server/lib/account';
import { readSnapshot, restoreSnapshot, writeSnapshot, type Snapshot } from './cosmos-snapshot';
import { accountView } from './strict-cosmos/account-view';
import { createStrictCosmosLayer } from './strict-cosmos/layer';
import {
  describeStrictCosmos,
  parseSwitch,
  parseThroughput,
  resolveStrictCosmosOptions,
  type ResolvedStrictCosmosOptions,
} from './strict-cosmos/options';
import { forwarderTo } from './strict-cosmos/proxy';

/** Minimum pause between snapshots; grows with snapshot cost so big accounts do not spend all their time serialising. */
const SNAPSHOT_INTERVAL_MS = 1000;
const SNAPSHOT_COST_FACTOR = 4;

interface ServerArgs {
  host: string;
  port: number;
  stateDir: string;
  verbose: boolean;
  snapshots: boolean;
  layer: ResolvedStrictCosmosOptions;
}

const SNAPSHOTS_ENV = 'LOCALSTACK_COSMOS_SNAPSHOTS';

function parseServerArgs(argv: string[]): ServerArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8081' },
      'state-dir': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      strict: { type: 'string' },
      'entra-id-only': { type: 'string' },
      serverless: { type: 'string' },
      'default-throughput': { type: 'string' },
      snapshots: { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  if (!values['state-dir']) throw new Error('--state-dir is required');
  const layer = resolveStrictCosmosOptions({
    strict: parseSwitch(values.strict),
    entraIdOnly: parseSwitch(values['entra-id-only']),
    serverless: parseSwitch(values.serverless),
    defaultThroughput: parseThroughput(values['default-throughput']),
  });
  const host = values.host ?? '127.0.0.1';
  const snapshots = parseSwitch(values.snapshots) ?? parseSwitch(process.env[SNAPSHOTS_ENV]) ?? true;
  return { host, port, stateDir: values['state-dir'], verbose: values.verbose ?? false, snapshots, layer };
}

/**
 * createHttpsServer() builds its Account privately on 'listening' (`new account_1.default(host, port)`,
 * resolved at call time), so swapping the module's default export for a subclass is the one seam
 * that hands us the instance. The subclass restores the snapshot inside the constructor, i.e. before
 * the server can dispatch a single request against an empty account. `endpoint` replaces the address the account
 * advertises (its writable and readable locations): behind the strict layer, clients must come back to the layer's
 * port, never to the inner one.
 */
function interceptAccount(onCreate: (account: Account) => void, endpoint?: { host: string; port: number }): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself is patched, which an import binding cannot do
  const accountModule = require('@vercel/cosmosdb-server/lib/account') as { default: typeof Account };
  const Original = accountModule.default;
  accountModule.default = class PersistentAccount extends Original {
    constructor(host: string, port: number) {
      super(endpoint?.host ?? host, endpoint?.port ?? port);
      onCreate(this);
    }
  };
}

/** Queries are POSTs too; only requests that can change the account should trigger a snapshot. */
function isMutation(req: IncomingMessage): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  const isQuery =
    String(req.headers['x-ms-documentdb-isquery']).toLowerCase() === 'true' ||
    req.headers['content-type'] === 'application/query+json';
  return !(req.method === 'POST' && isQuery);
}

async function main(): Promise<void> {
  const args = parseServerArgs(process.argv.slice(2));
  mkdirSync(args.stateDir, { recursive: true });
  const snapshotFile = join(args.stateDir, 'account.ndjson');
  // Temp files of snapshots interrupted by a SIGKILL; the last complete snapshot is account.ndjson itself.
  for (const entry of readdirSync(args.stateDir)) {
    if (entry.startsWith('account.ndjson.') && entry.endsWith('.tmp'))
      rmSync(join(args.stateDir, entry), { force: true });
  }
  // Read before listening; the account is only created once the port is bound.
  let snapshot: Snapshot = args.snapshots ? await readSnapshot(snapshotFile) : [];

  let account: Account | undefined;
  interceptAccount(
    (created) => {
      const stats = restoreSnapshot(created, snapshot);
      console.log(
        args.snapshots
          ? `restored ${stats.databases} database(s), ${stats.collections} container(s), ${stats.documents} document(s) from ${snapshotFile}`
          : `snapshots off: the account is kept in memory only`,
      );
      account = created;
      // The account now references the documents; drop the record wrappers.
      snapshot = [];
    },
    args.layer.strict ? { host: args.host, port: args.port } : undefined,
  );

  let dirty = false;
  let snapshotCostMs = 0;
  const flush = (): void => {
    if (!args.snapshots || !dirty || !account) return;
    dirty = false;
    const started = Date.now();
    try {
      const stats = writeSnapshot(account, snapshotFile);
      snapshotCostMs = Date.now() - started;
      if (args.verbose) console.log(`snapshot: ${stats.documents} document(s) in ${snapshotCostMs} ms`);
    } catch (error) {
      dirty = true;
      console.error(`snapshot to ${snapshotFile} failed:`, error);
    }
  };
  const scheduleFlush = (): void => {
    setTimeout(
      () => {
        flush();
        scheduleFlush();
      },
      Math.max(SNAPSHOT_INTERVAL_MS, snapshotCostMs * SNAPSHOT_COST_FACTOR),
    );
  };

  const shutdown = (signal: NodeJS.Signals): void => {
    console.log(args.snapshots ? `${signal}: writing final snapshot and exiting` : `${signal}: exiting`);
    flush();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, shutdown);

  const markMutations = (server: Server): void => {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (isMutation(req)) res.once('close', () => (dirty = true));
    });
  };
  if (args.layer.strict) {
    // The server on an ephemeral loopback port, plain HTTP (the layer's TLS is the one clients see); keepAlive: the
    // package otherwise answers `connection: close`.
    const inner = createHttpServer({ keepAlive: true });
    // The layer is its only client and keeps idle connections for reuse; a server that closed them after Node's
    // 5 s default would race the layer's next request on them (ECONNRESET).
    inner.keepAliveTimeout = 0;
    markMutations(inner);
    await listen(inner, 0, '127.0.0.1');
    const layer = createStrictCosmosLayer({
      forward: forwarderTo('127.0.0.1', (inner.address() as AddressInfo).port),
      view: accountView(() => account),
      options: args.layer,
      stateFile: join(args.stateDir, 'strict-cosmos.json'),
    });
    // The certificate the package serves itself, so clients see the same endpoint either way.
    const certificate = (file: string): Buffer => readFileSync(require.resolve(`@vercel/cosmosdb-server/${file}`));
    const outer = https.createServer(
      { cert: certificate('cert.pem'), key: certificate('key.pem'), minVersion: 'TLSv1' },
      (req, res) => layer.handle(req, res),
    );
    await listen(outer, args.port, args.host);
  } else {
    // keepAlive: the package otherwise answers `connection: close`, forcing a TLS handshake per request.
    const server = createHttpsServer({ keepAlive: true });
    markMutations(server);
    await listen(server, args.port, args.host);
  }
  console.log(`cosmosdb-server listening on https://${args.host}:${args.port}, ${describeStrictCosmos(args.layer)}`);
  if (args.snapshots) scheduleFlush();
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

main().catch((error: unknown) => {
  console.error('cosmos emulator failed to start:', error);
  process.exit(1);
});
