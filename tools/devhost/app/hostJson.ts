import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Env, MissingSettingError, resolveBindingExpressions } from './settings';

/** The host.json settings the devhost honours. */
export interface HostConfig {
  routePrefix: string;
  hubName: string;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  /** Problems worth a startup warning (the host still starts). */
  warnings: string[];
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
  const warnings: string[] = [];
  const defaultHub = env.WEBSITE_SITE_NAME || 'TestHubName';
  let hub = defaultHub;
  if (typeof durable.hubName === 'string' && durable.hubName) {
    try {
      hub = resolveBindingExpressions(durable.hubName, env);
    } catch (err) {
      if (!(err instanceof MissingSettingError)) throw err;
      // Locally the hub name only shows up in links, so a missing setting should not block the host.
      warnings.push(`host.json durableTask.hubName: ${err.message} Using "${defaultHub}".`);
    }
  }
  const perCore = 10 * Math.max(1, cpuCount);
  return {
    routePrefix: prefix.replace(/^\/+|\/+$/g, ''),
    hubName: hub,
    maxConcurrentActivityFunctions: positiveInt(durable.maxConcurrentActivityFunctions, perCore),
    maxConcurrentOrchestratorFunctions: positiveInt(durable.maxConcurrentOrchestratorFunctions, perCore),
    warnings,
  };
}

export async function readHostConfig(appDir: string, env: Env = process.env): Promise<HostConfig> {
  let json: HostJson = {};
  try {
    json = JSON.parse(await fs.readFile(path.join(appDir, 'host.json'), 'utf8')) as HostJson;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`host.json in ${appDir} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  return toHostConfig(json, env, os.cpus().length);
}
