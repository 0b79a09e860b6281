/**
 * Azurite with Put Block From URL and Put Blob From URL: takes Azurite's own command line, listens with the layer
 * (server.ts) on the `--blobHost`/`--blobPort` it names, and runs Azurite in this process with its blob service
 * on a free port behind the layer. Queue and table are Azurite's, unchanged. The local stack starts this script in
 * Azurite's place (emulators.ts); it logs Azurite's lines, so the stack's readiness check is the same.
 */
import { AZURITE_ACCOUNT, AZURITE_KEY, LOCAL_HOST } from '../constants';
import { findFreePort } from '../net';
import { startLakeFromUrl, type LakeFromUrl } from './server';

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/** Azurite's accounts: the development account, or those of AZURITE_ACCOUNTS (`name:key1[:key2];…`), as Azurite reads them. */
export function azuriteAccounts(env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const accounts = new Map<string, string>();
  for (const entry of (env.AZURITE_ACCOUNTS ?? '').split(';')) {
    const [name, key] = entry.split(':');
    if (name && key) accounts.set(name.trim(), key.trim());
  }
  if (accounts.size === 0) accounts.set(AZURITE_ACCOUNT, AZURITE_KEY);
  return accounts;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const host = option(args, '--blobHost') ?? LOCAL_HOST;
  const port = Number(option(args, '--blobPort') ?? 10000);
  const backendPort = await findFreePort(host);
  let layer: LakeFromUrl;
  try {
    layer = await startLakeFromUrl({ host, port, backend: { host, port: backendPort }, accounts: azuriteAccounts() });
  } catch (error) {
    // EADDRINUSE in the message lets the test stack retry on other ports, as it does for Azurite itself.
    console.error(`lake-from-url: cannot listen on ${host}:${port}: ${(error as Error).message}`);
    process.exit(1);
  }
  process.once('SIGTERM', () => void layer.close());
  process.once('SIGINT', () => void layer.close());
  console.log(
    `lake-from-url: Put Block From URL and Put Blob From URL on ${layer.url}, Azurite's blob service behind it on port ${backendPort}`,
  );

  const blobPortAt = args.indexOf('--blobPort');
  const azuriteArgs = blobPortAt >= 0 ? [...args] : [...args, '--blobPort', String(backendPort)];
  if (blobPortAt >= 0) azuriteArgs[blobPortAt + 1] = String(backendPort);
  const azurite = require.resolve('azurite/dist/src/azurite.js');
  // Azurite reads its options from process.argv when it is loaded, then starts.
  process.argv = [process.argv[0], azurite, ...azuriteArgs];
  await import(azurite);
}

if (require.main === module || process.argv[1] === __filename) void main();
