/**
 * A one-line progress bar on a terminal: `[#####.....] 3/12 42 s  label`. Lines printed while
 * it is shown go above it. On anything but a terminal nothing is redrawn; `note` prefixes
 * each printed line with `[done/total]` instead, which logs well.
 */
export class ProgressBar {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #started = Date.now();
  #done = 0;
  #total: number | null;
  #label = "";
  #ticker: NodeJS.Timeout | null = null;

  constructor(out: NodeJS.WriteStream, total: number | null) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    this.#total = total;
    // Redraw every second so the elapsed time moves during a long step.
    if (this.#tty) {
      this.#ticker = setInterval(() => this.#draw(), 1000);
      this.#ticker.unref();
    }
  }

  /** Prints a line that is not progress. */
  print(line: string): void {
    this.#clear();
    this.#out.write(`${line}\n`);
    this.#draw();
  }

  /** One step done: prints its line and moves the bar. */
  step(line: string, label: string): void {
    this.#done++;
    if (this.#total !== null && this.#done > this.#total) this.#total = this.#done;
    this.#label = label;
    this.#clear();
    this.#out.write(this.#tty ? `${line}\n` : `[${this.#done}/${this.#total ?? "?"}] ${line}\n`);
    this.#draw();
  }

  finish(): void {
    if (this.#ticker !== null) clearInterval(this.#ticker);
    this.#clear();
  }

  #clear(): void {
    if (this.#tty) this.#out.write("\r\x1b[2K");
  }

  #draw(): void {
    if (!this.#tty) return;
    const seconds = Math.round((Date.now() - this.#started) / 1000);
    const total = this.#total;
    const width = 30;
    const filled = total === null || total === 0 ? 0 : Math.min(width, Math.round((this.#done / total) * width));
    const bar = total === null ? "" : `[${"#".repeat(filled)}${".".repeat(width - filled)}] `;
    this.#out.write(`\r\x1b[2K${bar}${this.#done}/${total ?? "?"} ${seconds} s  ${this.#label}`);
  }
}
