// Builds what the package publishes for Node, from one source:
//  - dist/cjs: the library as CommonJS, bundled by esbuild into one entry file per subpath of
//    package.json "exports" plus chunks they share (dist/cjs/chunks/), so every class and every
//    piece of module state (the default context, the inproc namespace) exists once whichever
//    subpaths a program loads. Beside them, tsc's declarations (tsconfig.cjs.json).
//  - no ES module files: each subpath's "import" is the same CommonJS file as its "require", so
//    `import` and `require` load one copy of the library. Node finds an entry's names for
//    `import { Push } from "wiremq"` in the list esbuild writes at the end of each CommonJS
//    file; the build checks that `import` sees every name `require` does. An ESM wrapper per
//    entry (how this was until issue 20) cost ~9 ms of the ~60 ms of `import "wiremq"`: Node's
//    ESM loader reads an .mjs file through node:fs/promises, which it loads for that alone.
// Bundled because loading ~100 small modules cost most of `require("wiremq")`: resolving,
// reading and compiling each file (82 ms of CPU against 44 ms bundled, one loaded 2-core run).
// esbuild splits chunks only for ES modules, so the chunk graph is built as ESM first and each
// file is then turned into CommonJS on its own (imports between chunks become require()).
// No source maps: the bundles are not minified, and esbuild marks where each source file's code
// begins with a comment naming it.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cjsDir = join(root, "dist", "cjs");
rmSync(cjsDir, { recursive: true, force: true });
// Where earlier builds wrote ESM wrappers.
rmSync(join(root, "dist", "esm"), { recursive: true, force: true });

