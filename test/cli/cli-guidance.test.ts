/**
 * The command line finishes what it starts and says why when it cannot: handshake failures
 * with their reason and exit 4, argument mistakes named (with "did you mean"), keygen's
 * ready-made CURVE option sets, and the broker's put/consume. Each case runs the built CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { curveKeyPair, Pull, Push } from "../../lib/index.js";
import { setZapHandler } from "../../lib/security.js";
import { cliTracker, runCli } from "../helpers/cli.js";

zmq.context.blocky = false;
const { cli, track } = cliTracker();

describe("handshake failures end the command with their reason (exit 4)", () => {
  it("a wrong CURVE server key", async () => {
    const server = curveKeyPair();
    const other = curveKeyPair();
    const client = curveKeyPair();
    const pull = track(new zmq.Pull({ curveServer: true, curveSecretKey: server.secretKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const r = await runCli([
      "send", "-T", "push", "-c", pull.lastEndpoint!, "--timeout", "20000",
      "-o", `curveServerKey=${other.publicKey}`, "-o", `curvePublicKey=${client.publicKey}`, "-o", `curveSecretKey=${client.secretKey}`, "x",
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`handshake with ${pull.lastEndpoint!} failed`);
    expect(r.stderr).toMatch(/curveServerKey is most likely not that server's public key/);
    expect(r.stderr).not.toMatch(/timed out/);
  });

  it("a security mechanism mismatch, as wiremq reports it", async () => {
    const server = curveKeyPair();
    const pull = track(new Pull({ curveServer: true, curveSecretKey: server.secretKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const r = await runCli(["send", "-T", "push", "-c", pull.lastEndpoint!, "x"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/ERR_ZMTP_MECHANISM_MISMATCH: .*security mechanism mismatch: this side uses null/);
  });

  it("a security mechanism mismatch with libzmq, which hangs up without a word", async () => {
    const server = curveKeyPair();
    const pull = track(new zmq.Pull({ curveServer: true, curveSecretKey: server.secretKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const r = await runCli(["send", "-T", "push", "-c", pull.lastEndpoint!, "x"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/the peer closed the connection during the handshake: it most likely uses another security mechanism \(this side uses null\)/);
  });

  it("credentials refused by the server's ZAP handler, for recv as well", async () => {
    setZapHandler(() => ({ status: 400, statusText: "no entry" }));
    try {
      const push = track(new Pull({ plainServer: true }));
      await push.bind("tcp://127.0.0.1:*");
      const r = await runCli(["recv", "-T", "pull", "-c", push.lastEndpoint!, "-o", "plainUsername=u", "-o", "plainPassword=p"]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/EAUTH: handshake with \S+ failed: authentication refused \(ZAP status 400/);
    } finally {
      setZapHandler(null);
    }
  });

  it("a server keeps serving when a stranger fails its handshake, and logs it", async () => {
    const server = curveKeyPair();
    const client = curveKeyPair();
    const recv = cli(["recv", "-T", "pull", "-b", "tcp://127.0.0.1:*", "-n", "1", "-o", "curveServer=true", "-o", `curveSecretKey=${server.secretKey}`]);
    const endpoint = await recv.bound();
    const stranger = track(new Push());
    stranger.connect(endpoint);
    await recv.waitFor(/handshake with a peer on \S+ failed: security mechanism mismatch/);
    const clientKeys = ["-o", `curveServerKey=${server.publicKey}`, "-o", `curvePublicKey=${client.publicKey}`, "-o", `curveSecretKey=${client.secretKey}`];
    expect((await runCli(["send", "-T", "push", "-c", endpoint, "--timeout", "20000", ...clientKeys, "hello"])).code).toBe(0);
    expect(await recv.exited()).toMatchObject({ code: 0, stdout: "hello\n" });
  });
});

describe("argument mistakes are named", () => {
  it.each([
    ["a misspelt command", ["sned"], /unknown command "sned"; did you mean send\?/],
    ["a misspelt option", ["recv", "--tpye", "pull"], /unknown option --tpye; did you mean --type\?/],
    ["a misspelt broker option", ["broker", "--memroy"], /unknown option --memroy; did you mean --memory\?/],
    ["a misspelt broker command", ["broker", "stat"], /unknown broker command "stat"; did you mean stats\?/],
    ["a tcp endpoint without a port", ["recv", "-T", "pull", "--bind", "tcp://127.0.0.1"], /bad endpoint "tcp:\/\/127\.0\.0\.1": a tcp endpoint needs a port/],
    ["a port out of range", ["recv", "-T", "pull", "--bind", "tcp://127.0.0.1:99999"], /the port must be a number from 0 to 65535/],
    ["a broker's bad --bind", ["broker", "--memory", "--bind", "tcp://127.0.0.1"], /bad endpoint "tcp:\/\/127\.0\.0\.1": a tcp endpoint needs a port/],
    ["a broker's unknown transport", ["broker", "--memory", "--bind", "nonsense://x"], /bad endpoint "nonsense:\/\/x": no transport is named "nonsense"/],
    ["a negative --segment-bytes", ["broker", "--memory", "--segment-bytes", "-5"], /--segment-bytes takes a whole number, not "-5"/],
    ["--data with --memory", ["broker", "--memory", "--data", "DIR"], /give --data DIR or --memory, not both/],
    ["relay --dir that does not exist", ["relay", "--bind", "tcp://127.0.0.1:0", "--dir", "/nonexistent/wiremq-test"], /--dir \/nonexistent\/wiremq-test: no such directory/],
  ])("%s: exit 2 and what is wrong", async (_what, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("relay --dir that is a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wiremq-relay-"));
    try {
      writeFileSync(join(dir, "f"), "");
      const r = await runCli(["relay", "--bind", "tcp://127.0.0.1:0", "--dir", join(dir, "f")]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not a directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("keygen", () => {
  it("help says a CURVE client needs its own pair", async () => {
    const r = await runCli(["keygen", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/client \(connects\): curveServerKey = the server's PUBLIC key/);
    expect(r.stdout).toMatch(/OWN pair/);
  });

  it("--setup prints option sets with which a server and a client talk", async () => {
    const text = await runCli(["keygen", "--setup"]);
    expect(text.code).toBe(0);
    const [serverFlags, clientFlags] = text.stdout.split("\n").filter((l) => l.startsWith("-o"));
    const flags = (line: string): string[] => [...line.matchAll(/-o '([^']+)'/g)].flatMap((m) => ["-o", m[1]!]);
    const recv = cli(["recv", "-T", "pull", "-b", "tcp://127.0.0.1:*", "-n", "1", ...flags(serverFlags!)]);
    const endpoint = await recv.bound();
    expect((await runCli(["send", "-T", "push", "-c", endpoint, "--timeout", "20000", ...flags(clientFlags!), "secret"])).code).toBe(0);
    expect((await recv.exited()).stdout).toBe("secret\n");

    const json = JSON.parse((await runCli(["keygen", "--setup", "--format", "json"])).stdout) as { server: zmq.SocketOptions<zmq.Pull>; client: zmq.SocketOptions<zmq.Push> };
    const pull = track(new zmq.Pull(json.server));
    await pull.bind("tcp://127.0.0.1:*");
    const push = track(new zmq.Push(json.client));
    push.connect(pull.lastEndpoint!);
    await push.send("to libzmq");
    expect((await pull.receive()).map(String)).toEqual(["to libzmq"]);
  });
});

describe("broker put and consume", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("put stores lines; consume without --ack leaves them, with --ack takes them", async () => {
    const broker = cli(["broker", "--memory", "--bind", "tcp://127.0.0.1:0"]);
    const [endpoint] = await broker.waitFor(/tcp:\/\/127\.0\.0\.1:\d+/, "stdout");
    const put = await runCli(["broker", "put", "jobs", "--connect", endpoint!], "one\ntwo\nthree\n");
    expect(put).toMatchObject({ code: 0 });
    expect(put.stderr).toContain("stored 3 message(s) in jobs");
    expect((await runCli(["broker", "put", "jobs", "-c", endpoint!, "-f", "hex", "00ff"])).code).toBe(0);

    const look = await runCli(["broker", "consume", "jobs", "-c", endpoint!, "--count", "2"]);
    expect(look).toMatchObject({ code: 0, stdout: "one\ntwo\n" });
    const take = await runCli(["broker", "consume", "jobs", "-c", endpoint!, "--ack", "--count", "4", "-f", "json"]);
    expect(take.code).toBe(0);
    expect(take.stdout.trim().split("\n").map((l) => JSON.parse(l))).toEqual([["one"], ["two"], ["three"], [{ hex: "00ff" }]]);
    const empty = await runCli(["broker", "consume", "jobs", "-c", endpoint!, "--timeout", "300"]);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/EAGAIN: timed out after 300 ms waiting for a message/);
  });

  it("put without a reachable broker times out with exit 3", async () => {
    const r = await runCli(["broker", "put", "jobs", "--connect", "tcp://127.0.0.1:1", "--timeout", "300", "x"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/EAGAIN/);
  });
});
