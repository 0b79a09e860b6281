import Module from 'module';
import { CoreRuntime } from './coreRuntime';

export const CORE_MODULE_ID = '@azure/functions-core';

type RequireFn = (this: unknown, id: string) => unknown;

let runtime: CoreRuntime | undefined;

/**
 * Returns the process-wide core runtime, installing it as the `@azure/functions-core` module on first use.
 * Like the real worker, the exact id is intercepted in `Module.prototype.require`, so every copy of
 * `@azure/functions` (and CommonJS code imported from ESM) sees the same object. Jest's module registry does
 * not go through `Module.prototype.require`, which is why tests run the host in a child process.
 */
export function installCoreModule(): CoreRuntime {
  if (runtime) {
    return runtime;
  }
  const created = new CoreRuntime();
  const proto = Module.prototype as unknown as { require: RequireFn };
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg: unknown, args: [string]) {
      return args[0] === CORE_MODULE_ID ? created.api : Reflect.apply(target, thisArg, args);
    },
  });
  runtime = created;
  return created;
}
