import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Env, resolveBindingExpressions } from './settings';

/** The host.json settings the devhost honours. */
export interface HostConfig {
  routePrefix: string;
  hubName: string;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
}

interface HostJson {
  extensions?: {
    http?: { routePrefix?: unknown };
    durableTask?: {
      hubName?: unknown;
      maxConcurrentActivityFunctions?: unknown;
      maxConcurrentOrchestratorFunctions?: unknown;
    };
  };
}

function positiveInt(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Pure part: applies the documented defaults (route prefix `api`, hub `TestHubName`, 10 per core). */
export function toHostConfig(json: HostJson, env: Env, cpuCount: number): HostConfig {
  const http = json.extensions?.http ?? {};
  const durable = json.extensions?.durableTask ?? {};
  const prefix = typeof http.routePrefix === 'string' ? http.routePrefix : 'api';
  const hub =
    typeof durable.hubName === 'string' && durable.hubName
      ? resolveBindingExpressions(durable.hubName, env)
      : env.WEBSITE_SITE_NAME || 'TestHubName';
  const perCore = 10 * Math.max(1, cpuCount);
  return {
    routePrefix: prefix.replace(/^\/+|\/+$/g, ''),
    hubName: hub,
    maxConcurrentActivityFunctions: positiveInt(durable.maxConcurrentActivityFunctions, perCore),
    maxConcurrentOrchestratorFunctions: positiveInt(durable.maxConcurrentOrchestratorFunctions, perCore),
  };
}

export async function readHostConfig(appDir: string, env: Env = process.env): Promise<HostConfig> {
  let json: HostJson = {};
  try {
    json = JSON.parse(await fs.readFile(path.join(appDir, 'host.json'), 'utf8')) as HostJson;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`host.json in ${appDir} is not valid JSON: ${(err as Error).message}`);
    }
  }
  return toHostConfig(json, env, os.cpus().length);
}
