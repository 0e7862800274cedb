/**
 * Before the handshake is done, a frame announcing more than a handshake command can need is
 * refused from its header: an unauthenticated peer cannot make wiremq reserve its body.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Pull } from "../../lib/index.js";
import { encodeGreeting } from "../../lib/wire/greeting.js";
import { closedPromise, rawConnect, tracker, waitEvent, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

describe("a frame announced during the handshake", () => {
  it("of 512 MiB drops the peer at once, before its body arrives", async () => {
    const pull = track(new Pull({ handshakeInterval: 30_000 }));
    await pull.bind("tcp://127.0.0.1:*");
    const failed = waitEvent(pull, "handshake:error:protocol", 1, 5000);
    const sock = track(await rawConnect(pull.lastEndpoint!));
    sock.on("error", () => {});
    sock.resume();
    const closed = closedPromise(sock);
    const header = Buffer.alloc(9);
    header[0] = 0x06; // long command
    header.writeUInt32BE(512 * 1024 * 1024, 5);
    sock.write(Buffer.concat([encodeGreeting("NULL", false), header, Buffer.from("\x05HELLO")]));
    const event = await failed;
    expect(event.error).toBeInstanceOf(Error);
    await within(closed, 5000, "the connection closing");
  });
});
