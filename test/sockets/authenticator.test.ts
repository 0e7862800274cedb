/**
 * createAuthenticator: IPv4 peers of a dual-stack socket (ZAP address `::ffff:a.b.c.d`, as
 * libzmq gives it) meet the allow and deny lists as `a.b.c.d`; passwords still decide PLAIN.
 */
import { describe, expect, it } from "vitest";
import { createAuthenticator } from "../../lib/sockets/authenticator.js";
import type { AuthenticateRequest } from "../../lib/sockets/zap-registry.js";

const request = (address: string, extra: Partial<AuthenticateRequest> = {}): AuthenticateRequest => ({
  mechanism: "NULL", domain: "", address, routingId: Buffer.alloc(0), ...extra,
});

describe("createAuthenticator", () => {
  it("denies an IPv4-mapped address on its deny list", () => {
    const auth = createAuthenticator({ deny: ["127.0.0.1"] });
    expect(auth(request("::ffff:127.0.0.1"))).toMatchObject({ status: 400 });
    expect(auth(request("127.0.0.1"))).toMatchObject({ status: 400 });
    expect(auth(request("127.0.0.2"))).toMatchObject({ status: 200 });
  });

  it("allows an IPv4-mapped address on its allow list, and refuses others", () => {
    const auth = createAuthenticator({ allow: ["10.0.0.1"] });
    expect(auth(request("::FFFF:10.0.0.1"))).toMatchObject({ status: 200 });
    expect(auth(request("::ffff:10.0.0.2"))).toMatchObject({ status: 400 });
  });

  it("lets in a PLAIN peer only with its own password", () => {
    const auth = createAuthenticator({ passwords: { alice: "secret" } });
    const plain = (username: string, password: string): AuthenticateRequest => request("127.0.0.1", { mechanism: "PLAIN", username, password });
    expect(auth(plain("alice", "secret"))).toMatchObject({ status: 200, userId: "alice" });
    expect(auth(plain("alice", "secreT"))).toMatchObject({ status: 400 });
    expect(auth(plain("alice", "secret\0"))).toMatchObject({ status: 400 });
    expect(auth(plain("bob", ""))).toMatchObject({ status: 400 });
  });
});
