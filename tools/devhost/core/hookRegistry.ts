import { Disposable } from './disposable';
import { HookCallback, HookContext, HookData, HookName } from './coreTypes';

const HOOK_NAMES: readonly HookName[] = ['appStart', 'appTerminate', 'preInvocation', 'postInvocation', 'log'];

function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}

/** Lifecycle hooks in registration order; a throwing hook blocks the step it guards, as in the worker. */
export class HookRegistry {
  readonly appHookData: HookData = {};
  /** Data shared between appStart and appTerminate only (the worker's "appLevelOnlyHookData"). */
  readonly appLevelHookData: HookData = {};
  readonly #hooks = new Map<HookName, HookCallback[]>(HOOK_NAMES.map((name) => [name, []]));

  register(name: string, callback: HookCallback): Disposable {
    if (!isHookName(name)) {
      // The library maps a RangeError from an old worker to "Log hooks require Azure Functions Host v4.34".
      throw new RangeError(`"${name}" is not a valid hook name. Valid values are ${HOOK_NAMES.join(', ')}.`);
    }
    const list = this.#hooks.get(name) ?? [];
    list.push(callback);
    return new Disposable(() => {
      const index = list.indexOf(callback);
      if (index >= 0) {
        list.splice(index, 1);
      }
    });
  }

  async run(name: Exclude<HookName, 'log'>, context: HookContext): Promise<void> {
    for (const hook of [...(this.#hooks.get(name) ?? [])]) {
      await hook(context);
    }
  }

  /** Log hooks are synchronous and must never break logging. */
  runLogHooks(context: HookContext): void {
    for (const hook of [...(this.#hooks.get('log') ?? [])]) {
      try {
        void hook(context);
      } catch {
        // A failing user log hook must not suppress the log line itself.
      }
    }
  }

  has(name: HookName): boolean {
    return (this.#hooks.get(name)?.length ?? 0) > 0;
  }
}
