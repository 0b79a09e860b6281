import * as path from 'path';
import { loadApp } from './app/appLoader';
import { FunctionIndex } from './app/functionIndex';
import { readHostConfig } from './app/hostJson';
import { loadLocalSettings } from './app/settings';
import { installCoreModule } from './core/requireShim';
import { durableClientBinding } from './durable/clientBinding';
import { OrchestrationEngine } from './durable/engine';
import { InstanceStore } from './durable/instanceStore';
import { ManagementApi } from './durable/managementApi';
import { AZURE_STORAGE_TIMER_LIMITS, TimerLimits } from './durable/timerLimits';
import { close, listen } from './hostServer';
import { HttpRouter } from './http/httpRouter';
import { createRequestHandler } from './http/requestHandler';
import { Invoker } from './invoke/invoker';
import { consoleLogger, Logger } from './logger';
import { TimerTriggers } from './timer/timerTriggers';

export type { Logger } from './logger';
export type { TimerLimits } from './durable/timerLimits';

export interface HostOptions {
  /** Directory holding package.json (whose `main` names the compiled entry), host.json, local.settings.json. */
  appDir: string;
  /** Default: local.settings.json `Host.LocalHttpPort`, else 7071. 0 picks a free port. */
  port?: number;
  /** Bind address; default 127.0.0.1. */
  host?: string;
  /** Durable state and timer monitor records; default `<appDir>/.local/durable`. */
  stateDir?: string;
  /** When set, `function`/`admin` HTTP routes need it as `?code=` or `x-functions-key`. */
  functionKey?: string;
  logger?: Logger;
  /** Overrides the storage provider's timer limits (6 days / 3 days); lets tests exercise timer splitting. */
  timerLimits?: TimerLimits;
}

export interface RunningHost {
  /** e.g. `http://127.0.0.1:7071` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** IPv6 literals need brackets inside URLs. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function timeZone(logger: Logger): string {
  const zone = process.env.WEBSITE_TIME_ZONE;
  if (!zone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    logger.warn(`WEBSITE_TIME_ZONE "${zone}" is not an IANA time zone; timer schedules use UTC.`);
    return 'UTC';
  }
}

/**
 * Starts the local Functions host for the app in `appDir`: loads it through the `@azure/functions-core`
 * shim, serves HTTP triggers and the Durable management API, fires timers and runs orchestrations with
 * durable state under `stateDir`. One host at a time per process, always for the same app: Node caches the
 * app's modules (so registrations happen once) and the host publishes its address in WEBSITE_HOSTNAME.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const logger = options.logger ?? consoleLogger;
  const appDir = path.resolve(options.appDir);
  const settings = await loadLocalSettings(appDir);
  const config = await readHostConfig(appDir);
  config.warnings.forEach((warning) => logger.warn(warning));
  const stateDir = path.resolve(appDir, options.stateDir ?? path.join('.local', 'durable'));
  const bindHost = options.host ?? '127.0.0.1';

  const runtime = installCoreModule();
  runtime.logger = logger;
  await loadApp(appDir, runtime);
  const functions = new FunctionIndex(runtime.functions.all(), process.env, logger);
  const invoker = new Invoker(runtime);

  const wildcard = bindHost === '0.0.0.0' || bindHost === '::';
  // 0.0.0.0 in links would make durable-functions rewrite every one of them to localhost:7071 (getClient).
  const advertisedHost = wildcard ? 'localhost' : urlHost(bindHost);
  // DurableClient calls rpcBaseUrl from inside this process: loopback always works for wildcard binds.
  const rpcHost = wildcard ? '127.0.0.1' : urlHost(bindHost);
  let port = options.port ?? settings.localHttpPort ?? 7071;
  const origin = () => `http://${advertisedHost}:${port}`;
  const durableClientValue = () =>
    durableClientBinding({ origin: origin(), rpcOrigin: `http://${rpcHost}:${port}`, hubName: config.hubName });

  const engine = new OrchestrationEngine({
    store: new InstanceStore(stateDir),
    functions,
    invoker,
    logger,
    limits: options.timerLimits ?? AZURE_STORAGE_TIMER_LIMITS,
    maxConcurrentActivityFunctions: config.maxConcurrentActivityFunctions,
    maxConcurrentOrchestratorFunctions: config.maxConcurrentOrchestratorFunctions,
    durableClientValue,
  });
  await engine.start();

  const timers = new TimerTriggers({
    functions: functions.byTrigger('timerTrigger'),
    invoker,
    logger,
    stateDir,
    timeZone: timeZone(logger),
    durableClientValue,
  });
  const router = new HttpRouter(functions.byTrigger('httpTrigger'));
  const handler = createRequestHandler({
    router,
    routePrefix: config.routePrefix,
    functionKey: options.functionKey,
    httpTrigger: { invoker, durableClientValue },
    management: new ManagementApi(engine, config.hubName),
    timers,
    logger,
    fallbackOrigin: origin,
  });
  let listening: Awaited<ReturnType<typeof listen>>;
  try {
    listening = await listen(handler, port, bindHost);
  } catch (err) {
    // Recovered instances already started running; do not leave them behind a host that never came up.
    await engine.stop();
    throw err;
  }
  port = listening.port;
  process.env.WEBSITE_HOSTNAME = `${advertisedHost}:${port}`;
  await timers.start();

  const prefix = config.routePrefix ? `/${config.routePrefix}` : '';
  for (const fn of functions.all()) {
    const route = router.routes.find((r) => r.fn === fn);
    const methods = route?.methods ? [...route.methods].join(',') : 'all';
    logger.info(
      route
        ? `${fn.name}: [${methods}] ${origin()}${prefix}/${route.route.template}`
        : `${fn.name}: ${String(fn.trigger.type)}`,
    );
  }
  logger.info(`Devhost listening on ${origin()} (state: ${stateDir})`);

  let stopping: Promise<void> | undefined;
  return {
    url: origin(),
    port,
    stop: () => {
      stopping ??= (async () => {
        timers.stop();
        await close(listening.server);
        await engine.stop();
        await runtime.hooks.run('appTerminate', {
          hookData: runtime.hooks.appLevelHookData,
          appHookData: runtime.hooks.appHookData,
        });
      })();
      return stopping;
    },
  };
}
