/**
 * Issue 22, types: a fan-out whose codec and recipient names are known to the compiler. One
 * encoded copy reaches each relay node; recipients there get decoded values; a value that does
 * not decode is reported `failed` for that recipient; misuse does not compile.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Relay } from "../../lib/devices/index.js";
import { json, string, typedFanout, typedRecipient, type Recipient } from "../../patterns/index.js";
import { tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

interface Price {
  symbol: string;
  bid: number;
}
const prices = json<Price>();

async function startRelay(): Promise<Relay> {
  const relay = track(new Relay());
  await relay.bind("tcp://127.0.0.1:*");
  void relay.run();
  return relay;
}

describe("typedFanout", () => {
  it("delivers decoded values to recipients on two relay nodes and reports each", async () => {
    const [east, west] = [await startRelay(), await startRelay()];
    const got: string[] = [];
    east.register("desk", typedRecipient(prices, (p) => void got.push(`east desk ${p.symbol} ${p.bid}`)));
    east.register("audit", typedRecipient(prices, (p) => void got.push(`east audit ${p.symbol}`)));
    west.register("desk", typedRecipient(prices, (p) => void got.push(`west desk ${p.symbol}`)));
    const fanout = track(typedFanout<Price, "desk" | "audit">(prices));
    const to: Recipient<"desk" | "audit">[] = [`${east.lastEndpoint!}#desk` as const, `${east.lastEndpoint!}#audit` as const, `${west.lastEndpoint!}#desk` as const] as Recipient<"desk" | "audit">[];
    const report = await fanout.send({ symbol: "ACME", bid: 101.5 }, to);
    expect(report.counts).toMatchObject({ delivered: 3 });
    expect(got.sort()).toEqual(["east audit ACME", "east desk ACME 101.5", "west desk ACME"]);
  });

  it("a recipient whose codec refuses the message is reported failed, the others delivered", async () => {
    const relay = await startRelay();
    const seen: string[] = [];
    relay.register("prices", typedRecipient(prices, (p) => void seen.push(p.symbol)));
    relay.register("text", typedRecipient(string, (s) => void seen.push(s)));
    const fanout = track(typedFanout(string));
    const report = await fanout.send("not json {", [`${relay.lastEndpoint!}#prices`, `${relay.lastEndpoint!}#text`] as Recipient[]);
    expect(report.results.map((r) => r.status)).toEqual(["failed", "delivered"]);
    expect(seen).toEqual(["not json {"]);
  });

  it("refuses at compile time what the codec or the recipient names do not allow (checked by tsc: this file is in tsconfig.test.json)", () => {
    const fanout = typedFanout<Price, "desk">(prices);
    const ok: Recipient<"desk"> = "tcp://10.0.0.5:7000#desk";
    const compileOnly = (): void => {
      // @ts-expect-error a Price needs a bid
      void fanout.send({ symbol: "X" }, [ok]);
      // @ts-expect-error "audit" is not a recipient of this fan-out
      void fanout.send({ symbol: "X", bid: 1 }, ["tcp://10.0.0.5:7000#audit"]);
      // @ts-expect-error a destination names its recipient after "#"
      void fanout.send({ symbol: "X", bid: 1 }, ["tcp://10.0.0.5:7000"]);
      // @ts-expect-error the recipient's handler gets Prices, not strings
      typedRecipient(prices, (p: string) => void p);
    };
    expect(typeof compileOnly).toBe("function");
    void fanout.close();
  });
});
