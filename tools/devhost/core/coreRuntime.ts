import { Disposable } from './disposable';
import { FunctionRegistry } from './functionRegistry';
import { HookRegistry } from './hookRegistry';
import {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookData,
  LogHookContext,
  ProgrammingModel,
} from './coreTypes';
import { RpcLogCategory, RpcLogLevel } from './coreTypes';
import { consoleLogger, Logger } from '../logger';

/** The object handed out for `require('@azure/functions-core')`. */
export interface CoreApi {
  readonly version: string;
  readonly hostVersion: string;
  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable;
  registerHook(name: string, callback: HookCallback): Disposable;
  setProgrammingModel(model: ProgrammingModel): void;
  getProgrammingModel(): ProgrammingModel | undefined;
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
  Disposable: typeof Disposable;
}

/** Per-invocation data a log line carries to log hooks. */
export interface InvocationLogScope {
  functionName: string;
  hookData: HookData;
  invocationContext: unknown;
}

const LEVEL_RANK: Record<RpcLogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};

/**
 * Everything the app reaches through the core module. One per process: Node caches the app's modules and
 * `@azure/functions` caches the core API object, so registrations can only ever be collected once.
 */
export class CoreRuntime {
  readonly functions = new FunctionRegistry();
  readonly hooks = new HookRegistry();
  programmingModel: ProgrammingModel | undefined;
  logger: Logger = consoleLogger;
  readonly api: CoreApi;

  constructor() {
    this.api = {
      version: '3.10.1-devhost',
      hostVersion: '4.0.0-devhost',
      registerFunction: (metadata, callback) => this.functions.register(metadata, callback),
      registerHook: (name, callback) => this.hooks.register(name, callback),
      setProgrammingModel: (model) => {
        if (this.programmingModel && this.programmingModel !== model && this.programmingModel.name === model.name) {
          // Each copy of @azure/functions sets its own model; responses of one copy fail `instanceof` in another.
          this.logger.warn(
            `More than one copy of ${model.name} is loaded (${this.programmingModel.version} and ${model.version}); ` +
              'run "npm dedupe" so the app and durable-functions share one.',
          );
        }
        this.programmingModel = model;
      },
      getProgrammingModel: () => this.programmingModel,
      log: (level, category, message) => this.emitLog(level, category, message),
      Disposable,
    };
  }

  /** Runs log hooks (which may rewrite user lines, as in the worker) and writes the line if its level shows. */
  emitLog(level: RpcLogLevel, category: RpcLogCategory, message: string, scope?: InvocationLogScope): void {
    const context: LogHookContext = {
      level,
      message,
      category,
      hookData: scope?.hookData ?? {},
      appHookData: this.hooks.appHookData,
      invocationContext: scope?.invocationContext,
    };
    this.hooks.runLogHooks(context);
    const finalLevel = category === 'user' ? context.level : level;
    const finalMessage = category === 'user' ? context.message : message;
    const prefix = scope ? `[${scope.functionName}] ` : '';
    const line = `${prefix}${finalMessage}`;
    const rank = LEVEL_RANK[finalLevel] ?? LEVEL_RANK.information;
    // User output shows from "information" up (the host's default level); system chatter only from warnings.
    const threshold = category === 'user' ? LEVEL_RANK.information : LEVEL_RANK.warning;
    if (rank >= LEVEL_RANK.none) {
      return;
    }
    if (rank < threshold) {
      this.logger.debug?.(line);
    } else if (rank >= LEVEL_RANK.error) {
      this.logger.error(line);
    } else if (rank === LEVEL_RANK.warning) {
      this.logger.warn(line);
    } else {
      this.logger.info(line);
    }
  }
}
