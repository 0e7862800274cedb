/**
 * The built package as its users load it: through package.json "exports", from CommonJS and
 * from ESM, every subpath, in child processes of a scratch project whose node_modules/wiremq
 * is this repository (so the test needs `npm run build` first, as `npm test` and CI do).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, unknown> };
const subpaths = Object.keys(pkg.exports).filter((s) => s !== "./package.json");
/** The subpaths Node loads (wiremq/browser is an ES module bundle for pages alone). */
const nodeSubpaths = subpaths.filter((s) => (pkg.exports[s] as { require?: string }).require !== undefined);
const specifier = (subpath: string): string => (subpath === "." ? "wiremq" : `wiremq/${subpath.slice(2)}`);

let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "wiremq-package-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(root, join(project, "node_modules", "wiremq"), "dir");
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

/** Runs a program in the scratch project; it must exit by itself within the timeout. */
function run(file: string, source: string): string {
  writeFileSync(join(project, file), source);
  const r = spawnSync(process.execPath, [file], { cwd: project, encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${file} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return r.stdout.trim();
}

// Sends a CURVE-secured message over tcp and one over inproc, then closes: the process must
// then exit by itself. The CURVE handshake starts before libsodium has loaded.
const roundTrip = (zmq: string): string => `
  const server = ${zmq}.curveKeyPair(), client = ${zmq}.curveKeyPair();
  const pull = new ${zmq}.Pull({ curveServer: true, curveSecretKey: server.secretKey });
  await pull.bind("tcp://127.0.0.1:*");
  const push = new ${zmq}.Push({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey });
  push.connect(pull.lastEndpoint);
  await push.send(["curve", "tcp"]);
  const a = await pull.receive();
  const inPull = new ${zmq}.Pull();
  await inPull.bind("inproc://package-test");
  const inPush = new ${zmq}.Push();
  inPush.connect("inproc://package-test");
  await inPush.send("inproc");
  const b = await inPull.receive();
  for (const s of [push, pull, inPush, inPull]) s.close();
  console.log([...a, ...b].map(String).join(" "));
`;

describe("the package, as installed", () => {
  it("require('wiremq') works end to end and the process exits", () => {
    expect(run("main.cjs", `const zmq = require("wiremq");\n(async () => {${roundTrip("zmq")}})();`)).toBe("curve tcp inproc");
  });

  it("import works end to end, named and default, and shares one library with require", () => {
    const out = run(
      "main.mjs",
      `import zmq, { Push } from "wiremq";
       import { createRequire } from "node:module";
       const required = createRequire(import.meta.url)("wiremq");
       import * as draft from "wiremq/draft";
       console.log(zmq.Push === Push, required.Push === Push, required.context === zmq.context, typeof draft.Server);
       ${roundTrip("zmq")}`,
    );
    expect(out.split("\n")).toEqual(["true true true function", "curve tcp inproc"]);
  });

  it("every subpath gives the same names to require and import", () => {
    for (const subpath of nodeSubpaths) {
      const spec = JSON.stringify(specifier(subpath));
      const viaRequire = run("names.cjs", `console.log(JSON.stringify(Object.keys(require(${spec})).filter((k) => k !== "__esModule" && k !== "default").sort()))`);
      const viaImport = run("names.mjs", `const m = await import(${spec}); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== "default").sort()))`);
      const names = JSON.parse(viaRequire) as string[];
      expect(names.length, subpath).toBeGreaterThan(0);
      expect(JSON.parse(viaImport), subpath).toEqual(names);
    }
  });

  // No ES module wrapper between `import` and the library: it cost about a fifth of
  // `import "wiremq"` (issue 20), Node's ESM loader reading it through node:fs/promises.
  it("every subpath's import resolves to the very file require loads", () => {
    const specs = JSON.stringify(nodeSubpaths.map(specifier));
    const out = run(
      "resolve.mjs",
      `import { createRequire } from "node:module";
       import { pathToFileURL } from "node:url";
       const require = createRequire(import.meta.url);
       console.log(JSON.stringify(${specs}.filter((s) => import.meta.resolve(s) !== pathToFileURL(require.resolve(s)).href)));`,
    );
    expect(JSON.parse(out)).toEqual([]);
  });

  // The main entry's modules are one chunk (scripts/build-package.mjs): spread over 17 files,
  // calling each other across them, they cost a third more of `import "wiremq"` (issue 20).
  it("import 'wiremq' loads three files of the package: its entry, the main chunk and the errors' chunk", () => {
    const out = run(
      "files.mjs",
      `import "wiremq";
       import { createRequire } from "node:module";
       console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`,
    );
    const files = (JSON.parse(out) as string[]).map((f) => f.split(/[\\/]dist[\\/]cjs[\\/]/)[1]);
    expect(files, out).toHaveLength(3);
    expect(files[0]).toBe("lib/index.js");
  });

  // One character outside ASCII, in a comment, made Node read the whole main chunk as a
  // two-byte string transcoded from UTF-8.
  it("the CommonJS build is ASCII", () => {
    const files = readdirSync(join(root, "dist/cjs"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
    expect(files.length).toBeGreaterThan(10);
    const outside = files.filter((f) => /[^\x00-\x7f]/.test(readFileSync(join(root, "dist/cjs", f), "utf8")));
    expect(outside).toEqual([]);
  });

  // The entries are bundles sharing chunks: one class, one default context and one error family
  // whichever subpath a value came through, and whether it was required or imported.
  const shared = (zmq: string, draft: string, errors: string): string => `
    const server = new ${draft}.Server();
    let thrown;
    try { new ${zmq}.Push({ sendHighWaterMark: -2 }); } catch (err) { thrown = err; }
    console.log(server instanceof ${zmq}.Socket, server.context === ${zmq}.context, thrown instanceof ${errors}.WiremqError, typeof thrown.code);
    server.close();
  `;

  it("a class, the default context and an error reached through different subpaths are one (require)", () => {
    const out = run("shared.cjs", `const zmq = require("wiremq"), draft = require("wiremq/draft"), errors = require("wiremq/errors");
${shared("zmq", "draft", "errors")}`);
    expect(out).toBe("true true true string");
  });

  it("a class, the default context and an error reached through different subpaths are one (import, and import beside require)", () => {
    const out = run(
      "shared.mjs",
      `import * as zmq from "wiremq";
       import * as draft from "wiremq/draft";
       import { createRequire } from "node:module";
       const errors = createRequire(import.meta.url)("wiremq/errors");
       ${shared("zmq", "draft", "errors")}`,
    );
    expect(out).toBe("true true true string");
  });

  it("every exported class and function keeps the name it has in the source (tsc's build, dist/lib)", async () => {
    const requireBuilt = createRequire(import.meta.url);
    for (const subpath of nodeSubpaths) {
      const cjs = (pkg.exports[subpath] as { require: string }).require;
      const bundled = requireBuilt(join(root, cjs)) as Record<string, unknown>;
      const fromTsc = (await import(join(root, cjs.replace("./dist/cjs/", "dist/"))) ) as Record<string, unknown>;
      const names = (m: Record<string, unknown>): Record<string, string> =>
        Object.fromEntries(Object.entries(m).flatMap(([k, v]) => (typeof v === "function" ? [[k, v.name]] : [])));
      expect(names(bundled), subpath).toEqual(names(fromTsc));
    }
  });

  // A closure made per connection (the engine's class-field callbacks, the host's hooks) once
  // got an own name through defineProperty, which costs it a property dictionary.
  it("the build's name helper names classes but leaves anonymous arrow functions as they are", () => {
    const requireBuilt = createRequire(import.meta.url);
    const chunks = join(root, "dist/cjs/chunks");
    const file = readdirSync(chunks).find((f) => readFileSync(join(chunks, f), "utf8").includes("var __name = "));
    expect(file).toBeDefined();
    const { __name } = requireBuilt(join(chunks, file!)) as { __name: <T>(target: T, value: string) => T };
    expect(__name(class {}, "Named").name).toBe("Named");
    expect(__name(function named() {}, "renamed").name).toBe("renamed");
    const made = [(): void => {}][0]!;
    expect(made.name).toBe("");
    expect(__name(made, "callback").name).toBe("");
  });

  // esbuild's module object is a copy whose getters all read `from[key]`: one megamorphic load
  // on every call from one chunk into another (the tcp engine's per frame and per message).
  it("a chunk's module object is its own export object: each name's getter reads that name's binding", () => {
    const requireBuilt = createRequire(import.meta.url);
    const chunks = join(root, "dist/cjs/chunks");
    let getters = 0;
    for (const file of readdirSync(chunks)) {
      const exported = requireBuilt(join(chunks, file)) as object;
      for (const [name, desc] of Object.entries(Object.getOwnPropertyDescriptors(exported))) {
        if (name === "__esModule") continue;
        expect(desc.get, `${file} ${name}`).toBeTypeOf("function");
        expect(desc.get!.toString(), `${file} ${name}`).not.toContain("[key]");
        getters++;
      }
    }
    expect(getters).toBeGreaterThan(10);
  });

  it("type-checks a TypeScript program that imports it as ESM and one that requires it", () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] }, files: ["esm.mts", "cjs.cts"] }),
    );
    writeFileSync(
      join(project, "esm.mts"),
      `import zmq, { Pull, Push, type Message, type SocketOptions } from "wiremq";
       import { setZapHandler } from "wiremq/security";
       const options: SocketOptions<Pull> = { receiveHighWaterMark: 10 };
       const pull: Pull = new zmq.Pull(options);
       const received: Promise<Message[]> = pull.receive();
       // @ts-expect-error a PUSH cannot receive
       new Push().receive();
       void received; void setZapHandler;\n`,
    );
    writeFileSync(join(project, "cjs.cts"), `import zmq = require("wiremq");\nconst push: zmq.Push = new zmq.Push();\nvoid push.send("x");\n`);
    writeFileSync(join(project, "node_modules", ".keep"), "");
    mkdirSync(join(project, "node_modules", "@types"), { recursive: true });
    symlinkSync(join(root, "node_modules", "@types", "node"), join(project, "node_modules", "@types", "node"), "dir");
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", project], { cwd: project, encoding: "utf8", timeout: 120_000 });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 150_000);

  it("packs both formats and their types, and no tests", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    for (const target of Object.values(pkg.exports)) {
      if (typeof target !== "object" || target === null) continue;
      for (const path of Object.values(target as Record<string, string>)) expect(files).toContain(path.slice(2));
    }
    expect(files.filter((f) => /(^|\/)test\/|\.test\.|\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
  });
});
