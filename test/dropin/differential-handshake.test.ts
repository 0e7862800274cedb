/**
 * Handshake failures against zeromq: a CURVE client with the wrong server key or no keys, a
 * client a ZAP handler refuses, ZAP handlers whose replies break ZAP, and mechanism
 * mismatches both ways. Each pair (server and client of one library) is compared by the
 * events both ends report, in order, with their errors' code, text, errno and status, and by
 * whether the client tries again.
 */
import { describe, expect, it } from "vitest";
import { errorShape, expectSame, type Run, type Zmq } from "../helpers/differential.js";

type Options = Record<string, unknown>;
type ZapAnswer = (requestId: string) => string[];

const TYPES = [
  "accept", "connect", "connect:delay", "disconnect", "handshake",
  "handshake:error:protocol", "handshake:error:auth", "handshake:error:other",
] as const;

interface Observed {
  type: string;
  error?: ReturnType<typeof errorShape> & { errno?: unknown; status?: unknown };
}

interface Events {
  on(type: string, fn: (e: { type: string; error?: Error & { errno?: number; status?: number } }) => void): unknown;
}

function record(events: Events): Observed[] {
  const log: Observed[] = [];
  for (const type of TYPES) {
    events.on(type, (e) => {
      const error = e.error;
      log.push(error === undefined ? { type: e.type } : { type: e.type, error: { ...errorShape(error), errno: error.errno, status: error.status } });
    });
  }
  return log;
}

