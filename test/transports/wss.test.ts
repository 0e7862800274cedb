/**
 * wss:// (ZWS over TLS) between wiremq sockets, with certificates made here by the openssl
 * command: the socket's `tls` option, SNI, CURVE inside TLS, a wrong CA refused with a clear
 * event, a bind without a certificate refused, and secrets that never print.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import * as wq from "../../lib/index.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { tracker, waitEvent } from "../helpers/sockets.js";

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
}

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
  const read = (f: string): string => readFileSync(join(dir, f), "utf8");
  return { ca: read("ca.pem"), otherCa: read("other-ca.pem"), cert: read("server.pem"), key: read("server.key") };
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
