/**
 * The part of Node's EventEmitter that the monitor uses (on, off, emit), for runtimes without
 * node:events (the browser). Same order and duplicates rules: listeners run in the order they
 * were added, one added twice runs twice, and off() removes its latest addition.
 */
export class Listeners {
  readonly #byName = new Map<string, ((...args: unknown[]) => void)[]>();

  on(name: string, listener: (...args: never[]) => void): this {
    const list = this.#byName.get(name);
    if (list === undefined) this.#byName.set(name, [listener as (...args: unknown[]) => void]);
    else list.push(listener as (...args: unknown[]) => void);
    return this;
  }

  off(name: string, listener: (...args: never[]) => void): this {
    const list = this.#byName.get(name);
    const at = list?.lastIndexOf(listener as (...args: unknown[]) => void) ?? -1;
    if (at >= 0) {
      list!.splice(at, 1);
      if (list!.length === 0) this.#byName.delete(name);
    }
    return this;
  }

  emit(name: string, ...args: unknown[]): boolean {
    const list = this.#byName.get(name);
    if (list === undefined) return false;
    // A copy: a listener that adds or removes others changes the next emit, not this one.
    for (const listener of [...list]) listener(...args);
    return true;
  }
}
