/**
 * Fresh endpoints for tests: every call gives an address no other test uses, so files can
 * run in parallel and in any order.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

/** A fresh ipc endpoint in the temp dir. */
export function tmpIpc(): string {
  return `ipc://${join(tmpdir(), `wiremq-test-${randomBytes(6).toString("hex")}.ipc`)}`;
}

/** A fresh inproc endpoint; the prefix only helps reading a failure. */
export function tmpInproc(prefix = "t"): string {
  return `inproc://${prefix}-${randomBytes(6).toString("hex")}`;
}

export type TransportName = "tcp" | "ipc" | "inproc";

/** An endpoint to bind for a transport: tcp on an ephemeral loopback port. */
export function bindEndpoint(t: TransportName): string {
  if (t === "tcp") return "tcp://127.0.0.1:*";
  if (t === "ipc") return tmpIpc();
  return tmpInproc();
}

/** The transport table for `describe.each`: [name, fresh bind endpoint]. */
export const transports = [
  ["tcp", () => bindEndpoint("tcp")],
  ["ipc", () => bindEndpoint("ipc")],
  ["inproc", () => bindEndpoint("inproc")],
] as const;

/** The same table without inproc, for tests against another process or library. */
export const networkTransports = [transports[0], transports[1]] as const;
