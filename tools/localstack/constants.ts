import type { LocalStackPorts } from './types';

/** Emulators bind to loopback only: they accept any key, so they must never be reachable from the network. */
export const LOCAL_HOST = '127.0.0.1';

export const DEFAULT_STATE_DIR = '.local';

/** The Durable task hub of `npm start` and `npm run demo`: one name, so a demo reuses what `npm start` serves. */
export const LOCAL_TASK_HUB = 'ddbmigrationlocal';

export const DEFAULT_PORTS: Readonly<LocalStackPorts> = Object.freeze({
  blob: 10000,
  queue: 10001,
  table: 10002,
  s3: 4568,
  cosmos: 8081,
});

/** Azurite's fixed development account; every Azure SDK and the Functions host know these values. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * The Cosmos DB emulator's published key. @vercel/cosmosdb-server does not check signatures at all,
 * but using the real emulator key keeps settings interchangeable with Microsoft's emulator.
 */
export const COSMOS_EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XDgeWQ==';

/** s3rver's built-in credentials; it rejects requests signed with anything else. */
export const S3RVER_ACCESS_KEY_ID = 'S3RVER';
export const S3RVER_SECRET_ACCESS_KEY = 'S3RVER';
export const LOCAL_AWS_REGION = 'us-east-1';

export const DEFAULT_LAKE_CONTAINER = 'lake';

/** Azurite needs a few seconds on a cold CI machine; give it generous room before declaring failure. */
export const DEFAULT_START_TIMEOUT_MS = 60_000;

/** How long an emulator may take to flush and exit after SIGTERM before it is killed. */
export const STOP_GRACE_MS = 15_000;
