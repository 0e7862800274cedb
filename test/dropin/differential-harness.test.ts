/**
 * The differential harness itself: it tells a synchronous throw from a rejection, compares
 * errors by what a caller reads, and runs one scenario against both libraries.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { differential, errorShape, expectSame, plain, recordEvents, settle } from "../helpers/differential.js";

function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("differential harness", () => {
  it("tells a synchronous throw from a rejection and from a value", async () => {
    expect(await settle(() => { throw coded("EBUSY", "busy"); })).toEqual({ threw: { class: "Error", name: "Error", code: "EBUSY", message: "busy" } });
    expect(await settle(() => Promise.reject(coded("EAGAIN", "later")))).toEqual({ rejected: { class: "Error", name: "Error", code: "EAGAIN", message: "later" } });
    expect(await settle(() => Promise.resolve(7))).toEqual({ resolved: 7 });
    expect(await settle(() => "now")).toEqual({ resolved: "now" });
  });

  it("names the built-in class an error belongs to, not its own subclass", () => {
    class CodedError extends TypeError {}
    expect(errorShape(new CodedError("x"))).toEqual({ class: "TypeError", name: "TypeError", code: undefined, message: "x" });
  });

  it("compares byte views by their bytes, whatever their type", () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    expect(plain({ a: [Buffer.from(bytes)] })).toEqual(plain({ a: [new DataView(bytes.buffer)] }));
    expect(plain(Buffer.from("ab"))).toBe("hex:6162");
  });

  it("logs the events asked for, with their errors' shape", () => {
    const emitter = new EventEmitter();
    const log = recordEvents(emitter, ["bind:error", "close"]);
    emitter.emit("bind:error", { type: "bind:error", error: coded("EADDRINUSE", "Address already in use") });
    emitter.emit("accept", { type: "accept" });
    emitter.emit("close", { type: "close" });
    expect(log).toEqual([
      { type: "bind:error", error: { class: "Error", name: "Error", code: "EADDRINUSE", message: "Address already in use" } },
      { type: "close" },
    ]);
  });

  it("finds a difference between the libraries when there is one", async () => {
    const seen = await differential((_zmq, run) => run.lib);
    expect(seen).toEqual({ zeromq: { resolved: "zeromq" }, wiremq: { resolved: "wiremq" } });
  });

  it("closes what a scenario tracked, even when the scenario throws", async () => {
    const closed: string[] = [];
    const seen = await differential((_zmq, run) => {
      run.track({ close: () => closed.push(run.lib) });
      throw coded("EINVAL", "bad");
    });
    expect(seen.wiremq).toEqual(seen.zeromq);
    expect(closed).toEqual(["zeromq", "wiremq"]);
  });

  it("runs a message exchange against both libraries with the same result", async () => {
    const outcome = await expectSame(async (zmq, run) => {
      const pull = run.track(new zmq.Pull({ linger: 0 }));
      const push = run.track(new zmq.Push({ linger: 0 }));
      await pull.bind("tcp://127.0.0.1:*");
      push.connect(pull.lastEndpoint!);
      await push.send(["a", Buffer.from([1, 2])]);
      const received = await pull.receive();
      return received;
    });
    expect(outcome).toEqual({ resolved: ["hex:61", "hex:0102"] });
  });
});
