/**
 * A program using wiremq bundled into one file runs where no node_modules can be found: the
 * FAQ's answer for bundlers. esbuild: CommonJS output needs nothing; ESM output needs the
 * banner that gives CommonJS code `require`, `__filename` and `__dirname` (libsodium's loader
 * reads them). Vite 8 (Rolldown), importing `wiremq` by name as an installed package: an SSR
 * build for Node needs `__dirname`/`__filename` defined, and a browser build picks
 * `wiremq/browser` through the `browser` condition, keeping libsodium a lazy chunk. Needs the
 * build (`npm run build`).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { build as viteBuild } from "vite";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wiremq-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ESM_BANNER = [
  'import { createRequire } from "node:module";',
  'import { fileURLToPath } from "node:url";',
  'import { dirname } from "node:path";',
  "const require = createRequire(import.meta.url);",
  "const __filename = fileURLToPath(import.meta.url);",
  "const __dirname = dirname(__filename);",
].join(" ");

/** A CURVE push/pull round trip, so the bundled libsodium runs too. */
const BODY = `
const server = curveKeyPair(), client = curveKeyPair();
const pull = new Pull({ curveServer: true, curveSecretKey: server.secretKey });
await pull.bind("tcp://127.0.0.1:*");
const push = new Push({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey });
push.connect(pull.lastEndpoint);
await push.send("bundled");
console.log(String((await pull.receive())[0]));
push.close();
pull.close();
`;

function runBundle(file: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8", timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("wiremq bundled with esbuild", () => {
  it("as CommonJS", async () => {
    const entry = join(dir, "app.cjs");
    writeFileSync(entry, `const { Push, Pull, curveKeyPair } = require(${JSON.stringify(join(root, "dist/cjs/lib/index.js"))});\n(async () => {${BODY}})();\n`);
    await build({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", outfile: join(dir, "out", "app.cjs"), logLevel: "error" });
    expect(runBundle(join(dir, "out", "app.cjs"))).toMatchObject({ status: 0, stdout: "bundled\n" });
  }, 60_000);

  it("as ESM, with the require/__dirname banner", async () => {
    const entry = join(dir, "app.mjs");
    writeFileSync(entry, `import { Push, Pull, curveKeyPair } from ${JSON.stringify(join(root, "dist/cjs/lib/index.js"))};\n${BODY}`);
    await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", outfile: join(dir, "out", "app.mjs"), logLevel: "error", banner: { js: ESM_BANNER } });
    expect(runBundle(join(dir, "out", "app.mjs"))).toMatchObject({ status: 0, stdout: "bundled\n" });
  }, 60_000);
});

describe("wiremq bundled with Vite (Rolldown), imported by name as an installed package", () => {
  const project = join(dir, "vite-project");
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(root, join(project, "node_modules", "wiremq"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "vite-app", private: true, type: "module" }));

  it("for Node (an SSR build with everything bundled), with __dirname and __filename defined", async () => {
    writeFileSync(join(project, "app.mjs"), `import { Push, Pull, curveKeyPair } from "wiremq";\n${BODY}`);
    await viteBuild({
      root: project,
      configFile: false,
      logLevel: "error",
      define: { __dirname: "import.meta.dirname", __filename: "import.meta.filename" },
      build: { ssr: join(project, "app.mjs"), outDir: join(dir, "vite-node"), minify: false, target: "node20", emptyOutDir: true },
      ssr: { noExternal: true, target: "node" },
    });
    expect(readdirSync(join(dir, "vite-node"))).toEqual(["app.js"]);
    // Out of the project: no node_modules to fall back on.
    writeFileSync(join(dir, "vite-app.mjs"), readFileSync(join(dir, "vite-node", "app.js")));
    expect(runBundle(join(dir, "vite-app.mjs"))).toMatchObject({ status: 0, stdout: "bundled\n" });
  }, 60_000);

  it("for a page: the browser build, no Node module imported, libsodium loaded on demand", async () => {
    writeFileSync(join(project, "page.mjs"), `import { Dealer } from "wiremq";\nconst dealer = new Dealer({ linger: 0 });\ndealer.connect("ws://127.0.0.1:5555");\n`);
    const result = await viteBuild({
      root: project,
      configFile: false,
      logLevel: "error",
      build: { lib: { entry: join(project, "page.mjs"), formats: ["es"], fileName: "page" }, outDir: join(dir, "vite-page"), minify: false, emptyOutDir: true },
    });
    const outputs = (Array.isArray(result) ? result[0]! : result as { output: unknown[] }).output as Array<{ fileName: string; type: string; code?: string; imports?: string[]; dynamicImports?: string[] }>;
    const page = outputs.find((o) => o.fileName === "page.js")!;
    const chunks = outputs.filter((o) => o.type === "chunk");
    // Every import is another chunk of the build: nothing external, no node: module.
    for (const chunk of chunks) {
      for (const imported of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) expect(outputs.map((o) => o.fileName), `${chunk.fileName} imports ${imported}`).toContain(imported);
      expect(chunk.code ?? "", chunk.fileName).not.toMatch(/^\s*import\b[^;]*["']node:/m);
    }
    // The page's entry is the browser build (scripts/build-browser.mjs), whose libsodium chunk
    // stays lazy: nothing the page loads up front (the entry and what it imports statically)
    // is libsodium, and one of them imports it dynamically.
    const byName = new Map(chunks.map((c) => [c.fileName, c]));
    const upFront = new Set<string>();
    for (const queue = [page.fileName]; queue.length > 0; ) {
      const name = queue.pop()!;
      if (upFront.has(name)) continue;
      upFront.add(name);
      queue.push(...(byName.get(name)?.imports ?? []));
    }
    expect([...upFront].some((f) => f.includes("libsodium"))).toBe(false);
    expect([...upFront].some((f) => byName.get(f)?.dynamicImports?.some((d) => d.includes("libsodium")))).toBe(true);
  }, 60_000);
});
