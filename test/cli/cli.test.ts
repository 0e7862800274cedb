import { describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull, Push, Router } from "../../lib/index.js";
import { curvePublicKey } from "../../lib/security.js";
import { cliTracker, runCli } from "../helpers/cli.js";

zmq.context.blocky = false;

const { cli, track } = cliTracker();

const COMMANDS = ["send", "recv", "proxy", "relay", "monitor", "keygen", "bench"];

describe("wiremq command line: help and errors", () => {
  it.each(COMMANDS)("%s --help prints its usage and exits 0", async (name) => {
    const r = await runCli([name, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`usage: wiremq ${name}`);
  });

  it("lists every command, and tells its version", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    for (const name of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    expect(await runCli([])).toMatchObject({ code: 2 });
    expect((await runCli(["--version"])).stdout).toMatch(/^wiremq \d+\.\d+\.\d+/);
    expect((await runCli(["help", "recv"])).stdout).toContain("usage: wiremq recv");
  });

  it.each([
    ["an unknown command", ["fly"]],
    ["an unknown option", ["recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*", "--colour"]],
    ["a missing value", ["recv", "--type"]],
    ["a bad socket type", ["recv", "--type", "pusher", "--bind", "tcp://127.0.0.1:*"]],
    ["no endpoint", ["recv", "--type", "pull"]],
    ["a bad endpoint", ["recv", "--type", "pull", "--bind", "tcp://127.0.0.1"]],
    ["an unknown transport", ["send", "--type", "push", "--connect", "foo://127.0.0.1:5", "x"]],
    ["a transport the socket type cannot use", ["send", "--type", "push", "--connect", "udp://127.0.0.1:5", "x"]],
    ["a bad count", ["recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*", "--count", "-3"]],
    ["an unknown socket option", ["recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*", "-o", "colour=red"]],
    ["a socket option of the wrong type", ["recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*", "-o", "linger=soon"]],
    ["a read-only socket option", ["recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*", "-o", "type=3"]],
    ["a bad format", ["recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*", "--format", "xml"]],
    ["a bad CURVE key", ["keygen", "--secret", "short"]],
    ["an unknown device", ["proxy", "hub", "--frontend", "tcp://127.0.0.1:*", "--backend", "tcp://127.0.0.1:*"]],
  ])("refuses %s: exit 2, one line with EINVAL", async (_what, args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wiremq( \w+)?: (EINVAL|EPROTONOSUPPORT|ENOCOMPATPROTO): /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 3 when nothing arrives within --timeout", async () => {
    const r = await runCli(["recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*", "--timeout", "200"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/EAGAIN/);
  });

  it("exits 1 when the address is in use", async () => {
    const taken = track(new Pull());
    await taken.bind("tcp://127.0.0.1:*");
    const r = await runCli(["recv", "--type", "pull", "--bind", taken.lastEndpoint!]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EADDRINUSE/);
  });

  it("exits 2 for a line of stdin that is not in the format", async () => {
    const pull = track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    const r = await runCli(["send", "--type", "push", "--connect", pull.lastEndpoint!, "--format", "hex"], "00ff\nnot hex\n");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/EINVAL: message 2/);
    expect(await pull.receive()).toEqual([Buffer.from([0, 255])]);
  });
});

describe("wiremq send and recv", () => {
  it("talk to each other: multi-part text lines from stdin, in order", async () => {
    const recv = cli(["recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*", "--count", "3"]);
    const endpoint = await recv.bound();
    const send = await runCli(["send", "--type", "push", "--connect", endpoint], "one\ntwo|parts\nthree||empty middle\n");
    expect(send.code).toBe(0);
    const got = await recv.exited();
    expect(got.code).toBe(0);
    expect(got.stdout).toBe("one\ntwo|parts\nthree||empty middle\n");
  });

  it("carry binary frames exactly as hex and as JSON", async () => {
    const recv = cli(["recv", "-T", "pull", "-b", "tcp://127.0.0.1:*", "-n", "2", "--format", "json"]);
    const endpoint = await recv.bound();
    expect((await runCli(["send", "-T", "push", "-c", endpoint, "--format", "hex", "--separator", " ", "00ff 68656c6c6f"])).code).toBe(0);
    expect((await runCli(["send", "-T", "push", "-c", endpoint, "--format", "json", '["a", {"hex": "0102"}]'])).code).toBe(0);
    const got = await recv.exited();
    expect(got.stdout.trim().split("\n").map((l) => JSON.parse(l))).toEqual([[{ hex: "00ff" }, "hello"], ["a", { hex: "0102" }]]);
  });

  it("pub waits for a subscriber, and sub gets only its topic", async () => {
    const pub = cli(["send", "--type", "pub", "--bind", "tcp://127.0.0.1:*"], "news|skipped\nweather|sunny\nweather|rain\n");
    const endpoint = await pub.bound();
    const sub = await runCli(["recv", "--type", "sub", "--connect", endpoint, "--subscribe", "weather", "--count", "2", "--timeout", "10000"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toBe("weather|sunny\nweather|rain\n");
    expect((await pub.exited()).code).toBe(0);
  });

  it("req and rep answer each other", async () => {
    const rep = cli(["recv", "--type", "rep", "--bind", "tcp://127.0.0.1:*", "--count", "2", "--reply", "ok|done"]);
    const endpoint = await rep.bound();
    const req = await runCli(["send", "--type", "req", "--connect", endpoint, "first", "second"]);
    expect(req).toMatchObject({ code: 0, stdout: "ok|done\nok|done\n" });
    expect((await rep.exited()).stdout).toBe("first\nsecond\n");
  });

  it("send talks to a zeromq PULL, and recv to a zeromq PUSH", async () => {
    const pull = track(new zmq.Pull());
    await pull.bind("tcp://127.0.0.1:*");
    expect((await runCli(["send", "--type", "push", "--connect", pull.lastEndpoint!, "to|libzmq"])).code).toBe(0);
    expect((await pull.receive()).map(String)).toEqual(["to", "libzmq"]);

    const recv = cli(["recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*", "--count", "1"]);
    const endpoint = await recv.bound();
    const push = track(new zmq.Push());
    push.connect(endpoint);
    await push.send(["from", "libzmq"]);
    expect((await recv.exited()).stdout).toBe("from|libzmq\n");
  });

  it("recv as REP answers a zeromq REQ; send as REQ asks a zeromq REP", async () => {
    const rep = cli(["recv", "--type", "rep", "--bind", "tcp://127.0.0.1:*", "--count", "1"]);
    const req = track(new zmq.Request());
    req.connect(await rep.bound());
    await req.send(["echo", "me"]);
    expect((await req.receive()).map(String)).toEqual(["echo", "me"]);

    const server = track(new zmq.Reply());
    await server.bind("tcp://127.0.0.1:*");
    void (async () => {
      const [body] = await server.receive();
      await server.send(`re:${body!.toString()}`);
    })();
    expect(await runCli(["send", "--type", "req", "--connect", server.lastEndpoint!, "hi"])).toMatchObject({ code: 0, stdout: "re:hi\n" });
  });

  it("stops on SIGTERM with exit 0", async () => {
    const recv = cli(["recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*"]);
    await recv.bound();
    expect((await recv.stop("SIGTERM")).code).toBe(0);
  });
});

describe("wiremq keygen", () => {
  it("prints a key pair that works as CURVE keys with libzmq", async () => {
    const server = await runCli(["keygen"]);
    const client = await runCli(["keygen", "--format", "json"]);
    expect(server.code).toBe(0);
    const [, serverPublic, serverSecret] = /^public (\S{40})\nsecret (\S{40})\n$/.exec(server.stdout)!;
    const clientKeys = JSON.parse(client.stdout) as { publicKey: string; secretKey: string };
    expect(curvePublicKey(serverSecret!)).toBe(serverPublic);
    expect((await runCli(["keygen", "--secret", clientKeys.secretKey, "--format", "json"])).stdout).toBe(client.stdout);

    const rep = track(new zmq.Reply({ curveServer: true, curveSecretKey: serverSecret!, curvePublicKey: serverPublic! }));
    await rep.bind("tcp://127.0.0.1:*");
    void (async () => {
      const [body] = await rep.receive();
      await rep.send(`secure ${body!.toString()}`);
    })();
    const req = await runCli([
      "send", "--type", "req", "--connect", rep.lastEndpoint!, "--timeout", "10000",
      "-o", `curveServerKey=${serverPublic}`, "-o", `curvePublicKey=${clientKeys.publicKey}`, "-o", `curveSecretKey=${clientKeys.secretKey}`,
      "hello",
    ]);
    expect(req).toMatchObject({ code: 0, stdout: "secure hello\n" });
  });

  it("a client with the wrong server key does not get through, and is told why (exit 4)", async () => {
    const server = await runCli(["keygen", "--format", "json"]);
    const other = await runCli(["keygen", "--format", "json"]);
    const keys = JSON.parse(server.stdout) as { publicKey: string; secretKey: string };
    const wrong = JSON.parse(other.stdout) as { publicKey: string; secretKey: string };
    const pull = track(new Pull({ curveServer: true, curveSecretKey: keys.secretKey, curvePublicKey: keys.publicKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const r = await runCli([
      "send", "--type", "push", "--connect", pull.lastEndpoint!, "--timeout", "20000",
      "-o", `curveServerKey=${wrong.publicKey}`, "-o", `curvePublicKey=${wrong.publicKey}`, "-o", `curveSecretKey=${wrong.secretKey}`, "x",
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/curveServerKey is most likely not that server's public key/);
  });
});

describe("wiremq monitor", () => {
  it("prints events until the one asked for", async () => {
    const router = track(new Router());
    await router.bind("tcp://127.0.0.1:*");
    const r = await runCli(["monitor", "--connect", router.lastEndpoint!, "--until", "handshake", "--timeout", "5000"]);
    expect(r.code).toBe(0);
    const types = r.stdout.trim().split("\n").map((l) => l.split(" ")[1]);
    expect(types).toContain("connect");
    expect(types.at(-1)).toBe("handshake");
  });

  it("exits 3 when the event does not come, after showing the retries, as JSON", async () => {
    const gone = new Push();
    await gone.bind("tcp://127.0.0.1:*");
    const address = gone.lastEndpoint!;
    await gone.close();
    const r = await runCli(["monitor", "--connect", address, "--until", "handshake", "--timeout", "400", "--json", "-o", "reconnectInterval=50"]);
    expect(r.code).toBe(3);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string });
    expect(events.some((e) => e.type === "connect:retry")).toBe(true);
  });
});


