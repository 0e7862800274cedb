/**
 * examples/browser-dashboard in headless chromium: the example's own service (publisher and
 * http server, the bundle built into a temp dir), its page opened as a person would, the table
 * read from the DOM until every symbol has a row and values have changed, and a screenshot
 * (kept in a temp dir, removed after) that must not be blank.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { build } from "esbuild";
import type { Browser } from "puppeteer-core";
// @ts-expect-error the build script is plain JavaScript
import { browserBuildOptions } from "../../scripts/build-browser.mjs";
import { startDashboard, SYMBOLS, type Dashboard } from "../../examples/browser-dashboard/server.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { chromiumMissing, launchChromium } from "../helpers/browser.js";

// The page's own APIs, which the test's type library (Node's) does not declare.
declare function createImageBitmap(blob: Blob): Promise<{ width: number; height: number }>;
declare const OffscreenCanvas: new (w: number, h: number) => {
  getContext(kind: "2d"): { drawImage(image: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
};

interface Row {
  symbol: string;
  price: string;
  updates: number;
}

describeNeeding(chromiumMissing(), "examples/browser-dashboard in chromium", () => {
  let dir: string;
  let dashboard: Dashboard | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wiremq-dashboard-"));
    await build(browserBuildOptions(join(dir, "bundle")));
    dashboard = await startDashboard({ bundleDir: join(dir, "bundle"), interval: 50 });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fills the table with a row per symbol whose prices change, and shows it (a non-blank screenshot)", async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(String(err)));
    await page.setViewport({ width: 800, height: 500 });
    await page.goto(dashboard!.url, { waitUntil: "load" });

    const readRows = (): Promise<Row[]> =>
      page.$$eval("#prices tr", (trs) =>
        trs.map((tr) => ({ symbol: tr.cells[0]!.textContent ?? "", price: tr.cells[1]!.textContent ?? "", updates: Number(tr.cells[2]!.textContent) })),
      );
    // Every symbol has a row, each updated at least three times.
    // Predicates as text: the test's compiled functions may name helpers the page lacks.
    const rowsTotal = `[...document.querySelectorAll("#prices tr")].map((tr) => Number(tr.cells[2].textContent))`;
    await page.waitForFunction(`${rowsTotal}.length === ${SYMBOLS.length} && ${rowsTotal}.every((n) => n >= 3)`, { timeout: 20_000 });
    const first = await readRows();
    expect(first.map((r) => r.symbol)).toEqual([...SYMBOLS].sort());
    for (const row of first) expect(row.price).toMatch(/^\d+\.\d\d$/);
    // Values keep changing: wait for the next round of updates and compare.
    const seen = first.reduce((n, r) => n + r.updates, 0);
    await page.waitForFunction(`${rowsTotal}.reduce((a, b) => a + b, 0) > ${seen + SYMBOLS.length * 2}`, { timeout: 20_000 });
    const later = await readRows();
    expect(later.some((r, i) => r.price !== first[i]!.price)).toBe(true);
    expect(await page.$eval("#status", (p) => p.textContent)).toContain("subscribed to ws://");

    const shot = join(dir, "dashboard.png");
    await page.screenshot({ path: shot });
    // The browser decodes its own screenshot: a blank page would be one colour.
    const colours = await page.evaluate(async (b64) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(bitmap, 0, 0);
      const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const distinct = new Set<number>();
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) {
        distinct.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
        if (data[i]! + data[i + 1]! + data[i + 2]! < 200) dark++;
      }
      return { distinct: distinct.size, dark, pixels: data.length / 4 };
    }, readFileSync(shot).toString("base64"));
    expect(colours.pixels).toBe(800 * 500);
    expect(colours.distinct).toBeGreaterThan(20);
    expect(colours.dark).toBeGreaterThan(1000);
    expect(errors).toEqual([]);
  }, 60_000);
});
