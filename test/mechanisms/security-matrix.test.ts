import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wq from "../../lib/index.js";
import * as wqs from "../../lib/security.js";
import { CurveClient } from "../../lib/mechanisms/curve-client.js";
import { encodeFrame } from "../../lib/wire/frame.js";
import { context, dial, runRawPeer } from "../helpers/mechanism-harness.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(async () => {
  wqs.setZapHandler(null);
  await closeAll();
});

type Lib = typeof wq | typeof zmq;
type Pattern = "push-pull" | "req-rep" | "dealer-router";
type Mech = "PLAIN" | "CURVE";

/** A libzmq ZAP handler (ROUTER at inproc://zeromq.zap.01) that lets "user"/"pass" in. */
async function libzmqZap(): Promise<void> {
  const zap = track(new zmq.Router());
  await zap.bind("inproc://zeromq.zap.01");
  void (async () => {
    try {
      for await (const [id, delim, version, reqId, , , , mechanism, user, pass] of zap) {
        const ok = String(mechanism) === "CURVE" || (String(user) === "user" && String(pass) === "pass");
        await zap.send([id!, delim!, version!, reqId!, ok ? "200" : "400", ok ? "OK" : "Denied", "u", ""]);
      }
    } catch {
      // closed
    }
  })();
}

function security(mech: Mech, server: boolean, keys: { server: { publicKey: string; secretKey: string }; client: { publicKey: string; secretKey: string } }): Record<string, unknown> {
  if (mech === "PLAIN") return server ? { plainServer: true } : { plainUsername: "user", plainPassword: "pass" };
  return server
    ? { curveServer: true, curveSecretKey: keys.server.secretKey }
    : { curveServerKey: keys.server.publicKey, curvePublicKey: keys.client.publicKey, curveSecretKey: keys.client.secretKey };
}

const classes: Record<Pattern, [string, string]> = {
  "push-pull": ["Pull", "Push"],
  "req-rep": ["Reply", "Request"],
  "dealer-router": ["Router", "Dealer"],
};

async function exchange(pattern: Pattern, server: { send(m: unknown): Promise<void>; receive(): Promise<Buffer[]> }, client: { send(m: unknown): Promise<void>; receive(): Promise<Buffer[]> }): Promise<void> {
  await client.send(["hello", "secure"]);
  const got = await server.receive();
  expect(got.slice(-2).map(String)).toEqual(["hello", "secure"]);
  if (pattern === "push-pull") return;
  await server.send(pattern === "dealer-router" ? [got[0]!, "back"] : ["back"]);
  expect((await client.receive()).map(String)).toEqual(["back"]);
}

describe("PLAIN and CURVE against libzmq for each pattern", () => {
  for (const pattern of ["push-pull", "req-rep", "dealer-router"] as Pattern[]) {
    for (const mech of ["PLAIN", "CURVE"] as Mech[]) {
      for (const serverLib of ["wiremq", "zeromq"] as const) {
        it(`${pattern} ${mech}: ${serverLib} server, ${serverLib === "wiremq" ? "zeromq" : "wiremq"} client`, async () => {
          const keys = { server: wq.curveKeyPair(), client: wq.curveKeyPair() };
          if (serverLib === "zeromq") await libzmqZap();
          else wqs.setZapHandler(wqs.createAuthenticator({ passwords: { user: "pass" }, curveKeys: "any" }));
          const sLib: Lib = serverLib === "wiremq" ? wq : zmq;
          const cLib: Lib = serverLib === "wiremq" ? zmq : wq;
          const [sName, cName] = classes[pattern];
          const S = (sLib as unknown as Record<string, new (o: object) => never>)[sName]!;
          const C = (cLib as unknown as Record<string, new (o: object) => never>)[cName]!;
          const server = track(new S(security(mech, true, keys)) as unknown as wq.Router);
          await server.bind("tcp://127.0.0.1:*");
          const client = track(new C(security(mech, false, keys)) as unknown as wq.Dealer);
          client.connect(server.lastEndpoint!);
          await exchange(pattern, server, client);
        });
      }
    }
  }
});

describe("a tampered CURVE MESSAGE", () => {
  it("drops that peer only; nothing gets through and good clients go on", async () => {
    const serverKeys = wq.curveKeyPair();
    const pull = track(new wq.Pull({ curveServer: true, curveSecretKey: serverKeys.secretKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const port = Number(pull.lastEndpoint!.split(":").pop());
    const dropped = new Promise<wq.Event>((r) => pull.events.on("disconnect", r));

    const clientKeys = wq.curveKeyPair();
    const mech = new CurveClient(context("PUSH"), { serverKey: serverKeys.publicKey, secretKey: clientKeys.secretKey });
    const sock = await dial(port);
    const raw = runRawPeer(sock, mech);
    await raw.ready;
    const boxed = mech.encode(0, Buffer.from("forged"));
    boxed[boxed.length - 1]! ^= 0x01;
    sock.write(encodeFrame(0, boxed));
    await raw.closed;
    await dropped;

    const good = track(new wq.Push({ curveServerKey: serverKeys.publicKey, curvePublicKey: clientKeys.publicKey, curveSecretKey: clientKeys.secretKey }));
    good.connect(pull.lastEndpoint!);
    await good.send("genuine");
    expect((await pull.receive()).map(String)).toEqual(["genuine"]);
  });
});
