/**
 * wiremq/v5-compat exports what zeromq/v5-compat exports: the same names, the same kinds,
 * the same constant values; and a socket has the same methods and option properties.
 */
import { describe, expect, it } from "vitest";
import * as namespace from "../../lib/v5-compat.js";
import { wiremq5, zeromq5 } from "../helpers/v5-diff.js";

function kinds(mod: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(mod)) {
    if (key === "default") continue;
    out[key] = typeof value === "function" ? (/^class\b/.test(Function.prototype.toString.call(value)) ? "class" : "function") : typeof value;
  }
  return out;
}

describe("wiremq/v5-compat's exports", () => {
  it("has zeromq/v5-compat's names, each of the same kind", () => {
    expect(kinds(wiremq5)).toEqual(kinds(zeromq5));
  });

  it("has the same constant values and the same options table", () => {
    const values = (mod: object) => Object.fromEntries(Object.entries(mod).filter(([, v]) => typeof v === "number" || typeof v === "string"));
    expect(values(wiremq5)).toEqual(values(zeromq5));
    expect(wiremq5.options).toEqual(zeromq5.options);
  });

  it("socket is createSocket; no default name of its own (require gives zeromq's keys exactly)", () => {
    expect(wiremq5.socket).toBe(wiremq5.createSocket);
    expect("default" in namespace).toBe(false);
  });

  it("a socket has the same methods and option properties", () => {
    const surface = (proto: object) => Object.getOwnPropertyNames(proto).filter((k) => !k.startsWith("_")).sort();
    expect(surface(wiremq5.Socket.prototype)).toEqual(surface(zeromq5.Socket.prototype));
    const z = zeromq5.socket("pair");
    const w = wiremq5.socket("pair");
    try {
      expect(w).toBeInstanceOf(wiremq5.Socket);
      expect(w.type).toBe(z.type);
      expect(typeof w.on).toBe("function");
    } finally {
      for (const s of [z, w]) {
        s.setsockopt(zeromq5.ZMQ_LINGER, 0);
        s.close();
      }
    }
  });

  it("curveKeypair gives two different 40-character Z85 keys under public and secret", () => {
    for (const zmq of [zeromq5, wiremq5]) {
      const pair = zmq.curveKeypair();
      expect(Object.keys(pair).sort()).toEqual(["public", "secret"]);
      expect(pair.public).toMatch(/^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/);
      expect(pair.secret).toMatch(/^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/);
      expect(pair.public).not.toBe(pair.secret);
    }
  });
});
