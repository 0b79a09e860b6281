import { FunctionCallback, FunctionMetadata, RpcBindingInfo } from '../core/coreTypes';
import { RegisteredFunction } from '../core/functionRegistry';
import { Logger } from '../logger';
import { Env, MissingSettingError, resolveBindingExpressions } from './settings';

export interface FunctionDefinition {
  name: string;
  /** Metadata with `%Setting%` expressions resolved; this is what invocations are built from. */
  metadata: FunctionMetadata;
  callback: FunctionCallback;
  triggerBindingName: string;
  /** Lower-cased trigger type, e.g. `httptrigger`, `orchestrationtrigger`. */
  triggerType: string;
  trigger: RpcBindingInfo;
}

const SUPPORTED_INPUTS = new Set(['durableclient', 'orchestrationclient']);

export function isTriggerType(type: unknown): type is string {
  return typeof type === 'string' && /trigger$/i.test(type);
}

export function isDurableClientBinding(binding: RpcBindingInfo): boolean {
  return SUPPORTED_INPUTS.has(String(binding.type).toLowerCase());
}

/** Registered functions, resolved and grouped by trigger; broken registrations are reported and skipped. */
export class FunctionIndex {
  readonly #byName = new Map<string, FunctionDefinition>();

  constructor(registered: RegisteredFunction[], env: Env, logger: Logger) {
    for (const { metadata, callback } of registered) {
      const definition = this.#define(metadata, callback, env, logger);
      if (definition) {
        this.#byName.set(definition.name.toLowerCase(), definition);
      }
    }
  }

  #define(raw: FunctionMetadata, callback: FunctionCallback, env: Env, logger: Logger): FunctionDefinition | undefined {
    // The Functions host marks the function as errored and keeps the rest of the app running.
    if (env[`AzureWebJobs.${raw.name}.Disabled`]?.toLowerCase() === 'true') {
      logger.info(`Function '${raw.name}' is disabled by app setting AzureWebJobs.${raw.name}.Disabled.`);
      return undefined;
    }
    let metadata: FunctionMetadata;
    try {
      metadata = { ...raw, bindings: resolveBindingExpressions(raw.bindings, env) };
    } catch (err) {
      if (err instanceof MissingSettingError) {
        logger.error(`Function '${raw.name}' is not loaded: ${err.message}`);
        return undefined;
      }
      throw err;
    }
    const triggerEntry = Object.entries(metadata.bindings).find(([, b]) => isTriggerType(b.type));
    if (!triggerEntry) {
      logger.error(`Function '${raw.name}' is not loaded: it has no trigger binding.`);
      return undefined;
    }
    for (const [name, binding] of Object.entries(metadata.bindings)) {
      const direction = binding.direction;
      if (isTriggerType(binding.type) || name === '$return' || isDurableClientBinding(binding)) {
        continue;
      }
      logger.warn(
        `Function '${raw.name}': ${direction ?? 'in'} binding '${name}' of type '${String(binding.type)}' ` +
          `is not emulated by the devhost (inputs arrive undefined, outputs are dropped).`,
      );
    }
    const [triggerBindingName, trigger] = triggerEntry;
    return {
      name: raw.name,
      metadata,
      callback,
      triggerBindingName,
      triggerType: String(trigger.type).toLowerCase(),
      trigger,
    };
  }

  get(name: string): FunctionDefinition | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  byTrigger(type: string): FunctionDefinition[] {
    return [...this.#byName.values()].filter((f) => f.triggerType === type.toLowerCase());
  }

  all(): FunctionDefinition[] {
    return [...this.#byName.values()];
  }
}
