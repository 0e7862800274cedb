import { describe, expect, it } from "vitest";
import * as wsModule from "ws";
import { wsFrameHeaderSize, writeWsFrame, writeWsFrameHeader } from "../../lib/wire/ws-frame.js";

/** `ws`'s frame reader: exported by the package, absent from @types/ws. */
interface WsReceiver {
  on(event: "message", listener: (data: Buffer, binary: boolean) => void): void;
  on(event: "error", listener: (err: Error) => void): void;
  write(chunk: Buffer): boolean;
}
const { Receiver } = wsModule as unknown as {
  Receiver: new (options: { isServer: boolean; binaryType: "nodebuffer"; maxPayload: number }) => WsReceiver;
};

/** Frames written here, read back by `ws`'s own receiver (the one every ws connection uses). */
function readBack(bytes: Uint8Array, masked: boolean, chunk = bytes.length): Buffer[] {
  // A server's receiver requires masked frames (a client's), a client's requires unmasked ones.
  const receiver = new Receiver({ isServer: masked, binaryType: "nodebuffer", maxPayload: 0 });
  const out: Buffer[] = [];
  const errors: Error[] = [];
  receiver.on("message", (data: Buffer, binary: boolean) => {
    expect(binary).toBe(true);
    out.push(Buffer.from(data));
  });
  receiver.on("error", (err: Error) => errors.push(err));
  for (let i = 0; i < bytes.length; i += chunk) receiver.write(Buffer.from(bytes.subarray(i, i + chunk)));
  expect(errors).toEqual([]);
  return out;
}

function frames(payloads: Uint8Array[], mask: Uint8Array | null): Uint8Array {
  let size = 0;
  for (const p of payloads) size += wsFrameHeaderSize(p.length, mask !== null) + p.length;
  const out = new Uint8Array(size);
  let pos = 0;
  for (const p of payloads) pos = writeWsFrame(out, pos, p, mask);
  expect(pos).toBe(size);
  return out;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
/** Same payloads in the same order (Buffer.equals: toEqual walks large buffers slowly). */
function expectSame(got: Buffer[], want: Uint8Array[]): void {
  expect(got.map((b) => b.length)).toEqual(want.map((b) => b.length));
  for (let i = 0; i < want.length; i++) expect(got[i]!.equals(want[i]!), `payload ${i}`).toBe(true);
}
const payloadOf = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

describe("ws-frame: RFC 6455 binary frames", () => {
  it("golden frames: unmasked and masked (RFC 6455 §5.7's key and payload, as a binary frame)", () => {
    const hello = Uint8Array.from("Hello", (c) => c.charCodeAt(0));
    expect(hex(frames([hello], null))).toBe("820548656c6c6f");
    expect(hex(frames([hello], Uint8Array.of(0x37, 0xfa, 0x21, 0x3d)))).toBe("828537fa213d7f9f4d5158");
    expect(hex(frames([new Uint8Array(0)], null))).toBe("8200");
  });

  it("header sizes and length encodings at each boundary (7-bit, 16-bit, 64-bit)", () => {
    const cases: Array<[number, string]> = [
      [125, "827d"],
      [126, "827e007e"],
      [65535, "827effff"],
      [65536, "827f0000000000010000"],
      [2 ** 32 + 5, "827f0000000100000005"],
    ];
    for (const [length, header] of cases) {
      const out = new Uint8Array(10);
      const end = writeWsFrameHeader(out, 0, length, null);
      expect(end).toBe(wsFrameHeaderSize(length, false));
      expect(hex(out.subarray(0, end))).toBe(header);
      expect(wsFrameHeaderSize(length, true)).toBe(end + 4);
    }
  });

  it("ws's receiver reads back every length, masked and not, whole and one byte at a time", () => {
    const lengths = [0, 1, 3, 5, 125, 126, 127, 1000, 65535, 65536, 70001];
    for (const masked of [false, true]) {
      const payloads = lengths.map(payloadOf);
      const bytes = frames(payloads, masked ? Uint8Array.of(0x9a, 0x01, 0xff, 0x42) : null);
      expectSame(readBack(bytes, masked), payloads);
      const small = lengths.filter((n) => n < 200).map(payloadOf);
      expectSame(readBack(frames(small, masked ? Uint8Array.of(1, 2, 3, 4) : null), masked, 1), small);
    }
  });

  it("masking leaves the caller's payload untouched", () => {
    const payload = payloadOf(37);
    const copy = Uint8Array.from(payload);
    frames([payload], Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
    expect(payload).toEqual(copy);
  });
});
