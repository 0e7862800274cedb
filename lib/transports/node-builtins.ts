import { createRequire } from "node:module";
import type * as Crypto from "node:crypto";
import type * as Dgram from "node:dgram";
import type * as Diagnostics from "node:diagnostics_channel";
import type * as Dns from "node:dns";
import type * as Net from "node:net";
import type * as Os from "node:os";
import { nodeBuiltin } from "../util/builtin.js";

/**
 * Node's built-in modules the tcp, ipc and udp transports use, each loaded on its first use
 * rather than when the package is imported: node:net with its streams, node:crypto and the rest
 * cost about a third of `import "wiremq"` (issue 20), and a program that only uses inproc, or
 * only loads the package, never needs them. Whatever needs them is a bind or connect, which
 * asks for them synchronously here, so every error is still thrown at the same point.
 */

type Builtins = {
  "node:crypto": typeof Crypto;
  "node:dgram": typeof Dgram;
  "node:diagnostics_channel": typeof Diagnostics;
  "node:dns": typeof Dns;
  "node:net": typeof Net;
  "node:os": typeof Os;
};

const loaded = new Map<keyof Builtins, unknown>();

function builtin<K extends keyof Builtins>(id: K): Builtins[K] {
  let mod = loaded.get(id) as Builtins[K] | undefined;
  if (mod === undefined) {
    // nodeBuiltin needs Node ≥ 20.16; before it, a require from any absolute path resolves a
    // `node:` id the same way.
    mod = nodeBuiltin<Builtins[K]>(id) ?? (createRequire(process.execPath)(id) as Builtins[K]);
    loaded.set(id, mod);
  }
  return mod;
}

export const nodeCrypto = (): typeof Crypto => builtin("node:crypto");
export const nodeDgram = (): typeof Dgram => builtin("node:dgram");
export const nodeDiagnostics = (): typeof Diagnostics => builtin("node:diagnostics_channel");
export const nodeDns = (): typeof Dns => builtin("node:dns");
export const nodeNet = (): typeof Net => builtin("node:net");
export const nodeOs = (): typeof Os => builtin("node:os");
