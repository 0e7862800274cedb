/**
 * wss:// (ZWS over TLS) between wiremq sockets, with certificates made here by the openssl
 * command: the socket's `tls` option, SNI, CURVE inside TLS, a wrong CA refused with a clear
 * event, mutual TLS (a server requiring client certificates; a refused client gives an event
 * on both sides and redials), a bind without a certificate refused, and secrets that never
 * print.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import * as wq from "../../lib/index.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { recordEvents, tracker, waitEvent } from "../helpers/sockets.js";

function openssl(): string | undefined {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "the openssl command (apt install openssl)";
  }
}

const { track, closeAll } = tracker();
afterEach(closeAll);

interface Pki {
  ca: string;
  otherCa: string;
  cert: string;
  key: string;
  /** A client certificate ca signed, its key encrypted with PASSPHRASE. */
  clientCert: string;
  clientKey: string;
  /** A client certificate other-ca signed, and its (unencrypted) key. */
  rogueCert: string;
  rogueKey: string;
}

const PASSPHRASE = "correct horse battery staple";

/** A CA, a server certificate it signs (localhost and 127.0.0.1), and an unrelated CA. */
function makePki(dir: string): Pki {
  const run = (...args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  };
  const ca = (name: string): void => {
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=${name}`);
  };
  ca("ca");
  ca("other-ca");
  run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  const ext = join(dir, "san.ext");
  execFileSync("sh", ["-c", `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ${JSON.stringify(ext)}`]);
  run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", ext);
  const client = (name: string, signer: string, keyArgs: string[]): void => {
    run("req", "-newkey", "rsa:2048", ...keyArgs, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
    run("x509", "-req", "-in", `${name}.csr`, "-CA", `${signer}.pem`, "-CAkey", `${signer}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "2");
  };
  client("client", "ca", ["-passout", `pass:${PASSPHRASE}`]);
  client("rogue", "other-ca", ["-nodes"]);
  const read = (f: string): string => readFileSync(join(dir, f), "utf8");
  return {
    ca: read("ca.pem"),
    otherCa: read("other-ca.pem"),
    cert: read("server.pem"),
    key: read("server.key"),
    clientCert: read("client.pem"),
    clientKey: read("client.key"),
    rogueCert: read("rogue.pem"),
    rogueKey: read("rogue.key"),
  };
}

