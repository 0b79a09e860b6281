/**
 * Child-process entry: @vercel/cosmosdb-server over HTTPS with its account persisted to
 * <state-dir>/account.ndjson. Started by the local stack; not meant to be imported.
 *
 *   node cosmos-server.js --host 127.0.0.1 --port 8081 --state-dir .local/cosmos [--verbose]
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import type Account from '@vercel/cosmosdb-server/lib/account';
import { readSnapshot, restoreSnapshot, writeSnapshot, type Snapshot } from './cosmos-snapshot';

/** Minimum pause between snapshots; grows with snapshot cost so big accounts do not spend all their time serialising. */
const SNAPSHOT_INTERVAL_MS = 1000;
const SNAPSHOT_COST_FACTOR = 4;

interface ServerArgs {
  host: string;
  port: number;
  stateDir: string;
  verbose: boolean;
}

function parseServerArgs(argv: string[]): ServerArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8081' },
      'state-dir': { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  if (!values['state-dir']) throw new Error('--state-dir is required');
  return { host: values.host ?? '127.0.0.1', port, stateDir: values['state-dir'], verbose: values.verbose ?? false };
}

/**
 * createHttpsServer() builds its Account privately on 'listening' (`new account_1.default(host, port)`,
 * resolved at call time), so swapping the module's default export for a subclass is the one seam
 * that hands us the instance. The subclass restores the snapshot inside the constructor, i.e. before
 * the server can dispatch a single request against an empty account.
 */
function interceptAccount(onCreate: (account: Account) => void): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself is patched, which an import binding cannot do
  const accountModule = require('@vercel/cosmosdb-server/lib/account') as { default: typeof Account };
  const Original = accountModule.default;
  accountModule.default = class PersistentAccount extends Original {
    constructor(host: string, port: number) {
      super(host, port);
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
  let snapshot: Snapshot = await readSnapshot(snapshotFile);

  let account: Account | undefined;
  interceptAccount((created) => {
    const stats = restoreSnapshot(created, snapshot);
    console.log(
      `restored ${stats.databases} database(s), ${stats.collections} container(s), ${stats.documents} document(s) from ${snapshotFile}`,
    );
    account = created;
    // The account now references the documents; drop the record wrappers.
    snapshot = [];
  });

  let dirty = false;
  let snapshotCostMs = 0;
  const flush = (): void => {
    if (!dirty || !account) return;
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

  // keepAlive: the package otherwise answers `connection: close`, forcing a TLS handshake per request.
  const server = createHttpsServer({ keepAlive: true });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (isMutation(req)) res.once('close', () => (dirty = true));
  });

  const shutdown = (signal: NodeJS.Signals): void => {
    console.log(`${signal}: writing final snapshot and exiting`);
    flush();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, shutdown);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(args.port, args.host, () => resolve());
  });
  console.log(`cosmosdb-server listening on https://${args.host}:${args.port}`);
  scheduleFlush();
}

main().catch((error: unknown) => {
  console.error('cosmos emulator failed to start:', error);
  process.exit(1);
});