function next(events: Events, type: string, withinMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    events.on(type, () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The log as it stands at the first disconnect. */
function untilDisconnect(events: Events, log: Observed[]): Promise<Observed[]> {
  return new Promise((resolve) => events.on("disconnect", () => resolve(log.slice())));
}

/** A ZAP handler of the library's own, bound where libzmq looks for one. */
async function zapHandler(zmq: Zmq, run: Run, answer: ZapAnswer): Promise<void> {
  const router = run.track(new zmq.Router({ linger: 0 }));
  await router.bind("inproc://zeromq.zap.01");
  void (async () => {
    try {
      for await (const [peer, delimiter, , requestId] of router) {
        await router.send([peer!, delimiter!, ...answer(requestId!.toString())]);
      }
    } catch {
      // closed with the test
    }
  })();
}

type Keys = { publicKey: string; secretKey: string };

interface Case {
  title: string;
  server: (keys: { server: Keys; client: Keys; other: Keys }) => Options;
  client: (keys: { server: Keys; client: Keys; other: Keys }) => Options;
  zap?: ZapAnswer;
}

const curveServer = ({ server }: { server: Keys }): Options => ({ curveServer: true, curveSecretKey: server.secretKey, curvePublicKey: server.publicKey });
const curveClient = ({ server, client }: { server: Keys; client: Keys }): Options => ({
  curveServerKey: server.publicKey, curveSecretKey: client.secretKey, curvePublicKey: client.publicKey,
});
const plainClient = (): Options => ({ plainUsername: "user", plainPassword: "secret" });
const nullSide = (): Options => ({});
const plainServer = (): Options => ({ plainServer: true });

const CASES: Case[] = [
  {
    title: "a CURVE client with the wrong server key",
    server: curveServer,
    client: ({ other, client }) => ({ curveServerKey: other.publicKey, curveSecretKey: client.secretKey, curvePublicKey: client.publicKey }),
  },
  { title: "a CURVE client with no keys of its own", server: curveServer, client: ({ server }) => ({ curveServerKey: server.publicKey }) },
  { title: "a CURVE client the ZAP handler refuses (400)", server: curveServer, client: curveClient, zap: (id) => ["1.0", id, "400", "no", "", ""] },
  { title: "a CURVE client and a ZAP reply of version 2.0", server: curveServer, client: curveClient, zap: (id) => ["2.0", id, "200", "OK", "", ""] },
  { title: "a PLAIN client the ZAP handler refuses (400)", server: plainServer, client: plainClient, zap: (id) => ["1.0", id, "400", "no", "", ""] },
  { title: "a PLAIN client and a ZAP reply of version 2.0", server: plainServer, client: plainClient, zap: (id) => ["2.0", id, "200", "OK", "", ""] },
  { title: "a PLAIN client and a ZAP reply of three frames", server: plainServer, client: plainClient, zap: (id) => ["1.0", id, "200"] },
  { title: "a PLAIN client and a ZAP reply with status 201", server: plainServer, client: plainClient, zap: (id) => ["1.0", id, "201", "?", "", ""] },
  { title: "a PLAIN client and a ZAP reply with another request id", server: plainServer, client: plainClient, zap: () => ["1.0", "x7", "200", "OK", "", ""] },
  { title: "a PLAIN client and no ZAP handler", server: plainServer, client: plainClient },
  { title: "a PLAIN client to a CURVE server", server: curveServer, client: plainClient },
  { title: "a CURVE client to a PLAIN server", server: plainServer, client: curveClient },
  { title: "a NULL client to a CURVE server", server: curveServer, client: nullSide },
  { title: "a CURVE client to a NULL server", server: nullSide, client: curveClient },
  { title: "a NULL client to a PLAIN server", server: plainServer, client: nullSide },
  { title: "a PLAIN client to a NULL server", server: nullSide, client: plainClient },
  { title: "a NULL client a zapDomain server's ZAP handler refuses (400)", server: () => ({ zapDomain: "test" }), client: nullSide, zap: (id) => ["1.0", id, "400", "no", "", ""] },
  // A CURVE key alone selects CURVE, as in libzmq: the mistake fails closed, never as NULL.
  { title: "a client with only curveSecretKey to a NULL server", server: nullSide, client: ({ client }) => ({ curveSecretKey: client.secretKey }) },
  { title: "a client with only curvePublicKey to a NULL server", server: nullSide, client: ({ client }) => ({ curvePublicKey: client.publicKey }) },
  { title: "a server with curveSecretKey but no curveServer, to a NULL client", server: ({ server }) => ({ curveSecretKey: server.secretKey }), client: nullSide },
];

describe("handshake failures, as zeromq reports them", () => {
  it.each(CASES)("$title", async ({ server, client, zap }) => {
    const outcome = await expectSame(async (zmq, run) => {
      const keys = { server: zmq.curveKeyPair(), client: zmq.curveKeyPair(), other: zmq.curveKeyPair() };
      if (zap !== undefined) await zapHandler(zmq, run, zap);
      const bound = run.track(new zmq.Dealer({ linger: 0, ...server(keys) }));
      const dialing = run.track(new zmq.Dealer({ linger: 0, reconnectInterval: 20, ...client(keys) }));
      const serverLog = untilDisconnect(bound.events, record(bound.events));
      const clientLog = untilDisconnect(dialing.events, record(dialing.events));
      await bound.bind("tcp://127.0.0.1:*");
      // With reconnectInterval 20 a retry, where there is one, follows within ~40 ms.
      const retried = clientLog.then(() => next(dialing.events, "connect:retry", 500));
      dialing.connect(bound.lastEndpoint!);
      return { server: await serverLog, client: await clientLog, retried: await retried };
    });
    expect(outcome).toHaveProperty("resolved.client.0.type", "connect:delay");
  });
});

describe("a peer of a Socket-Type this socket cannot talk to, as zeromq", () => {
  it("a PUSH connecting to a PUSH: no handshake event, a disconnect on both ends, no retry", async () => {
    await expectSame(async (zmq, run) => {
      const bound = run.track(new zmq.Push({ linger: 0 }));
      const dialing = run.track(new zmq.Push({ linger: 0, reconnectInterval: 20 }));
      const serverLog = untilDisconnect(bound.events, record(bound.events));
      const clientLog = untilDisconnect(dialing.events, record(dialing.events));
      await bound.bind("tcp://127.0.0.1:*");
      const retried = clientLog.then(() => next(dialing.events, "connect:retry", 500));
      dialing.connect(bound.lastEndpoint!);
      return { server: await serverLog, client: await clientLog, retried: await retried };
    });
  });
});

describe("a CURVE key option alone selects CURVE, as zeromq", () => {
  it("securityMechanism with only a secret key, only a public key, only a server key", async () => {
    await expectSame((zmq, run) => {
      const { publicKey, secretKey } = zmq.curveKeyPair();
      const options: Options[] = [{ curveSecretKey: secretKey }, { curvePublicKey: publicKey }, { curveServerKey: publicKey }];
      return options.map((o) => run.track(new zmq.Dealer({ linger: 0, ...o })).securityMechanism);
    });
  });
});
