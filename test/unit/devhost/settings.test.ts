import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expandBraces, globFiles, globToRegExp } from '../../../tools/devhost/app/glob';
import { toHostConfig } from '../../../tools/devhost/app/hostJson';
import {
  Env,
  loadLocalSettings,
  MissingSettingError,
  resolveBindingExpressions,
} from '../../../tools/devhost/app/settings';

describe('app settings', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devhost-settings-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('loads local.settings.json Values without overriding the environment', async () => {
    await fs.writeFile(
      path.join(dir, 'local.settings.json'),
      JSON.stringify({ Values: { A: 'from-file', B: 'from-file', N: 5 }, Host: { LocalHttpPort: 7100 } }),
    );
    const env: Env = { B: 'from-env' };
    const result = await loadLocalSettings(dir, env);
    expect(env).toEqual({ A: 'from-file', B: 'from-env', N: '5' });
    expect(result).toEqual({ applied: ['A', 'N'], localHttpPort: 7100 });
  });

  it('is a no-op without the file', async () => {
    expect(await loadLocalSettings(dir, {})).toEqual({ applied: [] });
  });

  it('resolves %Setting% expressions in all binding strings and reports missing ones', () => {
    const env: Env = { ROUTE: 'v2', CRON: '0 */5 * * * *' };
    expect(resolveBindingExpressions({ route: 'api/%ROUTE%/x', n: 1, nested: ['%CRON%'] }, env)).toEqual({
      route: 'api/v2/x',
      n: 1,
      nested: ['0 */5 * * * *'],
    });
    expect(() => resolveBindingExpressions({ schedule: '%MISSING%' }, env)).toThrow(MissingSettingError);
  });

  it('reads host.json defaults', () => {
    expect(toHostConfig({}, {}, 2)).toEqual({
      routePrefix: 'api',
      hubName: 'TestHubName',
      maxConcurrentActivityFunctions: 20,
      maxConcurrentOrchestratorFunctions: 20,
      warnings: [],
    });
    const json = {
      extensions: { http: { routePrefix: '/' }, durableTask: { hubName: '%HUB%', maxConcurrentActivityFunctions: 3 } },
    };
    expect(toHostConfig(json, { HUB: 'MyHub' }, 1)).toMatchObject({
      routePrefix: '',
      hubName: 'MyHub',
      maxConcurrentActivityFunctions: 3,
    });
    const unresolved = toHostConfig(json, {}, 1);
    expect(unresolved.hubName).toBe('TestHubName');
    expect(unresolved.warnings[0]).toMatch('%HUB%');
  });

  it('expands package.json main globs like the worker', async () => {
    await fs.mkdir(path.join(dir, 'dist/functions/nested'), { recursive: true });
    await fs.mkdir(path.join(dir, 'node_modules/x'), { recursive: true });
    for (const file of [
      'dist/functions/b.js',
      'dist/functions/a.js',
      'dist/functions/a.js.map',
      'dist/functions/nested/c.js',
      'node_modules/x/y.js',
    ]) {
      await fs.writeFile(path.join(dir, file), '');
    }
    expect(await globFiles(dir, 'dist/functions/*.js')).toEqual(['dist/functions/a.js', 'dist/functions/b.js']);
    expect(await globFiles(dir, 'dist/**/*.js')).toEqual([
      'dist/functions/a.js',
      'dist/functions/b.js',
      'dist/functions/nested/c.js',
    ]);
    expect(await globFiles(dir, './dist/functions/a.js')).toEqual(['dist/functions/a.js']);
    expect(await globFiles(dir, 'dist/functions/{a,nested/c}.js')).toEqual([
      'dist/functions/a.js',
      'dist/functions/nested/c.js',
    ]);
    expect(await globFiles(dir, 'missing/*.js')).toEqual([]);
  });

  it('compiles glob syntax', () => {
    expect(expandBraces('a/{x,y{1,2}}.js')).toEqual(['a/x.js', 'a/y1.js', 'a/y2.js']);
    expect(globToRegExp('src/**/*.[jt]s').test('src/deep/er/file.ts')).toBe(true);
    expect(globToRegExp('src/*.js').test('src/deep/file.js')).toBe(false);
  });
});
