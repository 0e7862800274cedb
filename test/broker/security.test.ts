/**
 * The broker and its client over CURVE (socketOptions on both sides, and `--option` on the
 * command line), and the checks on what socketOptions may hold.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { Broker, BrokerClient } from "../../lib/broker/index.js";
import { runBrokerCli } from "../../bin/broker/cli.js";
import { curveKeyPair, Dealer } from "../../lib/index.js";
import { within } from "../helpers/sockets.js";

const brokers: Broker[] = [];
const clients: BrokerClient[] = [];
const dealers: Dealer[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const d of dealers.splice(0)) await d.close();
  for (const b of brokers.splice(0)) await b.close();
});

async function curveBroker(): Promise<{ broker: Broker; serverKey: string }> {
  const server = curveKeyPair();
  const broker = new Broker({
    memory: true,
    bind: "tcp://127.0.0.1:0",
    socketOptions: { curveServer: true, curveSecretKey: server.secretKey },
  });
  brokers.push(broker);
  await broker.start();
  return { broker, serverKey: server.publicKey };
}

describe("broker over CURVE", () => {
  it("a client with the broker's public key puts and consumes", async () => {
    const { broker, serverKey } = await curveBroker();
    const me = curveKeyPair();
    const client = new BrokerClient({
      endpoints: broker.endpoints[0]!,
      socketOptions: { curveServerKey: serverKey, curvePublicKey: me.publicKey, curveSecretKey: me.secretKey },
    });
    clients.push(client);
    await within(client.ready(), 5000, "a CURVE session");
    await client.put("secure", "sealed");
    const consumer = client.consume("secure");
    const delivery = (await within(consumer.next(), 5000, "the delivery"))!;
    expect(delivery.body.toString()).toBe("sealed");
    await delivery.ack();
  });

  it("a peer without CURVE fails the handshake and gets no session", async () => {
    const { broker } = await curveBroker();
    const plain = new Dealer({ linger: 0 });
    dealers.push(plain);
    const refused = new Promise<void>((resolve) => plain.events.on("handshake:error:protocol", () => resolve()));
    plain.connect(broker.endpoints[0]!);
    await within(refused, 5000, "the handshake error");
    expect(broker.stats().sessions).toBe(0);
  });
});

describe("socketOptions checks", () => {
  it("refuses what the broker or client sets itself, unknown names and wrong types, with EINVAL", () => {
    const base = { memory: true, bind: "tcp://127.0.0.1:0" };
    for (const socketOptions of [{ handover: false }, { mandatory: true }, { sendHighWaterMark: 5 }, { colour: "red" }, { curveServer: "yes" }]) {
      expect(() => new Broker({ ...base, socketOptions } as never)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    }
    for (const socketOptions of [{ routingId: "me" }, { linger: 5 }, { colour: "red" }, { curveServerKey: 7 }, [] as never]) {
      expect(() => new BrokerClient({ endpoints: "tcp://127.0.0.1:1", socketOptions } as never)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    }
  });
});

describe("wiremq broker --option", () => {
  it("runs a CURVE broker; stats reaches it with the client's keys; a bad setting exits 2", async () => {
    const server = curveKeyPair();
    const me = curveKeyPair();
    const brokerOut = new PassThrough();
    const stop = new AbortController();
    const firstLine = once(createInterface({ input: brokerOut }), "line");
    const done = runBrokerCli(
      ["--memory", "--bind", "tcp://127.0.0.1:0", "-o", "curveServer=true", "--option", `curveSecretKey=${server.secretKey}`],
      { stdout: brokerOut, stderr: new PassThrough(), signal: stop.signal },
    );
    try {
      const [endpoint] = (await within(firstLine, 10_000, "the endpoint line")) as [string];
      let out = "";
      const statsOut = new PassThrough().on("data", (c: Buffer) => (out += c.toString()));
      const args = ["stats", "--connect", endpoint, "--json", "-o", `curveServerKey=${server.publicKey}`];
      args.push("-o", `curvePublicKey=${me.publicKey}`, "-o", `curveSecretKey=${me.secretKey}`);
      expect(await runBrokerCli(args, { stdout: statsOut, stderr: new PassThrough() })).toBe(0);
      expect(JSON.parse(out).endpoints).toEqual([endpoint]);
    } finally {
      stop.abort();
      expect(await done).toBe(0);
    }
    const quiet = { stdout: new PassThrough(), stderr: new PassThrough() };
    expect(await runBrokerCli(["--memory", "-o", "colour=red"], quiet)).toBe(2);
    expect(await runBrokerCli(["--memory", "-o", "handover=false"], quiet)).toBe(2);
    expect(await runBrokerCli(["stats", "-o", "curveServerKey"], quiet)).toBe(2);
  });
});
