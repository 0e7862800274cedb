#!/usr/bin/env node
// What "s to accept all" (bench idle-peers) is made of, for one library at a time:
//   node scripts/accept-timeline.mjs <zeromq|wiremq> <peers> [backlog] [dealer processes]
// A ROUTER binds in one child, the DEALERs (same library) connect from others, each sends one
// message. Prints when the DEALERs started and finished their connect loop, the hellos per 250 ms
// from the ROUTER's "ready", CPU per side, and the kernel's accept-queue overflows meanwhile
// (TcpExt ListenOverflows, counted for the whole machine). Steps at 1 s and 3 s are SYNs the
// kernel dropped from a full accept queue, retried by TCP. Needs `npm run build` for wiremq.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const now = () => performance.timeOrigin + performance.now();
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const load = async (lib) =>
  lib === "wiremq" ? import(pathToFileURL(fileURLToPath(new URL("../dist/lib/index.js", import.meta.url))).href) : import("zeromq");
const waitStdin = () =>
  new Promise((resolve) =>
    process.stdin.once("data", () => {
      process.stdin.destroy();
      resolve();
    }),
  );

function listenOverflows() {
  const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
  const i = lines.findIndex((l) => l.startsWith("TcpExt:"));
  const names = lines[i].split(/\s+/);
  const values = lines[i + 1].split(/\s+/);
  return Number(values[names.indexOf("ListenOverflows")]);
}

const [, , role, ...rest] = process.argv;
if (role === "router") {
  const [lib, peers, backlog] = rest;
  const zmq = await load(lib);
  const router = new zmq.Router(backlog === "-" ? undefined : { backlog: Number(backlog) });
  await router.bind("tcp://127.0.0.1:*");
  const cpu0 = cpuMs();
  console.log(`ready ${router.lastEndpoint} ${now()}`);
  const ids = new Set();
  const times = [];
  while (ids.size < Number(peers)) {
    const [id] = await router.receive();
    ids.add(id.toString("hex"));
    times.push(now());
  }
  console.log(`done ${JSON.stringify({ times, cpuMs: cpuMs() - cpu0 })}`);
  await waitStdin();
  router.close();
} else if (role === "dealers") {
  const [lib, endpoint, peers] = rest;
  const zmq = await load(lib);
  if (zmq.context !== undefined) zmq.context.maxSockets = Number(peers) + 64;
  new zmq.Dealer().close();
  const cpu0 = cpuMs();
  const t0 = now();
  const dealers = [];
  for (let i = 0; i < Number(peers); i++) {
    const dealer = new zmq.Dealer();
    dealers.push(dealer);
    dealer.connect(endpoint);
    await dealer.send("hi");
  }
  console.log(`sent ${JSON.stringify({ t0, t1: now() })}`);
  await waitStdin();
  console.log(`cpu ${cpuMs() - cpu0}`);
  for (const d of dealers) d.close();
  setTimeout(() => process.exit(0), 100);
} else {
  const [lib = "wiremq", peers = "1000", backlog = "-", processes = "1"] = [role, ...rest];
  const spawnRole = (...args) => spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const line = (child, prefix) =>
    new Promise((resolve) => createInterface({ input: child.stdout }).on("line", (l) => l.startsWith(prefix) && resolve(l.slice(prefix.length))));
  const overflows0 = listenOverflows();
  const router = spawnRole("router", lib, peers, backlog);
  const [endpoint, readyAt] = (await line(router, "ready ")).split(" ");
  const done = line(router, "done ").then(JSON.parse);
  const n = Number(processes);
  const dealers = Array.from({ length: n }, (_, i) => spawnRole("dealers", lib, endpoint, String(Math.floor(Number(peers) / n) + (i < Number(peers) % n ? 1 : 0))));
  const sent = await Promise.all(dealers.map((d) => line(d, "sent ").then(JSON.parse)));
  const { times, cpuMs: routerCpu } = await done;
  const overflows = listenOverflows() - overflows0;
  const base = Number(readyAt);
  const s = (t) => ((t - base) / 1000).toFixed(2);
  const bins = new Map();
  for (const t of times) bins.set(Math.floor((t - base) / 250) / 4, (bins.get(Math.floor((t - base) / 250) / 4) ?? 0) + 1);
  const dealerCpu = dealers.map((d) => line(d, "cpu ").then(Number));
  for (const c of [router, ...dealers]) c.stdin.write("\n");
  console.log(`${lib}, ${peers} peers, backlog ${backlog === "-" ? "default" : backlog}: all accepted at ${s(times.at(-1))} s`);
  for (const x of sent) console.log(`  DEALERs: loop from ${s(x.t0)} to ${s(x.t1)} s`);
  console.log(`  hellos per 250 ms from ready: ${[...bins].map(([b, c]) => `${b.toFixed(2)}s:${c}`).join(" ")}`);
  console.log(`  CPU ms: ROUTER ${routerCpu.toFixed(0)}, DEALERs ${(await Promise.all(dealerCpu)).map((c) => c.toFixed(0)).join(", ")}`);
  console.log(`  ListenOverflows meanwhile (whole machine): ${overflows}`);
  await Promise.all([router, ...dealers].map((c) => new Promise((resolve) => c.on("exit", resolve))));
}
