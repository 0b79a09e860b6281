import type { StrictCosmosOptions } from './strict-cosmos/options';

export type EmulatorName = 'azurite' | 's3rver' | 'cosmos';

export interface LocalStackPorts {
  blob: number;
  queue: number;
  table: number;
  s3: number;
  cosmos: number;
}

/** Service base URLs. Azure storage URLs are path-style and include the account segment. */
export interface LocalStackEndpoints {
  blob: string;
  queue: string;
  table: string;
  s3: string;
  cosmos: string;
}

/**
 * App settings / environment variables the Functions app reads, pointed at the local stack.
 * The two AWS_*_CHECKSUM_* entries are standard AWS SDK v3 variables: with them set, any S3Client
 * built from the default config works against s3rver (see s3-client-config.ts for why).
 */
export interface LocalStackSettings {
  AzureWebJobsStorage: string;
  LAKE_CONNECTION: string;
  LAKE_CONTAINER: string;
  COSMOS_ENDPOINT: string;
  COSMOS_KEY: string;
  COSMOS_ALLOW_SELF_SIGNED: string;
  S3_ENDPOINT: string;
  S3_FORCE_PATH_STYLE: string;
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_REQUEST_CHECKSUM_CALCULATION: string;
  AWS_RESPONSE_CHECKSUM_VALIDATION: string;
}

export interface LocalStackOptions {
  /** Root of all emulator data and logs; relative paths resolve against the current directory. Default `.local`. */
  stateDir?: string;
  ports?: Partial<LocalStackPorts>;
  /**
   * Run Azurite and s3rver with --silent so their logs do not grow with every request. Default true.
   * s3rver's --silent also hides its error traces: rerun with quiet: false (main.js --verbose) to debug it.
   */
  quiet?: boolean;
  /** Per-emulator deadline for becoming reachable. */
  startTimeoutMs?: number;
  /** Value for LAKE_CONTAINER. Default `lake`. */
  lakeContainer?: string;
  /**
   * Serve Put Block From URL and Put Blob From URL on the blob port (a layer in front of Azurite, which lacks them:
   * lake-from-url/), so the server-side copy runs locally. Default true; false runs Azurite alone.
   */
  lakeFromUrl?: boolean;
  /**
   * The strict Cosmos DB layer (strict-cosmos/): on unless `strict: false`; Entra-ID-only and serverless modes.
   * Unset switches come from LOCALSTACK_COSMOS_STRICT, LOCALSTACK_COSMOS_ENTRA_ID_ONLY and LOCALSTACK_COSMOS_SERVERLESS
   * (so `npm start`, `npm run demo` and the bench can be switched too). A reused Cosmos server keeps its own switches.
   */
  cosmos?: StrictCosmosOptions;
}

export interface EmulatorStatus {
  name: EmulatorName;
  ports: readonly number[];
  logFile: string;
  /** False when an already-running emulator on the same ports was reused (ensureLocalStack). */
  startedHere: boolean;
  pid: number | undefined;
}

export interface EmulatorExit {
  name: EmulatorName;
  code: number | null;
  signal: NodeJS.Signals | null;
  logFile: string;
}

export interface LocalStack {
  readonly stateDir: string;
  readonly ports: Readonly<LocalStackPorts>;
  readonly endpoints: Readonly<LocalStackEndpoints>;
  readonly settings: Readonly<LocalStackSettings>;
  readonly emulators: readonly EmulatorStatus[];
  /** Settles only if an emulator started by this stack dies before stop() was called. */
  readonly unexpectedExit: Promise<EmulatorExit>;
  /** Terminates the emulators this stack started (never reused ones) and waits until they have exited. */
  stop(): Promise<void>;
}

export interface HealthResult {
  name: 'blob' | 'queue' | 'table' | 's3' | 'cosmos';
  ok: boolean;
  detail: string;
}
