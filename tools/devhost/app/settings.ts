import { promises as fs } from 'fs';
import * as path from 'path';

export type Env = Record<string, string | undefined>;

/** What `local.settings.json` contributes besides app settings. */
export interface LocalSettings {
  /** Names copied into the environment (existing variables win, as with Core Tools). */
  applied: string[];
  localHttpPort?: number;
}

/**
 * Loads `Values` of `local.settings.json` into `env` without overriding variables that are already set,
 * so a shell export or CI variable always beats the file.
 */
export async function loadLocalSettings(appDir: string, env: Env = process.env): Promise<LocalSettings> {
  const file = path.join(appDir, 'local.settings.json');
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch {
    return { applied: [] };
  }
  const parsed = JSON.parse(raw) as { Values?: Record<string, unknown>; Host?: { LocalHttpPort?: unknown } };
  const applied: string[] = [];
  for (const [name, value] of Object.entries(parsed.Values ?? {})) {
    if (env[name] === undefined && value !== null && value !== undefined) {
      env[name] = String(value);
      applied.push(name);
    }
  }
  const port = Number(parsed.Host?.LocalHttpPort);
  return { applied, localHttpPort: Number.isInteger(port) && port > 0 ? port : undefined };
}

export class MissingSettingError extends Error {
  constructor(readonly setting: string) {
    super(`'%${setting}%' does not resolve to a value (app setting "${setting}" is not set).`);
  }
}

/** Replaces `%Name%` binding expressions in every string of `value` with app settings from `env`. */
export function resolveBindingExpressions<T>(value: T, env: Env = process.env): T {
  if (typeof value === 'string') {
    return value.replace(/%([^%\s]+)%/g, (_whole, name: string) => {
      const setting = env[name];
      if (setting === undefined) {
        throw new MissingSettingError(name);
      }
      return setting;
    }) as T;
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => resolveBindingExpressions(item, env)) as T;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out[key] = resolveBindingExpressions(item, env);
    }
    return out as T;
  }
  return value;
}
