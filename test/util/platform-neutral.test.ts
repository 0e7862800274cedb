import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { Listeners } from "../../lib/util/listeners.js";
import { randomBytes, randomFill, randomInt } from "../../lib/util/random.js";
import { bytesEqualConstantTime } from "../../lib/util/bytes-equal.js";

describe("Listeners, the browser's stand-in for the monitor's EventEmitter", () => {
  /** The same calls on Node's EventEmitter and on Listeners give the same calls to listeners. */
  interface Emitting {
    on(n: string, f: (v: unknown) => void): unknown;
    off(n: string, f: (v: unknown) => void): unknown;
    emit(n: string, ...a: unknown[]): boolean;
  }
  function script(emitter: Emitting): string[] {
    const log: string[] = [];
    const a = (v: unknown): void => void log.push(`a${String(v)}`);
    const b = (v: unknown): void => {
      log.push(`b${String(v)}`);
      emitter.off("x", b);
      emitter.on("x", c);
    };
    const c = (v: unknown): void => void log.push(`c${String(v)}`);
    emitter.on("x", a);
    emitter.on("x", b);
    emitter.on("x", a);
    log.push(String(emitter.emit("x", 1)));
    emitter.off("x", a);
    log.push(String(emitter.emit("x", 2)));
    log.push(String(emitter.emit("y", 3)));
    return log;
  }

  it("calls, duplicates, removal during emit and emit's result match EventEmitter's", () => {
    expect(script(new Listeners())).toEqual(script(new EventEmitter()));
  });

  it("on() and off() return the emitter itself", () => {
    const l = new Listeners();
    expect(l.on("x", () => {})).toBe(l);
    expect(l.off("x", () => {})).toBe(l);
  });
});

describe("random bytes and ints from Web Crypto", () => {
  it("randomInt stays in [min, max) and reaches both ends of a small range", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const n = randomInt(3, 7);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThan(7);
      seen.add(n);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it("randomFill fills past getRandomValues' 64 KiB per call, and only the span asked", () => {
    const buf = new Uint8Array(200_000);
    randomFill(buf, 10, 150_000);
    expect(buf.subarray(0, 10).every((b) => b === 0)).toBe(true);
    expect(buf.subarray(150_010).every((b) => b === 0)).toBe(true);
    // The last 64 KiB of the span is random too (a single call would have thrown).
    expect(buf.subarray(100_000, 150_010).some((b) => b !== 0)).toBe(true);
    expect(randomBytes(16).equals(randomBytes(16))).toBe(false);
  });
});

describe("bytesEqualConstantTime", () => {
  it("is true for equal bytes and false for any one byte changed or another length", () => {
    const a = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(bytesEqualConstantTime(a, a.slice())).toBe(true);
    for (let i = 0; i < 32; i++) {
      const b = a.slice();
      b[i] ^= 0x80;
      expect(bytesEqualConstantTime(a, b)).toBe(false);
    }
    expect(bytesEqualConstantTime(a, a.subarray(1))).toBe(false);
  });
});
