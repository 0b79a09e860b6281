import { promises as fs } from 'fs';
import * as path from 'path';

const GLOB_CHARS = /[*?[\]{}]/;

export function hasGlobChars(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+^$()|\\/]/g, '\\$&');
}

/** Expands `{a,b}` alternatives (nestable) into plain patterns. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) {
    return [pattern];
  }
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '{') {
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0) {
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const bounds = [open, ...commas, i];
        const parts = bounds.slice(0, -1).map((start, k) => pattern.slice(start + 1, bounds[k + 1]));
        return parts.flatMap((part) => expandBraces(`${head}${part}${tail}`));
      }
    } else if (ch === ',' && depth === 1) {
      commas.push(i);
    }
  }
  return [pattern];
}

/**
 * Converts one brace-free glob into an anchored RegExp over POSIX relative paths:
 * `**` spans directories, `*` and `?` stay inside one segment, `[...]` is a character class.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        const slashAfter = pattern[i + 2] === '/';
        source += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') {
      source += '[^/]';
    } else if (ch === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) {
        source += '\\[';
      } else {
        const body = pattern
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = close;
      }
    } else {
      source += escapeRegExp(ch);
    }
  }
  return new RegExp(`^${source}$`);
}

async function walk(root: string, relative: string, out: string[]): Promise<void> {
  const entries = await fs.readdir(path.join(root, relative), { withFileTypes: true });
  for (const entry of entries) {
    // Like globby's common use, never descend into dependencies or dot-directories.
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) {
      continue;
    }
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      await walk(root, rel, out);
    } else if (entry.isFile()) {
      out.push(rel);
    }
  }
}

/** Files under `cwd` matching `pattern` (the `main` of package.json), as sorted POSIX relative paths. */
export async function globFiles(cwd: string, pattern: string): Promise<string[]> {
  const normalized = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!hasGlobChars(normalized)) {
    const stat = await fs.stat(path.join(cwd, normalized)).catch(() => undefined);
    return stat?.isFile() ? [normalized] : [];
  }
  const regexps = expandBraces(normalized).map(globToRegExp);
  const firstGlob = normalized.search(GLOB_CHARS);
  const base = normalized.slice(0, normalized.lastIndexOf('/', firstGlob) + 1).replace(/\/$/, '');
  const files: string[] = [];
  const baseStat = await fs.stat(path.join(cwd, base)).catch(() => undefined);
  if (baseStat?.isDirectory()) {
    await walk(cwd, base, files);
  }
  return files.filter((file) => regexps.some((re) => re.test(file))).sort();
}
