/** Message and byte counts through one side of a device, as libzmq's steerable proxy keeps them. */
export interface SideCounts {
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
}

/** Both sides of a device. */
export interface TrafficCounts {
  frontEnd: SideCounts;
  backEnd: SideCounts;
}

function zeroSide(): SideCounts {
  return { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 };
}

/** The payload size of a message: the sum of its frames, as libzmq counts it (no framing). */
export function messageBytes(msg: readonly Uint8Array[]): number {
  let n = 0;
  for (const frame of msg) n += frame.length;
  return n;
}

/**
 * Counts a device's traffic. A multi-part message counts once, its bytes are the sum of its
 * parts; a message taken on one side and passed to the other is "in" there and "out" here.
 */
export class TrafficStats {
  readonly #front = zeroSide();
  readonly #back = zeroSide();

  /** A message taken from one side and passed to the other. */
  passed(msg: readonly Uint8Array[], fromFrontEnd: boolean): void {
    const bytes = messageBytes(msg);
    this.received(bytes, fromFrontEnd);
    this.sent(bytes, !fromFrontEnd);
  }

  /** A message of `bytes` taken from one side. */
  received(bytes: number, onFrontEnd: boolean): void {
    const side = onFrontEnd ? this.#front : this.#back;
    side.messagesIn++;
    side.bytesIn += bytes;
  }

  /** A message of `bytes` sent on one side. */
  sent(bytes: number, onFrontEnd: boolean): void {
    const side = onFrontEnd ? this.#front : this.#back;
    side.messagesOut++;
    side.bytesOut += bytes;
  }

  /** A copy: later traffic does not change it. */
  snapshot(): TrafficCounts {
    return { frontEnd: { ...this.#front }, backEnd: { ...this.#back } };
  }
}
