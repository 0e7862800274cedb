import { randomInt } from "../../util/random.js";

/**
 * Routing ids for peers that announce none, as libzmq makes them: five bytes, a zero byte
 * (ids starting with zero are reserved for generated ones) then a 32-bit counter that starts
 * at a random value.
 */
let counter: number | null = null;

export function generateRoutingId(): Buffer {
  // Drawn on first use, not at import: getRandomValues loads Web Crypto.
  counter = ((counter ?? randomInt(0, 0xffffffff)) + 1) >>> 0;
  const id = Buffer.allocUnsafe(5);
  id[0] = 0;
  id.writeUInt32BE(counter, 1);
  return id;
}
