import { promises as fs } from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { CoreRuntime } from '../core/coreRuntime';
import { AppStartContext } from '../core/coreTypes';
import { globFiles } from './glob';

interface PackageJson {
  main?: string;
  type?: string;
}

// A literal `import()` would be compiled to `require()` under "module": "commonjs"; ESM apps need the real one.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

function isEsModule(file: string, pkg: PackageJson): boolean {
  if (file.endsWith('.mjs')) {
    return true;
  }
  return file.endsWith('.cjs') ? false : pkg.type === 'module';
}

let loadedAppDir: string | undefined;

/**
 * The worker's startup sequence: load every file matched by package.json `main` (a glob is allowed),
 * run appStart hooks, then ask the programming model for capabilities, which locks `app.setup()`.
 * Returns the loaded entry files.
 */
export async function loadApp(appDir: string, runtime: CoreRuntime): Promise<string[]> {
  const dir = path.resolve(appDir);
  if (loadedAppDir !== undefined) {
    if (loadedAppDir !== dir) {
      throw new Error(`This process already loaded the app in ${loadedAppDir}; one app per process.`);
    }
    return [];
  }
  const pkg = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
  if (!pkg.main) {
    throw new Error(`${path.join(dir, 'package.json')} has no "main"; it must point at the compiled entry point(s).`);
  }
  const files = await globFiles(dir, pkg.main);
  if (files.length === 0) {
    throw new Error(`Found zero files matching "${pkg.main}" in ${dir}; did you compile the app (npm run build)?`);
  }
  loadedAppDir = dir;
  for (const file of files) {
    const full = path.join(dir, file);
    if (isEsModule(full, pkg)) {
      await dynamicImport(pathToFileURL(full).href);
    } else {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS app is loaded by path, as the Functions worker does
      require(full);
    }
  }
  runtime.functions.lock();
  const startContext: AppStartContext = {
    hookData: runtime.hooks.appLevelHookData,
    appHookData: runtime.hooks.appHookData,
    functionAppDirectory: dir,
  };
  await runtime.hooks.run('appStart', startContext);
  const capabilities = await runtime.programmingModel?.getCapabilities?.({});
  if (capabilities?.HttpUri) {
    // Streaming requests travel through the library's own HTTP proxy, which this host does not drive.
    throw new Error('HTTP streaming (app.setup({ enableHttpStream: true })) is not supported by the devhost.');
  }
  return files;
}
