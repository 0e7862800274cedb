/**
 * The TypeScript blocks of patterns/README.md and docs/*.md (the README's own are in
 * readme.test.ts): each typechecks against the built package's types, strict, with `wiremq`
 * resolving to this package as after `npm install wiremq`, and runs to completion as written.
 * A block that reaches another machine says so in a comment on its first line
 * (`// needs: <what>`): it is typechecked, not run. Needs the build (`npm run build`).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pages = ["patterns/README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const blocks = pages.flatMap((page) =>
  [...readFileSync(join(root, page), "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m, i) => ({ name: `${page} block ${i + 1}`, code: m[1]! })),
);

const project = mkdtempSync(join(tmpdir(), "wiremq-docs-code-"));
mkdirSync(join(project, "node_modules"));
symlinkSync(root, join(project, "node_modules", "wiremq"), "dir");
symlinkSync(join(root, "node_modules", "@types"), join(project, "node_modules", "@types"), "dir");
writeFileSync(join(project, "package.json"), JSON.stringify({ name: "docs-code", private: true, type: "module" }));
afterAll(() => rmSync(project, { recursive: true, force: true }));

const files = blocks.map((block, i) => {
  const file = join(project, `block-${i + 1}.ts`);
  writeFileSync(file, block.code);
  return file;
});

/** One program over every block, as a user's project would compile it. */
function diagnosticsByFile(): Map<string, string[]> {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ["node"],
    skipLibCheck: true,
  });
  const out = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file?.fileName;
    if (file === undefined || !out.has(file)) continue;
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
    out.get(file)!.push(`line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  }
  return out;
}

describe("code in patterns/README.md and docs/", () => {
  it("has TypeScript blocks", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it("every block typechecks, strict, against the built package", () => {
    const found = diagnosticsByFile();
    const failures = blocks.map((b, i) => ({ block: b.name, errors: found.get(files[i]!)! })).filter((f) => f.errors.length > 0);
    expect(failures).toEqual([]);
  }, 60_000);

  const runnable = blocks.map((b, i) => [b.name, i] as const).filter(([, i]) => !/^\/\/ needs: /.test(blocks[i]!.code));
  it.each(runnable)("%s runs to completion as written", (_name, i) => {
    const code = blocks[i]!.code;
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const file = join(project, `run-${i + 1}.mjs`);
    writeFileSync(file, js);
    // A block that leaves something pending never ends: the timeout turns that into a failure.
    const r = spawnSync(process.execPath, [file], { cwd: project, encoding: "utf8", timeout: 20_000 });
    expect({ stderr: r.stderr, signal: r.signal, status: r.status }).toEqual({ stderr: "", signal: null, status: 0 });
  }, 30_000);
});
