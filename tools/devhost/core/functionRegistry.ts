import { Disposable } from './disposable';
import { FunctionCallback, FunctionMetadata } from './coreTypes';

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

/** Functions registered by the app through `registerFunction`; frozen once startup is over, like the worker. */
export class FunctionRegistry {
  readonly #functions = new Map<string, RegisteredFunction>();
  #locked = false;

  register(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
    if (this.#locked) {
      throw new Error('A function can only be registered during app startup.');
    }
    const key = metadata.name.toLowerCase();
    // Function names are case-insensitive in the Functions host, so "Hello" and "hello" collide.
    if (this.#functions.has(key)) {
      throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
    }
    this.#functions.set(key, { metadata, callback });
    return new Disposable(() => {
      if (this.#locked) {
        throw new Error('A function can only be disposed during app startup.');
      }
      this.#functions.delete(key);
    });
  }

  lock(): void {
    this.#locked = true;
  }

  get(name: string): RegisteredFunction | undefined {
    return this.#functions.get(name.toLowerCase());
  }

  all(): RegisteredFunction[] {
    return [...this.#functions.values()];
  }
}
