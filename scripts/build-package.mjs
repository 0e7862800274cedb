// Builds what the package publishes: the library as CommonJS (tsconfig.cjs.json), and for
// each subpath of package.json "exports" an ESM entry that re-exports the CommonJS module's
// names. `import` and `require` then load one copy of the library, so a program that mixes
// them (or depends on packages that do) has one inproc namespace and one default context.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.cjs.json")], { stdio: "inherit" });
writeFileSync(join(root, "dist", "cjs", "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (typeof target !== "object" || target.import === undefined) continue;
  const cjsFile = join(root, target.require);
  const esmFile = join(root, target.import);
  const names = Object.keys(require(cjsFile)).filter((n) => n !== "__esModule" && n !== "default");
  for (const n of names) if (!/^[A-Za-z_$][\w$]*$/.test(n)) throw new Error(`${subpath}: export ${n} is not an identifier`);
  const from = relative(dirname(esmFile), cjsFile).split("\\").join("/");
  const lines = [
    `// The ESM entry of "${join(pkg.name, subpath)}", written by scripts/build-package.mjs: the names of the CommonJS build.`,
    `import cjs from "${from.startsWith(".") ? from : `./${from}`}";`,
    names.length > 0 ? `export const { ${names.join(", ")} } = cjs;` : "",
    "export default cjs;",
    "",
  ];
  mkdirSync(dirname(esmFile), { recursive: true });
  writeFileSync(esmFile, lines.filter((l, i) => l !== "" || i === lines.length - 1).join("\n"));
}
