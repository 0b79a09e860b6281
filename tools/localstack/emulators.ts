import { extname, join } from 'node:path';
import type { NodeChildSpec } from './child-process';
import { LOCAL_HOST } from './constants';
import { strictCosmosArgs, type ResolvedStrictCosmosOptions } from './strict-cosmos/options';
import type { EmulatorName, LocalStackPorts } from './types';

export interface EmulatorPort {
  service: string;
  port: number;
}

export interface EmulatorContext {
  stateDir: string;
  ports: LocalStackPorts;
  quiet: boolean;
  /** Azurite behind the layer that adds Put Block/Blob From URL (lake-from-url/main.ts). Default true. */
  lakeFromUrl?: boolean;
  /** Switches of the strict Cosmos DB layer in front of the Cosmos server (strict-cosmos/options.ts). */
  cosmos: ResolvedStrictCosmosOptions;
}

export interface EmulatorDefinition {
  name: EmulatorName;
  ports(ports: LocalStackPorts): EmulatorPort[];
  /**
   * Line the emulator logs once it serves every port. An open port alone is not proof: another
   * stack (a parallel test run) may hold it while our process is failing with EADDRINUSE.
   */
  ready: RegExp;
  child(context: EmulatorContext): NodeChildSpec;
}

export function logFileFor(stateDir: string, name: EmulatorName): string {
  return join(stateDir, 'logs', `${name}.log`);
}

/** One Azurite process serves blob, queue and table; they share one state directory and one lifecycle. */
const azurite: EmulatorDefinition = {
  name: 'azurite',
  ports: (ports) => [
    { service: 'blob', port: ports.blob },
    { service: 'queue', port: ports.queue },
    { service: 'table', port: ports.table },
  ],
  // Azurite starts blob, queue and table in that order.
  ready: /Azurite Table service is successfully listening/,
  child: ({ stateDir, ports, quiet, lakeFromUrl }) => ({
    // Same arguments either way: lake-from-url/main.ts runs Azurite itself, behind its layer on the blob port.
    script:
      lakeFromUrl === false
        ? require.resolve('azurite/dist/src/azurite.js')
        : join(__dirname, 'lake-from-url', `main${extname(__filename)}`),
    args: [
      '--location',
      join(stateDir, 'azurite'),
      '--blobHost',
      LOCAL_HOST,
      '--blobPort',
      String(ports.blob),
      '--queueHost',
      LOCAL_HOST,
      '--queuePort',
      String(ports.queue),
      '--tableHost',
      LOCAL_HOST,
      '--tablePort',
      String(ports.table),
      // Newer SDKs send API versions Azurite has not heard of yet, and send headers it does not model.
      '--skipApiVersionCheck',
      '--loose',
      // Telemetry would try to reach the internet on every start.
      '--disableTelemetry',
      ...(quiet ? ['--silent'] : []),
    ],
    logFile: logFileFor(stateDir, 'azurite'),
  }),
};

const s3rver: EmulatorDefinition = {
  name: 's3rver',
  ports: (ports) => [{ service: 's3', port: ports.s3 }],
  // Printed by s3rver's CLI itself, so it appears even with --silent.
  ready: /S3rver listening on/,
  child: ({ stateDir, ports, quiet }) => ({
    script: require.resolve('s3rver/bin/s3rver.js'),
    // s3rver builds ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only offers through the
    // legacy provider; without it every paginated listing fails with 500 ERR_OSSL_EVP_UNSUPPORTED.
    nodeFlags: ['--openssl-legacy-provider'],
    args: [
      '--directory',
      join(stateDir, 's3'),
      '--address',
      LOCAL_HOST,
      '--port',
      String(ports.s3),
      ...(quiet ? ['--silent'] : []),
    ],
    logFile: logFileFor(stateDir, 's3rver'),
  }),
};

const cosmos: EmulatorDefinition = {
  name: 'cosmos',
  ports: (ports) => [{ service: 'cosmos', port: ports.cosmos }],
  ready: /cosmosdb-server listening on/,
  child: ({ stateDir, ports, quiet, cosmos: layer }) => ({
    // Sibling file with our own extension: .js from dist, .ts when running under ts-jest.
    script: join(__dirname, `cosmos-server${extname(__filename)}`),
    args: [
      '--host',
      LOCAL_HOST,
      '--port',
      String(ports.cosmos),
      '--state-dir',
      join(stateDir, 'cosmos'),
      ...strictCosmosArgs(layer),
      ...(quiet ? [] : ['--verbose']),
    ],
    logFile: logFileFor(stateDir, 'cosmos'),
  }),
};

export const EMULATORS: readonly EmulatorDefinition[] = [azurite, s3rver, cosmos];
