/**
 * Importing the package must not load libsodium (about 1 MB of JavaScript and inline wasm, most
 * of what importing it used to cost): it loads on the first CURVE use, from the CommonJS build
 * as from the ESM entry. Likewise the `ws` package (with node:http), which only ws:// and wss://
 * need: it loads on the first ws bind or connect. Checked in child processes of a scratch project whose
 * node_modules/wiremq is this repository (so the test needs `npm run build` first).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "wiremq-lazy-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(root, join(project, "node_modules", "wiremq"), "dir");
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

function run(file: string, source: string): string {
  writeFileSync(join(project, file), source);
  const r = spawnSync(process.execPath, [file], { cwd: project, encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${file} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return r.stdout.trim();
}

// Prints whether libsodium is loaded after importing every entry, then after one CURVE
// message over tcp; `req` is a require function sharing the CommonJS module cache.
const program = (zmq: string, req: string): string => `
  const sodiumLoaded = () => Object.keys(${req}.cache).some((f) => /[\\\\/](libsodium(-wrappers)?|sodium-native)[\\\\/]/.test(f));
  // The chunk of the build that holds PLAIN and CURVE (lib/mechanisms/secure.ts).
  const mechanismsLoaded = () => Object.keys(${req}.cache).some((f) => /[\\\\/]chunks[\\\\/]secure-\\w+\\.js$/.test(f));
  console.log(sodiumLoaded(), mechanismsLoaded());
  const server = ${zmq}.curveKeyPair(), client = ${zmq}.curveKeyPair();
  const pull = new ${zmq}.Pull({ curveServer: true, curveSecretKey: server.secretKey });
  await pull.bind("tcp://127.0.0.1:*");
  const push = new ${zmq}.Push({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey });
  push.connect(pull.lastEndpoint);
  await push.send("curve");
  const [m] = await pull.receive();
  push.close(); pull.close();
  console.log(String(m), sodiumLoaded(), mechanismsLoaded());
`;

describe("libsodium loads on first CURVE use, not at import", () => {
  it("require('wiremq') and every other entry", () => {
    const out = run(
      "lazy.cjs",
      `const zmq = require("wiremq");
       for (const e of ["draft", "v5-compat", "security", "devices", "broker", "errors", "patterns"]) require("wiremq/" + e);
       (async () => {${program("zmq", "require")}})();`,
    );
    expect(out.split("\n")).toEqual(["false false", "curve true true"]);
  });

  it("import 'wiremq'", () => {
    const out = run(
      "lazy.mjs",
      `import * as zmq from "wiremq";
       import "wiremq/security";
       import { createRequire } from "node:module";
       const req = createRequire(import.meta.url);
       ${program("zmq", "req")}`,
    );
    expect(out.split("\n")).toEqual(["false false", "curve true true"]);
  });
});

// As above for `ws`: after every entry is loaded, then after one message over ws://.
const wsProgram = (zmq: string, req: string): string => `
  const wsLoaded = () => Object.keys(${req}.cache).some((f) => /[\\\\/]node_modules[\\\\/]ws[\\\\/]/.test(f));
  // The chunk of the build that holds the ZWS engine (lib/sockets/zws-host.ts).
  const engineLoaded = () => Object.keys(${req}.cache).some((f) => /[\\\\/]chunks[\\\\/]zws-host-\\w+\\.js$/.test(f));
  console.log(wsLoaded(), engineLoaded());
  const pull = new ${zmq}.Pull();
  await pull.bind("ws://127.0.0.1:*/q");
  const push = new ${zmq}.Push();
  push.connect(pull.lastEndpoint);
  await push.send("over ws");
  const [m] = await pull.receive();
  push.close(); pull.close();
  console.log(String(m), wsLoaded(), engineLoaded());
`;

describe("the ws package loads on first ws:// use, not at import", () => {
  it("require('wiremq') and every other entry", () => {
    const out = run(
      "lazy-ws.cjs",
      `const zmq = require("wiremq");
       for (const e of ["draft", "v5-compat", "security", "devices", "broker", "errors", "patterns"]) require("wiremq/" + e);
       (async () => {${wsProgram("zmq", "require")}})();`,
    );
    expect(out.split("\n")).toEqual(["false false", "over ws true true"]);
  });

  it("import 'wiremq'", () => {
    const out = run(
      "lazy-ws.mjs",
      `import * as zmq from "wiremq";
       import { createRequire } from "node:module";
       const req = createRequire(import.meta.url);
       ${wsProgram("zmq", "req")}`,
    );
    expect(out.split("\n")).toEqual(["false false", "over ws true true"]);
  });
});
