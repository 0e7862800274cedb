/** Events per second over the last few seconds, from one-second buckets. */
export class RateMeter {
  static readonly WINDOW_SECONDS = 5;
  readonly #buckets = new Float64Array(RateMeter.WINDOW_SECONDS + 1);
  #second = 0;
  total = 0;

  mark(n = 1, nowMs = Date.now()): void {
    this.#advance(nowMs);
    this.#buckets[this.#second % this.#buckets.length]! += n;
    this.total += n;
  }

  /** Mean rate over the last WINDOW_SECONDS whole seconds (the current one is partial). */
  perSecond(nowMs = Date.now()): number {
    this.#advance(nowMs);
    let sum = 0;
    for (let i = 1; i <= RateMeter.WINDOW_SECONDS; i++) sum += this.#buckets[(this.#second - i + this.#buckets.length * 2) % this.#buckets.length]!;
    return sum / RateMeter.WINDOW_SECONDS;
  }

  #advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (this.#second === 0) this.#second = second;
    const steps = Math.min(second - this.#second, this.#buckets.length);
    for (let i = 1; i <= steps; i++) this.#buckets[(this.#second + i) % this.#buckets.length] = 0;
    if (second > this.#second) this.#second = second;
  }
}
