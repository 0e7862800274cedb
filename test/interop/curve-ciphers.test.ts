/**
 * CURVE with libzmq through each cipher path, in child processes that load the package's
 * CommonJS build as users do (so `npm run build` first): with the sodium-native accelerator,
 * with the wasm build forced by WIREMQ_CURVE_CIPHER=wasm, and with sodium-native failing to
 * resolve at all — which must fall back to wasm without a word on stderr.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
let dir: string;

// wiremq and libzmq exchange a 16-byte and a 70,000-byte frame each way (wiremq as the CURVE
// server, then as the client), then print which cipher carried wiremq's traffic.
const program = `
const wq = require(${JSON.stringify(join(root, "dist/cjs/lib/index.js"))});
// The package is bundled, so its cipher module is not reachable by path: the binding is in the
// module cache only when it loaded (and sodium-native.ts then uses it, once its self-test passed).
const trafficCipher = () => (Object.keys(require.cache).some((f) => /[\\\\/]sodium-native[\\\\/]/.test(f)) ? "sodium-native" : "wasm");
const zmq = require(require.resolve("zeromq", { paths: [${JSON.stringify(root)}] }));
zmq.context.blocky = false;
const big = Buffer.alloc(70000);
for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
async function exchange(serverLib, clientLib) {
  const server = serverLib.curveKeyPair(), client = clientLib.curveKeyPair();
  const pull = new serverLib.Pull({ curveServer: true, curveSecretKey: server.secretKey });
  await pull.bind("tcp://127.0.0.1:*");
  const push = new clientLib.Push({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey });
  push.connect(pull.lastEndpoint);
  await push.send(["sixteen byte msg", big]);
  const [a, b] = await pull.receive();
  push.close(); pull.close();
  return String(a) === "sixteen byte msg" && b.equals(big);
}
(async () => {
  const asServer = await exchange(wq, zmq);
  const asClient = await exchange(zmq, wq);
  console.log(JSON.stringify({ cipher: trafficCipher(), asServer, asClient }));
})();
`;

// Preloaded with -r: sodium-native cannot be resolved, as where it is not installed.
const blockSodiumNative = `
const Module = require("node:module");
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === "sodium-native") throw Object.assign(new Error("Cannot find module 'sodium-native'"), { code: "MODULE_NOT_FOUND" });
  return resolveFilename.call(this, request, ...rest);
};
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wiremq-ciphers-"));
  writeFileSync(join(dir, "exchange.cjs"), program);
  writeFileSync(join(dir, "block.cjs"), blockSodiumNative);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(nodeArgs: string[], env: Record<string, string>): { out: unknown; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeArgs, join(dir, "exchange.cjs")], { encoding: "utf8", timeout: 30_000, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`child exited ${r.status ?? r.signal}: ${r.stderr}`);
  return { out: JSON.parse(r.stdout.trim()), stderr: r.stderr };
}

describe("CURVE with libzmq through each cipher", () => {
  it("sodium-native when it is installed", () => {
    expect(run([], {}).out).toEqual({ cipher: "sodium-native", asServer: true, asClient: true });
  });

  it("the wasm build when WIREMQ_CURVE_CIPHER=wasm", () => {
    expect(run([], { WIREMQ_CURVE_CIPHER: "wasm" }).out).toEqual({ cipher: "wasm", asServer: true, asClient: true });
  });

  it("the wasm build, silently, when sodium-native cannot be resolved", () => {
    const { out, stderr } = run(["-r", join(dir, "block.cjs")], {});
    expect(out).toEqual({ cipher: "wasm", asServer: true, asClient: true });
    expect(stderr).toBe("");
  });
});