describeNeeding(openssl(), "wss://", () => {
  let dir = "";
  let pki: Pki;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "wiremq-wss-"));
    pki = makePki(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function server<T extends wq.Socket>(s: T): Promise<T> {
    track(s);
    s.tls = { cert: pki.cert, key: Buffer.from(pki.key) };
    await s.bind("wss://127.0.0.1:*");
    return s;
  }

  it("REQ ↔ REP over wss, the server checked against the CA by name (SNI localhost)", async () => {
    const rep = await server(new wq.Reply());
    expect(rep.lastEndpoint).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
    const req = track(new wq.Request({ tls: { ca: pki.ca, servername: "localhost" } }));
    const h = waitEvent(req, "handshake");
    req.connect(rep.lastEndpoint!);
    await h;
    await req.send("over tls");
    const [q] = await rep.receive();
    await rep.send(`re:${q}`);
    expect(String((await req.receive())[0])).toBe("re:over tls");
  });

  it("CURVE inside TLS, and a multi-MiB message", async () => {
    const keys = wq.curveKeyPair();
    const pull = await server(new wq.Pull({ curveServer: true, curveSecretKey: keys.secretKey }));
    const mine = wq.curveKeyPair();
    const push = track(new wq.Push({ curveServerKey: keys.publicKey, curvePublicKey: mine.publicKey, curveSecretKey: mine.secretKey, tls: { ca: pki.ca } }));
    push.connect(pull.lastEndpoint!.replace("127.0.0.1", "localhost"));
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await push.send([big, "end"]);
    const [got, end] = await pull.receive();
    expect(got!.equals(big)).toBe(true);
    expect(String(end)).toBe("end");
  });

  it("a server whose certificate another CA signed is refused: handshake:error:other, EPROTO, the TLS reason as cause", async () => {
    const rep = await server(new wq.Reply());
    const req = track(new wq.Request({ tls: { ca: pki.otherCa, servername: "localhost" }, reconnectInterval: 10_000 }));
    const failed = waitEvent(req, "handshake:error:other");
    req.connect(rep.lastEndpoint!);
    const { error } = await failed;
    expect(error?.code).toBe("EPROTO");
    expect((error as { cause?: { code?: string } }).cause?.code).toMatch(/CERT|SIGNATURE|VERIFY|SELF_SIGNED/);
  });

  it("a name the certificate does not carry is refused", async () => {
    const rep = await server(new wq.Reply());
    const req = track(new wq.Request({ tls: { ca: pki.ca, servername: "elsewhere.example" }, reconnectInterval: 10_000 }));
    const failed = waitEvent(req, "handshake:error:other");
    req.connect(rep.lastEndpoint!);
    expect(((await failed).error as { cause?: { code?: string } }).cause?.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
  });

  it("rejectUnauthorized false accepts any server certificate", async () => {
    const rep = await server(new wq.Reply());
    const req = track(new wq.Request({ tls: { rejectUnauthorized: false } }));
    req.connect(rep.lastEndpoint!);
    await req.send("trusting");
    expect(String((await rep.receive())[0])).toBe("trusting");
  });

  it("a wss bind without cert and key is refused with EINVAL, and the option is checked when set", async () => {
    const rep = track(new wq.Reply());
    await expect(rep.bind("wss://127.0.0.1:*")).rejects.toMatchObject({ code: "EINVAL" });
    expect(() => (rep.tls = { pfx: "x" } as never)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => (rep.tls = { rejectUnauthorized: "no" } as never)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => (rep.tls = "cert" as never)).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  /** A server that asks each client for a certificate that `ca` signed, and refuses one without. */
  async function mutualServer<T extends wq.Socket>(s: T): Promise<T> {
    track(s);
    s.tls = { cert: pki.cert, key: pki.key, ca: pki.ca, requestCert: true };
    await s.bind("wss://127.0.0.1:*");
    return s;
  }

  const FAILURES = ["handshake:error:other", "handshake:error:protocol", "handshake:error:auth"];

  /** Every secret of the PKI: none may appear in what the sockets report. */
  function expectNoSecrets(things: unknown[]): void {
    const shown = things.map((t) => inspect(t, { depth: 8, showHidden: true })).join("\n");
    for (const secret of ["PRIVATE KEY", PASSPHRASE, pki.key.slice(40, 100), pki.clientKey.slice(60, 120), pki.rogueKey.slice(40, 100)]) {
      expect(shown).not.toContain(secret);
    }
  }

  it("mutual TLS: a server requiring client certificates serves a client whose certificate its CA signed (key under a passphrase)", async () => {
    const rep = await mutualServer(new wq.Reply());
    const req = track(new wq.Request({ tls: { ca: pki.ca, servername: "localhost", cert: pki.clientCert, key: pki.clientKey, passphrase: PASSPHRASE } }));
    const both = recordEvents(req, FAILURES);
    const served = recordEvents(rep, FAILURES);
    req.connect(rep.lastEndpoint!);
    await req.send("with my certificate");
    const [q] = await rep.receive();
    await rep.send(`re:${q}`);
    expect(String((await req.receive())[0])).toBe("re:with my certificate");
    expect([...both.events, ...served.events]).toEqual([]);
  });

  // TLS 1.3: the client's certificate is checked after the client's side of the handshake is
  // done. Without one, OpenSSL alerts the client (certificate required); with one another CA
  // signed, Node closes the connection without an alert, so the client sees a reset.
  for (const [what, clientTls, serverReason, clientCode, clientReason] of [
    ["without a certificate", (p: Pki) => ({ ca: p.ca, servername: "localhost" }), /PEER_DID_NOT_RETURN_A_CERTIFICATE/, /^EPROTO$/, /CERTIFICATE_REQUIRED/],
    ["whose certificate another CA signed", (p: Pki) => ({ ca: p.ca, servername: "localhost", cert: p.rogueCert, key: p.rogueKey }), /refused: UNABLE_TO_VERIFY_LEAF_SIGNATURE/, /^(ECONNRESET|EPIPE)$/, null],
  ] as const) {
    it(`mutual TLS: a client ${what} is refused, with a handshake failure on both sides and the client redialling`, async () => {
      const rep = await mutualServer(new wq.Reply());
      const serverSide = recordEvents(rep, ["accept", ...FAILURES, "handshake"]);
      const refusedHere = waitEvent(rep, "handshake:error:other");
      const req = track(new wq.Request({ tls: clientTls(pki), reconnectInterval: 20 }));
      const clientSide = recordEvents(req, ["connect", ...FAILURES, "handshake", "disconnect", "connect:retry"]);
      // Twice: the dialer keeps redialling after a TLS refusal, as tcp after a failed handshake.
      const refusedThere = waitEvent(req, "handshake:error:other", 2);
      req.connect(rep.lastEndpoint!);
      const [served, dialed] = await Promise.all([refusedHere, refusedThere]);
      const cause = (e: unknown): { code?: string; message?: string } => (e as { cause?: { code?: string; message?: string } }).cause ?? {};
      expect(served.error?.code).toBe("EPROTO");
      expect(`${cause(served.error).code} ${cause(served.error).message}`).toMatch(serverReason);
      expect(dialed.error?.code).toMatch(clientCode);
      if (clientReason !== null) expect(cause(dialed.error).code).toMatch(clientReason);
      const types = clientSide.events.map((e) => e.type);
      expect(types.slice(0, 4)).toEqual(["connect", "handshake:error:other", "disconnect", "connect:retry"]);
      expect(types).not.toContain("handshake");
      expect(serverSide.events.map((e) => e.type).slice(0, 2)).toEqual(["accept", "handshake:error:other"]);
      expect(serverSide.events.map((e) => e.type)).not.toContain("handshake");
      expectNoSecrets([...clientSide.events, ...serverSide.events, req, rep]);
    });
  }

  it("a key its passphrase does not open is EINVAL at connect() and at bind(), and the error shows neither", async () => {
    const req = track(new wq.Request({ tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, passphrase: "wrong horse" } }));
    let thrown: unknown;
    try {
      req.connect("wss://127.0.0.1:9/");
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: "EINVAL" });
    const rep = track(new wq.Reply({ tls: { cert: pki.clientCert, key: pki.clientKey, passphrase: "wrong horse" } }));
    const refused = await rep.bind("wss://127.0.0.1:*").catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: "EINVAL" });
    expectNoSecrets([thrown, refused]);
    expect(inspect([thrown, refused], { depth: 8 })).not.toContain("wrong horse");
  });

  it("the key and passphrase never print: inspect, JSON and the socket itself", () => {
    const s = track(new wq.Reply({ tls: { cert: pki.cert, key: pki.key, passphrase: "hunter2" } }));
    const tls = s.tls!;
    expect(tls.key).toBe(pki.key);
    const shown = [inspect(tls), JSON.stringify(tls), String(tls), inspect(s), JSON.stringify({ tls })].join("\n");
    expect(shown).not.toContain("PRIVATE KEY");
    expect(shown).not.toContain("hunter2");
    expect(shown).toContain("[hidden]");
  });
});
