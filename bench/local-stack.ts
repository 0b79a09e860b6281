import { readSettings, Settings } from '../src/config/settings';
import { findFreePort } from '../tools/localstack/net';
import { startLocalStack } from '../tools/localstack/stack';
import { withLocalRunThroughput } from '../tools/localstack/strict-cosmos/options';
import type { LocalStack } from '../tools/localstack/types';

export interface BenchLocalStack {
  stack: LocalStack;
  /** The stack's settings as the app reads them from its environment. */
  raw: Record<string, string>;
  settings: Settings;
}

/**
 * A local stack of a bench's own on five free ports, with the local runs' container throughput. Its settings go
 * into this process's environment too: the AWS SDK and the storage clients read their credentials from there, as
 * in the app.
 */
export async function startBenchLocalStack(stateDir: string): Promise<BenchLocalStack> {
  const ports = {
    blob: await findFreePort(),
    queue: await findFreePort(),
    table: await findFreePort(),
    s3: await findFreePort(),
    cosmos: await findFreePort(),
  };
  const stack = await startLocalStack({ stateDir, ports, quiet: true, cosmos: withLocalRunThroughput() });
  const raw = stack.settings as unknown as Record<string, string>;
  Object.assign(process.env, raw);
  return { stack, raw, settings: readSettings(raw) };
}
