/**
 * A real browser for the browser tests: Debian's chromium driven headless by puppeteer-core,
 * on a page served from a Node http server on an ephemeral port, with wiremq's browser bundle
 * built by scripts/build-browser.mjs into a temp dir. One browser per test file; close() ends
 * the browser, the server and the temp dir.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { build } from "esbuild";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
// @ts-expect-error the build script is plain JavaScript
import { browserBuildOptions } from "../../scripts/build-browser.mjs";

export const CHROMIUM = "/usr/bin/chromium";

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium; .ci/run does)`;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** Headless chromium; the caller closes it. */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespace for chromium's sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

export interface BrowserPage {
  readonly browser: Browser;
  readonly page: Page;
  /** http://127.0.0.1:port/ */
  readonly origin: string;
  /** Errors the page threw or logged, for a failing test to show. */
  readonly pageErrors: string[];
  /** The paths the page fetched from the server, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Builds the bundle, serves it at /wiremq.js (and its chunks) beside the files of `staticDirs`
 * (mount path → directory), and opens `path` in a new headless chromium.
 */
export async function openBrowserPage(path: string, staticDirs: Record<string, string> = {}): Promise<BrowserPage> {
  const outdir = mkdtempSync(join(tmpdir(), "wiremq-browser-"));
  let server: Server | null = null;
  let browser: Browser | null = null;
  try {
    await build(browserBuildOptions(outdir));
    const mounts: [string, string][] = [...Object.entries(staticDirs), ["/", outdir]];
    const requests: string[] = [];
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      requests.push(url.pathname);
      const file = resolveFile(mounts, decodeURIComponent(url.pathname));
      if (file === null) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(readFileSync(file));
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(String(err)));
    page.on("console", (msg) => {
      if (msg.type() === "error") pageErrors.push(msg.text());
    });
    await page.goto(`${origin}${path}`, { waitUntil: "load" });
    const opened = { browser, server };
    return {
      browser,
      page,
      origin,
      pageErrors,
      requests,
      async close() {
        await opened.browser.close().catch(() => {});
        await new Promise<void>((r) => opened.server.close(() => r()));
        opened.server.closeAllConnections();
        rmSync(outdir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close().catch(() => {});
    server?.close();
    rmSync(outdir, { recursive: true, force: true });
    throw err;
  }
}

function resolveFile(mounts: [string, string][], pathname: string): string | null {
  for (const [mount, dir] of mounts) {
    if (!pathname.startsWith(mount)) continue;
    let rel = pathname.slice(mount.length);
    if (rel === "" || rel.endsWith("/")) rel += "index.html";
    const file = resolve(dir, normalize(rel).replace(/^(\.\.[/\\])+/, ""));
    if (!file.startsWith(resolve(dir))) return null;
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return null;
}
