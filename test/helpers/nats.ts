/**
 * Real nats-server processes for the JetStream tests and benchmarks: one server, or a cluster
 * of three, each on free loopback ports (below the ephemeral range, so a restarted server gets
 * its port back) with its own temp store directory. A server counts as started once its
 * monitoring endpoint's /healthz says JetStream is ready (a probe, not a sleep); `stopAll()`
 * kills every server started and removes the directories.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { get } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const NATS_SERVER = process.env.NATS_SERVER ?? "nats-server";

/** Why the JetStream tests cannot run here, or undefined when nats-server is installed. */
export function missingNatsServer(): string | undefined {
  const r = spawnSync(NATS_SERVER, ["--version"], { encoding: "utf8" });
  if (r.error !== undefined || r.status !== 0) return `nats-server is not installed (apt-get install nats-server; .ci/run does): ${r.error?.message ?? r.stderr}`;
  return undefined;
}

export interface NatsServer {
  name: string;
  /** nats://127.0.0.1:port */
  url: string;
  storeDir: string;
  child: ChildProcess | null;
  /** SIGKILL, and resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again with the same ports and store; resolves once healthy. */
  restart(): Promise<void>;
}

const live = new Set<ChildProcess>();
const dirs: string[] = [];
// A run cut short (a bench measurement past its time limit, a crash) leaves no server behind.
process.once("exit", () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

const taken = new Set<number>();

/** A free port in 20000–31999: below Linux's ephemeral range, so nothing dialling out takes it meanwhile. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    if (await portIsFree(port)) {
      taken.add(port);
      return port;
    }
  }
}

/**
 * What a server must be before `launch` returns it: "all" is /healthz whole (JetStream up, in a
 * cluster the meta group has a leader, and every stream and consumer replica it holds is current);
 * "server" skips the streams and consumers (js-server-only), for a node restarted into a cluster
 * whose replicas catch up while the test goes on.
 */
type Health = "all" | "server";

function healthy(monitorPort: number, health: Health): Promise<boolean> {
  const path = health === "all" ? "/healthz" : "/healthz?js-server-only=true";
  return new Promise((resolve) => {
    const req = get({ host: "127.0.0.1", port: monitorPort, path, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
  });
}

interface Spec {
  name: string;
  port: number;
  monitor: number;
  cluster?: { port: number; routes: number[] };
  storeDir: string;
  /** false: a server without JetStream, whose API subjects have no responders (as during an election). */
  jetstream?: boolean;
}

function argsOf(spec: Spec): string[] {
  const js = spec.jetstream === false ? [] : ["-js", "-sd", spec.storeDir];
  const args = ["-a", "127.0.0.1", "-p", String(spec.port), "-m", String(spec.monitor), ...js, "-n", spec.name];
  if (spec.cluster !== undefined) {
    args.push("--cluster_name", "wmq", "--cluster", `nats://127.0.0.1:${spec.cluster.port}`);
    args.push("--routes", spec.cluster.routes.map((p) => `nats://127.0.0.1:${p}`).join(","));
  }
  return args;
}

async function launch(spec: Spec, waitHealthy: boolean, health: Health = "all", timeoutMs = 20_000): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, argsOf(spec), { stdio: ["ignore", "ignore", "pipe"] });
  live.add(child);
  let log = "";
  child.stderr!.on("data", (d: Buffer) => {
    if (log.length < 20_000) log += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then(() => live.delete(child));
  const deadline = Date.now() + timeoutMs;
  // The monitor answers once the server listens; /healthz is 200 once JetStream is up (in a
  // cluster: once the meta group has a leader), which is when a stream can be made.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nats-server ${spec.name} exited with ${child.exitCode}:\n${log}`);
    if (await healthy(spec.monitor, health)) return child;
    if (!waitHealthy && log.includes("Server is ready")) return child;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`nats-server ${spec.name} not healthy within ${timeoutMs} ms:\n${log}`);
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 50))]);
  }
}

function handle(spec: Spec, child: ChildProcess): NatsServer {
  const server: NatsServer = {
    name: spec.name,
    url: `nats://127.0.0.1:${spec.port}`,
    storeDir: spec.storeDir,
    child,
    async kill() {
      const c = server.child;
      if (c === null || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => c.once("exit", () => resolve()));
      c.kill("SIGKILL");
      await gone;
      server.child = null;
    },
    async restart() {
      await server.kill();
      // Its stream and consumer replicas catch up with the cluster afterwards, while the test's
      // puts go on; under load that took longer than the launch deadline (CI, 2 cores).
      server.child = await launch(spec, true, "server");
    },
  };
  return server;
}

function storeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "wiremq-nats-"));
  dirs.push(dir);
  return dir;
}

/** One JetStream server (`{ jetstream: false }`: a plain NATS server). */
export async function startNats(options: { jetstream?: boolean } = {}): Promise<NatsServer> {
  const spec: Spec = { name: "n1", port: await freePort(), monitor: await freePort(), storeDir: storeDir(), jetstream: options.jetstream !== false };
  return handle(spec, await launch(spec, true));
}

/** Three JetStream servers clustered on loopback; resolves once every one is healthy. */
export async function startNatsCluster(size = 3): Promise<NatsServer[]> {
  const clusterPorts: number[] = [];
  for (let i = 0; i < size; i++) clusterPorts.push(await freePort());
  const specs: Spec[] = [];
  for (let i = 0; i < size; i++) {
    specs.push({
      name: `n${i + 1}`,
      port: await freePort(),
      monitor: await freePort(),
      cluster: { port: clusterPorts[i]!, routes: clusterPorts.filter((_, j) => j !== i) },
      storeDir: storeDir(),
    });
  }
  // All start at once: each waits for the others to form the meta group.
  const children = await Promise.all(specs.map((s) => launch(s, true)));
  return specs.map((s, i) => handle(s, children[i]!));
}

/** Kills every server this process started and removes their store directories. */
export async function stopAllNats(): Promise<void> {
  await Promise.all(
    [...live].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGKILL");
        }),
    ),
  );
  live.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
