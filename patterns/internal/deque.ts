/**
 * A double-ended queue on a growable ring buffer: O(1) at both ends, where an array's shift
 * and unshift move every element. The broker puts retried jobs back at the front.
 */
export class Deque<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(16);
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    this.#grow();
    this.#items[(this.#head + this.#length) & (this.#items.length - 1)] = item;
    this.#length++;
  }

  unshift(item: T): void {
    this.#grow();
    this.#head = (this.#head - 1) & (this.#items.length - 1);
    this.#items[this.#head] = item;
    this.#length++;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#length--;
    return item;
  }

  /** Keeps only the items `keep` accepts, in order. */
  retain(keep: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) if (keep(item)) kept.push(item);
    for (const item of kept) this.push(item);
  }

  #grow(): void {
    const size = this.#items.length;
    if (this.#length < size) return;
    // Capacity stays a power of two, so `& (size - 1)` wraps indexes.
    const items = new Array<T | undefined>(size * 2);
    for (let i = 0; i < this.#length; i++) items[i] = this.#items[(this.#head + i) & (size - 1)];
    this.#items = items;
    this.#head = 0;
  }
}
