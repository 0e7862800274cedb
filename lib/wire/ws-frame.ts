/**
 * RFC 6455 §5.2 binary data frames, the encoding half only: one frame per payload (FIN set,
 * opcode 2, no extension, so no RSV bit), written into memory the caller gives. The Node ws
 * channel frames a whole flush of ZWS payloads into one buffer with this and hands the socket
 * one write, where `ws`'s `send` costs a header allocation and two stream writes per message,
 * then a writev. Reading stays `ws`'s (its receiver is the fuzz-tested one that refuses what
 * breaks the protocol); the tests feed these frames to it.
 *
 * Pure code over bytes: no `node:` import, no I/O, the mask key comes from the caller.
 */

const FIN_BINARY = 0x82;
const MASK_BIT = 0x80;

/** Header bytes for a payload of `length` bytes; `masked`: a client's frame (4 key bytes more). */
export function wsFrameHeaderSize(length: number, masked: boolean): number {
  const base = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  return masked ? base + 4 : base;
}

/**
 * Writes a binary frame's header at `pos` and returns where the payload goes. `mask`: the
 * frame's 4-byte key (a client's frame, RFC 6455 §5.3), or null (a server's). The payload is
 * not written: see writeWsFrame, or write it unmasked after a server's header.
 */
export function writeWsFrameHeader(out: Uint8Array, pos: number, length: number, mask: Uint8Array | null): number {
  out[pos] = FIN_BINARY;
  const m = mask === null ? 0 : MASK_BIT;
  let p = pos + 2;
  if (length < 126) out[pos + 1] = m | length;
  else if (length < 0x10000) {
    out[pos + 1] = m | 126;
    out[p++] = length >>> 8;
    out[p++] = length & 0xff;
  } else {
    out[pos + 1] = m | 127;
    // 2^53 - 1 at most: the top two bytes are always zero.
    const high = Math.floor(length / 0x1_0000_0000);
    out[p++] = 0;
    out[p++] = 0;
    out[p++] = (high >>> 8) & 0xff;
    out[p++] = high & 0xff;
    out[p++] = length >>> 24;
    out[p++] = (length >>> 16) & 0xff;
    out[p++] = (length >>> 8) & 0xff;
    out[p++] = length & 0xff;
  }
  if (mask !== null) {
    out[p++] = mask[0]!;
    out[p++] = mask[1]!;
    out[p++] = mask[2]!;
    out[p++] = mask[3]!;
  }
  return p;
}

/**
 * Writes one whole frame (header, then the payload, masked with `mask` when given) at `pos`;
 * returns the position after it. `out` must have wsFrameHeaderSize + payload.length bytes there.
 */
export function writeWsFrame(out: Uint8Array, pos: number, payload: Uint8Array, mask: Uint8Array | null): number {
  const n = payload.length;
  const p = writeWsFrameHeader(out, pos, n, mask);
  if (mask === null) {
    if (n <= 32) for (let i = 0; i < n; i++) out[p + i] = payload[i]!;
    else out.set(payload, p);
  } else {
    const m0 = mask[0]!, m1 = mask[1]!, m2 = mask[2]!, m3 = mask[3]!;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      out[p + i] = payload[i]! ^ m0;
      out[p + i + 1] = payload[i + 1]! ^ m1;
      out[p + i + 2] = payload[i + 2]! ^ m2;
      out[p + i + 3] = payload[i + 3]! ^ m3;
    }
    for (; i < n; i++) out[p + i] = payload[i]! ^ mask[i & 3]!;
  }
  return p + n;
}
