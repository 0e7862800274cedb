/**
 * The API reference (`npm run docs`, TypeDoc) as a user reads it: every public export has a
 * TSDoc comment, and every `@example` in a doc comment compiles against the built package.
 * The entries are package.json's exports (their `types`: dist/cjs/X.d.ts → X.ts); an export is
 * documented when its declaration (after following re-exports) carries a doc comment. Broken
 * `{@link}`s are TypeDoc's to find: test/docs-build.test.ts runs it with validation.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The source of each subpath of package.json "exports" (./dist/cjs/X.d.ts → X.ts). */
function entrySources(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, string | { types?: string }> };
  return Object.values(pkg.exports)
    .map((t) => (typeof t === "string" ? undefined : t.types))
    .filter((p): p is string => p !== undefined && p.startsWith("./dist/cjs/"))
    .map((p) => join(root, p.slice("./dist/cjs/".length).replace(/\.d\.ts$/, ".ts")));
}

function undocumented(files: string[]): string[] {
  const program = ts.createProgram(files, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file)!;
    const moduleSymbol = checker.getSymbolAtLocation(source)!;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const documented = (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0) || symbol.getDocumentationComment(checker).length > 0;
      if (!documented) missing.push(`${relative(root, file)}: ${exported.name}`);
    }
  }
  return missing;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** The first ```ts block after each `@example` tag of each doc comment, with where it is. */
function examples(): { where: string; code: string }[] {
  const found: { where: string; code: string }[] = [];
  for (const file of [...sourceFiles(join(root, "lib")), ...sourceFiles(join(root, "patterns"))]) {
    const text = readFileSync(file, "utf8");
    for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const lines = comment[0].split("\n").map((l) => l.replace(/^\s*\*( |$)/, ""));
      lines.forEach((line, i) => {
        if (!/^\s*@example\b/.test(line)) return;
        const start = lines.findIndex((l, j) => j > i && l.trim() === "```ts");
        const end = lines.findIndex((l, j) => j > start && l.trim() === "```");
        const at = text.slice(0, comment.index).split("\n").length + i;
        found.push({ where: `${relative(root, file)}:${at}`, code: start < 0 || end < 0 ? "" : lines.slice(start + 1, end).join("\n") });
      });
    }
  }
  return found;
}

const project = mkdtempSync(join(tmpdir(), "wiremq-examples-"));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("public API documentation", () => {
  it("covers every export of every entry of package.json", () => {
    const files = entrySources();
    expect(files.map((f) => relative(root, f))).toContain("lib/browser.ts");
    expect(undocumented(files), "public exports without a doc comment").toEqual([]);
  }, 120_000);

  // Needs the build (`npm run build`): the examples import wiremq as a user does, through its exports.
  it("has @example blocks that compile against the built package", () => {
    const found = examples();
    expect(found.length).toBeGreaterThanOrEqual(10);
    expect(found.filter((e) => e.code.trim() === "").map((e) => e.where), "an @example without a ```ts block").toEqual([]);
    mkdirSync(join(project, "node_modules"));
    symlinkSync(root, join(project, "node_modules", "wiremq"), "dir");
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "examples", private: true, type: "module" }));
    // Each example is a module of its own, so two may declare the same names.
    const files = found.map((e, i) => {
      const file = join(project, `example-${i}.mts`);
      writeFileSync(file, `// ${e.where}\n${e.code}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts"],
      types: ["node"],
      typeRoots: [join(root, "node_modules", "@types")],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file === undefined ? "" : (d.file.text.split("\n")[0]!.slice(3) + `, example line ${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line}`);
      return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(errors).toEqual([]);
  }, 120_000);
});
