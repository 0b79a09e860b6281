/** Same semantics as the worker's Disposable (VS Code style): dispose runs the callback at most once. */
export class Disposable {
  static from(...disposables: { dispose(): unknown }[]): Disposable {
    let pending: { dispose(): unknown }[] | undefined = disposables;
    return new Disposable(() => {
      for (const d of pending ?? []) {
        d.dispose();
      }
      pending = undefined;
    });
  }

  #onDispose: (() => unknown) | undefined;

  constructor(onDispose: () => unknown) {
    this.#onDispose = onDispose;
  }

  dispose(): unknown {
    const fn = this.#onDispose;
    this.#onDispose = undefined;
    return fn?.();
  }
}
