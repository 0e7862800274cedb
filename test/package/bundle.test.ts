/**
 * A program using wiremq bundled by esbuild into one file runs where no node_modules can be
 * found: the FAQ's answer for bundlers. CommonJS output needs nothing; ESM output needs the
 * banner that gives CommonJS code `require`, `__filename` and `__dirname` (libsodium's loader
 * reads them). Needs the build (`npm run build`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
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
    writeFileSync(entry, `import { Push, Pull, curveKeyPair } from ${JSON.stringify(join(root, "dist/esm/index.mjs"))};\n${BODY}`);
    await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", outfile: join(dir, "out", "app.mjs"), logLevel: "error", banner: { js: ESM_BANNER } });
    expect(runBundle(join(dir, "out", "app.mjs"))).toMatchObject({ status: 0, stdout: "bundled\n" });
  }, 60_000);
});
