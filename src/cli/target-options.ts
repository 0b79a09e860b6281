import { Command, Option } from 'commander';
import { defaultPartitionKeyPaths } from '../mapping';

/** The options a migration and a table registration share: keys, target and migration options. */
export function addTargetOptions(command: Command): Command {
  return command
    .requiredOption('--partition-key <name>', "the table's partition key attribute")
    .option('--sort-key <name>', "the table's sort key attribute")
    .requiredOption('--database <name>', 'Cosmos DB database (created if missing)')
    .requiredOption('--container <name>', 'Cosmos DB container (created if missing)')
    .option(
      '--hierarchical',
      'partition the container on [partition key, sort key] as documents hold them (/_ddb_id for a key named id)',
    )
    .addOption(new Option('--number-mode <mode>', 'how numbers are written').choices(['lossless', 'string', 'double']))
    .option('--sample-size <n>', 'items compared at the end', (v) => Number(v))
    .addOption(new Option('--copy-mode <mode>', 'how files reach the lake').choices(['auto', 'server', 'stream']))
    .addOption(new Option('--verify <mode>', 'sample, or full: compare every document').choices(['sample', 'full']));
}

/**
 * The default hierarchical key of the key schema (docs/mapping.md §4): each level is a key attribute as the
 * documents hold it, so a key attribute named `id` is `/_ddb_id` (the document's `id` is the computed id).
 */
function hierarchicalPaths(opts: Record<string, unknown>): string[] {
  if (typeof opts.sortKey !== 'string') throw new Error('--hierarchical needs --sort-key');
  const paths = defaultPartitionKeyPaths({ partitionKey: String(opts.partitionKey), sortKey: opts.sortKey }, true);
  if (!paths) throw new Error('--hierarchical: the key attribute names cannot be written as partition key paths');
  return paths;
}

/** `keySchema`, `target` and `options` of a request body from those options; `extra` adds options. */
export function targetParts(opts: Record<string, unknown>, extra: Record<string, unknown> = {}): object {
  const options = Object.fromEntries(
    Object.entries({
      numberMode: opts.numberMode,
      sampleSize: opts.sampleSize,
      copyMode: opts.copyMode,
      verify: opts.verify,
      ...extra,
    }).filter(([, v]) => v !== undefined),
  );
  return {
    keySchema: opts.sortKey
      ? { partitionKey: opts.partitionKey, sortKey: opts.sortKey }
      : { partitionKey: opts.partitionKey },
    target: {
      database: opts.database,
      container: opts.container,
      ...(opts.hierarchical ? { partitionKeyPath: hierarchicalPaths(opts) } : {}),
    },
    ...(Object.keys(options).length ? { options } : {}),
  };
}
