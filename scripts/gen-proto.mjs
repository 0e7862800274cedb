// Generates a static protobufjs module and its typings from a .proto, as a project using the
// protobuf codec would: pbjs (static-module, ES module) then pbts, from protobufjs-cli.
//   node scripts/gen-proto.mjs examples/proto/shop.proto [outDir]
// pbjs writes `import * as $protobuf from "protobufjs/minimal"`: under Node's ESM that finds no
// file (no extension) and, once found, no named exports (protobufjs is CommonJS), so the import
// becomes the default import of "protobufjs/minimal.js".
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [proto, outDir = dirname(proto)] = process.argv.slice(2);
if (proto === undefined) {
  console.error("usage: node scripts/gen-proto.mjs <file.proto> [outDir]");
  process.exit(2);
}
const name = basename(proto, ".proto");
const js = join(outDir, `${name}.js`);
const dts = join(outDir, `${name}.d.ts`);
const bin = (tool) => join(root, "node_modules", "protobufjs-cli", "bin", tool);
execFileSync(process.execPath, [bin("pbjs"), "-t", "static-module", "-w", "es6", "--no-create", "--no-delimited", "--no-typeurl", "-o", js, proto], { stdio: "inherit" });
const source = readFileSync(js, "utf8");
const fixed = source.replace('import * as $protobuf from "protobufjs/minimal";', 'import $protobuf from "protobufjs/minimal.js";');
if (fixed === source) throw new Error(`${js}: pbjs's protobufjs import was not where expected`);
writeFileSync(js, fixed);
execFileSync(process.execPath, [bin("pbts"), "-o", dts, js], { stdio: "inherit" });