const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.cjs.json")], { stdio: "inherit" });
writeFileSync(join(cjsDir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const targets = Object.entries(pkg.exports).filter(([, t]) => typeof t === "object" && t.require !== undefined);
/** "./dist/cjs/lib/index.js" → "lib/index.ts": the bundle keeps its source's place under dist/cjs. */
const sourceOf = (cjs) => {
  const rel = relative(cjsDir, join(root, cjs)).split("\\").join("/");
  if (rel.startsWith("..") || !rel.endsWith(".js")) throw new Error(`${cjs}: an export's require target must be a .js file under dist/cjs`);
  return rel.replace(/\.js$/, ".ts");
};

/**
 * The main entry's modules as one chunk. esbuild puts modules in one chunk when the same entries
 * reach them, and with each subpath (and each file loaded on demand) reaching its own part of
 * the main entry's graph, `import "wiremq"` loaded 17 files whose code called across chunks
 * through getters. So every entry, and every module loaded by `import()`, first imports the
 * main entry: its modules then all have the same entries and land in one chunk (3 files load;
 * instructions of the whole load, under callgrind: 104M → 70M above an empty module's; CPU
 * of `import`, median of 15 alternating, loaded machine: 64.7 → 44.6 ms). The other entries
 * load the main entry's code with theirs, which each of them but wiremq/errors did in great
 * part already; wiremq/errors stays small, for programs that only test error codes.
 */
const MAIN = "lib/index.ts";
const ON_ITS_OWN = new Set([MAIN, "lib/public-errors.ts"]);
const OVER_MAIN = "wiremq-over-main";
const overMain = {
  name: "over-main",
  setup(b) {
    // Modules loaded by import(): the same wrapper, so that their chunk is all they add (none
    // has a default export, which `export *` would leave out).
    b.onResolve({ filter: /^\.\.?\// }, (a) => {
      if (a.kind !== "dynamic-import" || a.namespace !== "file") return undefined;
      return { path: relative(root, join(a.resolveDir, a.path)).replace(/\.js$/, ".ts"), namespace: OVER_MAIN };
    });
    b.onResolve({ filter: new RegExp(`^${OVER_MAIN}:`) }, (a) => ({ path: a.path.slice(OVER_MAIN.length + 1), namespace: OVER_MAIN }));
    b.onLoad({ filter: /.*/, namespace: OVER_MAIN }, (a) => ({
      contents: `import ${JSON.stringify(`./${MAIN}`)};\nexport * from ${JSON.stringify(`./${a.path}`)};\n`,
      resolveDir: root,
      loader: "ts",
    }));
  },
};
const esmStep = mkdtempSync(join(tmpdir(), "wiremq-esm-"));
try {
  await build({
    absWorkingDir: root,
    entryPoints: targets.map(([, t]) => {
      const src = sourceOf(t.require);
      return ON_ITS_OWN.has(src) ? src : { in: `${OVER_MAIN}:${src}`, out: src.replace(/\.ts$/, "") };
    }),
    plugins: [overMain],
    outbase: root,
    outdir: esmStep,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Dependencies and optional peers stay packages of their own, resolved where installed.
    packages: "external",
    // Class and function names as written (zeromq's API shows them, and errors and inspect do).
    keepNames: true,
    logLevel: "warning",
  });
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(esmStep);
  const result = await build({
    entryPoints: files,
    outbase: esmStep,
    outdir: cjsDir,
    bundle: false,
    format: "cjs",
    platform: "node",
    target: "node20",
    // import() of a chunk, or of an optional package, becomes a require() inside a promise.
    supported: { "dynamic-import": false },
    logLevel: "warning",
    write: false,
  });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const code = asciiOnly(sparingNameHelper(dropRedundantNames(file.text)));
    writeFileSync(file.path, relative(cjsDir, file.path).startsWith("chunks") ? directChunkExports(code) : code);
  }
} finally {
  rmSync(esmStep, { recursive: true, force: true });
}

/**
 * esbuild's CommonJS module object is a copy of the module's export object whose getters each
 * read `from[key]`, one keyed load shared by every name, so megamorphic: every call into another
 * chunk (the tcp engine's chunk into the main one, per frame and per message) went through it. A
 * chunk is loaded by the library alone, so its module object can be the export object itself,
 * whose getters each read one binding and are inlined (REQ/REP round trip with its sockets
 * replaced by direct hand-offs, under callgrind: 34.4k → 27.9k instructions). Entries keep
 * esbuild's form: Node reads their names for `import` from it.
 */
function directChunkExports(code) {
  const form = /^module\.exports = __toCommonJS\(([A-Za-z_$][\w$]*)\);$/m;
  if (!code.includes("__toCommonJS(")) return code;
  if (!form.test(code)) throw new Error("esbuild's CommonJS module object changed: update directChunkExports in scripts/build-package.mjs");
  return code.replace(form, 'module.exports = __defProp($1, "__esModule", { value: true });');
}

/**
 * keepNames makes esbuild call `__name(f, "f")` after every top-level function and class, also
 * where `f` is declared under that very name, so its name already is "f". Those calls did
 * nothing but cost ~7 ms of a ~50 ms require (one loaded 2-core run); they go. The calls that
 * matter stay: a class esbuild renamed (`var Push = class _Push`), arrow functions, methods.
 */
function dropRedundantNames(code) {
  const declared = new Set();
  for (const m of code.matchAll(/^(?:async )?function\*? ?([A-Za-z_$][\w$]*)\(/gm)) declared.add(m[1]);
  for (const m of code.matchAll(/^class ([A-Za-z_$][\w$]*)[ {]/gm)) declared.add(m[1]);
  return code.replace(/^(?:\(0, import_chunk_\w+\.__name\)|__name)\(([A-Za-z_$][\w$]*), "\1"\);\n/gm, (call, name) => (declared.has(name) ? "" : call));
}

/**
 * esbuild writes code in ASCII (it escapes strings, regular expressions and names) but keeps
 * the comments it keeps as written, and one "→" in a comment made Node read the 250 KB main
 * chunk as a two-byte string, transcoded from UTF-8 (~2% of the instructions of
 * `import "wiremq"`, under callgrind). Comment lines are escaped as esbuild escapes code; any
 * other line that is not ASCII stops the build.
 */
function asciiOnly(code) {
  return code.replace(/^.*[^\x00-\x7f].*$/gm, (line) => {
    if (!/^\s*(\/\/|\/\*|\*)/.test(line)) throw new Error(`a line of code esbuild left outside ASCII: ${line}`);
    return line.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  });
}

/**
 * keepNames also wraps every arrow function esbuild names, where it is made: a class field
 * (`flushTick = () => …`), a closure per connection or per send. Each call gave that function
 * an own `name` through defineProperty, which moves its properties to a dictionary: ~250 bytes
 * and a slow path per closure, ~2.4 KB of heap per connection of 10,000 idle peers (a quarter
 * of their heap; a 2,000-connection heap snapshot). Anonymous arrow functions are left as
 * they are: nothing reads their names. Classes and functions with a prototype are named as before.
 */
function sparingNameHelper(code) {
  const helper = 'var __name = (target, value) => __defProp2(target, "name", { value, configurable: true });';
  const sparing = 'var __name = (target, value) => target.prototype === undefined && target.name === "" ? target : __defProp2(target, "name", { value, configurable: true });';
  if (!code.includes("var __name = ")) return code;
  if (!code.includes(helper)) throw new Error("esbuild's __name helper changed: update sparingNameHelper in scripts/build-package.mjs");
  return code.replace(helper, sparing);
}

const require = createRequire(import.meta.url);
for (const [subpath, target] of targets) {
  if (target.import !== undefined && target.import !== target.require) throw new Error(`${subpath}: "import" must be the same file as "require" (one copy of the library)`);
  const file = join(root, target.require);
  const names = (m) => Object.keys(m).filter((n) => n !== "__esModule" && n !== "default").sort().join();
  const required = names(require(file));
  const imported = names(await import(pathToFileURL(file).href));
  if (imported !== required) throw new Error(`${subpath}: import sees [${imported}], require [${required}]`);
}
