/**
 * A live price table in a web page: this service publishes prices over ws:// with a wiremq
 * Publisher, and serves the page (index.html) and wiremq's browser bundle over http; the page
 * subscribes with wiremq/browser and fills the table as prices arrive.
 *
 *   npm run build && node dist/examples/browser-dashboard/server.js [httpPort=8080] [wsPort=0]
 *
 * then open the URL it prints. See README.md beside this file.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Publisher } from "../../lib/index.js";

export const SYMBOLS = ["ACME", "BOLT", "CORE", "DYNE", "ECHO", "FLUX"];

export interface Dashboard {
  /** The page: http://127.0.0.1:port/ */
  readonly url: string;
  /** Where the prices are published: ws://127.0.0.1:port/ */
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface DashboardOptions {
  httpPort?: number;
  wsPort?: number;
  /** ms between two rounds of prices (one per symbol). */
  interval?: number;
  /** The folder holding wiremq.js and its chunks (default: the package's dist/browser). */
  bundleDir?: string;
}

/** Where this file's folder and the package root are, from source (examples/) or build (dist/examples/). */
function locate(): { pageDir: string; bundleDir: string } {
  const here = fileURLToPath(new URL(".", import.meta.url));
  for (const root of [resolve(here, "../.."), resolve(here, "../../..")]) {
    if (existsSync(join(root, "package.json"))) return { pageDir: join(root, "examples/browser-dashboard"), bundleDir: join(root, "dist/browser") };
  }
  throw new Error("cannot find the package root");
}

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" };

export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const { pageDir, bundleDir: defaultBundle } = locate();
  const bundleDir = options.bundleDir ?? defaultBundle;
  const pub = new Publisher({ linger: 0 });
  await pub.bind(`ws://127.0.0.1:${options.wsPort ?? 0}`);
  const endpoint = pub.lastEndpoint!;

  const prices = new Map(SYMBOLS.map((s, i) => [s, 100 + i * 17]));
  let stopped = false;
  const tick = async (): Promise<void> => {
    for (const [symbol, price] of prices) {
      // A random walk, two decimals.
      const next = Math.max(1, Math.round((price + (Math.random() - 0.5) * 2) * 100) / 100);
      prices.set(symbol, next);
      await pub.send([`price.${symbol}`, next.toFixed(2)]);
    }
  };
  // One round at a time: a socket takes one send at a time (EBUSY otherwise).
  let busy = false;
  const timer = setInterval(() => {
    if (stopped || busy) return;
    busy = true;
    tick()
      .catch((err: unknown) => console.error("publishing failed:", err))
      .finally(() => (busy = false));
  }, options.interval ?? 200);

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/endpoint") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ws: endpoint }));
      return;
    }
    const [dir, rel] = path === "/" ? [pageDir, "index.html"] : path === "/index.html" ? [pageDir, "index.html"] : [bundleDir, path.slice(1)];
    const file = resolve(dir, normalize(rel));
    if (!file.startsWith(resolve(dir)) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(options.httpPort ?? 0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  return {
    url,
    endpoint,
    async close() {
      stopped = true;
      clearInterval(timer);
      pub.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const httpPort = Number(process.argv[2] ?? 8080);
  const wsPort = Number(process.argv[3] ?? 0);
  void startDashboard({ httpPort, wsPort }).then((dashboard) => {
    console.log(`prices on ${dashboard.endpoint}; open ${dashboard.url}`);
    process.once("SIGINT", () => void dashboard.close());
  });
}
