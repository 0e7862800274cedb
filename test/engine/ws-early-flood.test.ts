/**
 * A ws:// peer that floods messages while the server's CURVE mechanism is still loading
 * libsodium (its first CURVE connection in this process, as in this test file's own process):
 * the ZWS engine stops reading, keeps at most a handshake's few messages, and drops the peer
 * with a protocol event; before, it queued every message until libsodium was ready.
 */
import { afterEach, expect, it } from "vitest";
import { Router, curveKeyPair } from "../../lib/index.js";
import { rawConnect, tracker, waitEvent } from "../helpers/sockets.js";
import { upgradeRequest, wsFrame } from "../helpers/ws-raw.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

it("drops a peer that sends more than a handshake's messages before CURVE is ready", async () => {
  const server = curveKeyPair();
  const router = track(new Router({ curveServer: true, curveSecretKey: server.secretKey }));
  await router.bind("ws://127.0.0.1:*/zmq");
  const url = new URL(router.lastEndpoint!);
  const refused = waitEvent(router, "handshake:error:protocol");
  const sock = track(await rawConnect(`tcp://${url.host}`));
  sock.on("error", () => {});
  // The upgrade and the flood in one write: `ws` hands the frames to the engine with the upgrade.
  const upgrade = Buffer.from(upgradeRequest(url).toString("latin1").replace("ZWS2.0/NULL", "ZWS2.0/CURVE"), "latin1");
  const flood = Array.from({ length: 200 }, () => wsFrame(Buffer.from([0x02, 5, ...Buffer.from("HELLO")])));
  sock.write(Buffer.concat([upgrade, ...flood]));
  const event = await refused;
  // Refused for the flood itself (zeromq's code for a protocol error without one of its own);
  // before, every queued message reached the mechanism once ready: ERR_ZMTP_MALFORMED_COMMAND_HELLO.
  expect(event.error?.code).toBe("ERR_ZMTP_UNSPECIFIED");
});
