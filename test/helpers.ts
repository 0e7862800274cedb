import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

/** A fresh ipc endpoint in the temp dir. */
export function tmpIpc(): string {
  return `ipc://${join(tmpdir(), `wiremq-test-${randomBytes(6).toString("hex")}.ipc`)}`;
}
