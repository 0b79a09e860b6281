import { Command, Option } from 'commander';

/** The options a migration and a table registration share: keys, target and migration options. */
export function addTargetOptions(command: Command): Command {
  return command
    .requiredOption('--partition-key <name>', "the table's partition key attribute")
    .option('--sort-key <name>', "the table's sort key attribute")
    .requiredOption('--database <name>', 'Cosmos DB database (created if missing)')
    .requiredOption('--container <name>', 'Cosmos DB container (created if missing)')
    .option('--hierarchical', 'partition the container on [/partitionKey, /sortKey]')
    .addOption(new Option('--number-mode <mode>', 'how numbers are written').choices(['lossless', 'string', 'double']))
    .option('--sample-size <n>', 'items compared at the end', (v) => Number(v))
    .addOption(new Option('--copy-mode <mode>', 'how files reach the lake').choices(['auto', 'server', 'stream']));
}

/** `keySchema`, `target` and `options` of a request body from those options; `extra` adds options. */
export function targetParts(opts: Record<string, unknown>, extra: Record<string, unknown> = {}): object {
  const options = Object.fromEntries(
    Object.entries({
      numberMode: opts.numberMode,
      sampleSize: opts.sampleSize,
      copyMode: opts.copyMode,
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
      ...(opts.hierarchical ? { partitionKeyPath: [`/${opts.partitionKey}`, `/${opts.sortKey}`] } : {}),
    },
    ...(Object.keys(options).length ? { options } : {}),
  };
}
