// Would opening CURVE boxes on a worker thread pay? The receiver of a CURVE 64 KiB stream is one
// busy thread where libzmq's has two (its I/O thread ciphers), so on a loaded machine it gets
// half the CPU. A worker would be a second thread, but handing each box over and back costs CPU
// too. This measures, in one process, the CPU (user + system, every thread) per 64 KiB box:
// opened where it was read (what wiremq does), handed to a worker and back by postMessage with
// the memory transferred, and through a SharedArrayBuffer ring with Atomics (one copy in, one out).
//   npm run build && node dist/bench/cipher-thread.js [--count N]
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { median } from "./stats.js";

interface Sodium {
  crypto_secretbox_detached(c: Uint8Array, mac: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void;
  crypto_secretbox_open_detached(m: Uint8Array, c: Uint8Array, mac: Uint8Array, n: Uint8Array, k: Uint8Array): boolean;
}

const require = createRequire(import.meta.url);
const sodiumPath = require.resolve("sodium-native");
const sodium = require(sodiumPath) as Sodium;
const countArg = process.argv.indexOf("--count");
const COUNT = countArg > 0 ? Number(process.argv[countArg + 1]) : 6000;
const SIZE = 64 * 1024;
const key = Buffer.alloc(32, 3);
const nonce = Buffer.alloc(24, 4);
// A MESSAGE body as the engine holds it: 16 bytes of command name and nonce, tag, ciphertext.
const boxed = Buffer.alloc(32 + 1 + SIZE);
sodium.crypto_secretbox_detached(boxed.subarray(32), boxed.subarray(16, 32), Buffer.alloc(1 + SIZE, 7), nonce, key);

/** A fresh copy of the box in memory of its own, as a read straight into a frame body gives. */
function received(): Buffer {
  const b = Buffer.allocUnsafe(boxed.length);
  boxed.copy(b);
  return b;
}

function check(ok: boolean, plain: Uint8Array): void {
  if (!ok || plain[0] !== 7 || plain[SIZE - 1] !== 7) throw new Error("a box did not open");
}

async function inPlace(): Promise<void> {
  for (let i = 0; i < COUNT; i++) {
    const b = received();
    const c = b.subarray(32);
    check(sodium.crypto_secretbox_open_detached(c, c, b.subarray(16, 32), nonce, key), c.subarray(1));
    if (i % 64 === 0) await new Promise(setImmediate);
  }
}

const POSTED = `
const { parentPort, workerData } = require("node:worker_threads");
const sodium = require(workerData.path);
parentPort.on("message", ({ buf, nonce, key }) => {
  const u = new Uint8Array(buf);
  const c = u.subarray(32);
  const ok = sodium.crypto_secretbox_open_detached(c, c, u.subarray(16, 32), nonce, key);
  parentPort.postMessage({ ok, buf }, [buf]);
});`;

async function posted(): Promise<void> {
  const worker = new Worker(POSTED, { eval: true, workerData: { path: sodiumPath } });
  let sent = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const pump = (): void => {
        for (; sent < COUNT && sent - done < 32; sent++) {
          const buf = received().buffer as ArrayBuffer;
          worker.postMessage({ buf, nonce, key }, [buf]);
        }
      };
      worker.on("error", reject);
      worker.on("message", ({ ok, buf }: { ok: boolean; buf: ArrayBuffer }) => {
        check(ok, new Uint8Array(buf, 33));
        if (++done === COUNT) resolve();
        else pump();
      });
      pump();
    });
  } finally {
    await worker.terminate();
  }
}

/** Atomics.waitAsync (Node ≥ 16), which the ES2022 library types do not declare. */
const atomics = Atomics as typeof Atomics & {
  waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string };
};

const SLOTS = 16;
const SLOT = 32 + 1 + SIZE;
const RING = `
const { workerData } = require("node:worker_threads");
const sodium = require(workerData.path);
const ctrl = new Int32Array(workerData.ctrl);
const data = new Uint8Array(workerData.data);
const nonce = new Uint8Array(workerData.nonce);
const key = new Uint8Array(workerData.key);
let done = 0;
for (;;) {
  Atomics.wait(ctrl, 0, done);
  const submitted = Atomics.load(ctrl, 0);
  if (submitted < 0) break;
  for (; done < submitted; done++) {
    const base = (done % ${SLOTS}) * ${SLOT};
    const c = data.subarray(base + 32, base + ${SLOT});
    if (!sodium.crypto_secretbox_open_detached(c, c, data.subarray(base + 16, base + 32), nonce, key)) data[base + 33] = 0;
    Atomics.store(ctrl, 1, done + 1);
    Atomics.notify(ctrl, 1);
  }
}`;

async function ring(): Promise<void> {
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const data = new Uint8Array(new SharedArrayBuffer(SLOTS * SLOT));
  const worker = new Worker(RING, { eval: true, workerData: { path: sodiumPath, ctrl: ctrl.buffer, data: data.buffer, nonce: Uint8Array.from(nonce), key: Uint8Array.from(key) } });
  let submitted = 0;
  let consumed = 0;
  try {
    while (consumed < COUNT) {
      for (; submitted < COUNT && submitted - consumed < SLOTS; submitted++) {
        data.set(received(), (submitted % SLOTS) * SLOT);
        Atomics.store(ctrl, 0, submitted + 1);
        Atomics.notify(ctrl, 0);
      }
      let done = Atomics.load(ctrl, 1);
      if (done === consumed) {
        const wait = atomics.waitAsync(ctrl, 1, done);
        if (wait.async) await wait.value;
        done = Atomics.load(ctrl, 1);
      }
      for (; consumed < done; consumed++) {
        const base = (consumed % SLOTS) * SLOT;
        const body = Buffer.allocUnsafe(SIZE);
        body.set(data.subarray(base + 33, base + SLOT));
        check(true, body);
      }
    }
  } finally {
    Atomics.store(ctrl, 0, -1);
    Atomics.notify(ctrl, 0);
    await worker.terminate();
  }
}

const ways: Record<string, () => Promise<void>> = { "opened in place": inPlace, "worker, postMessage": posted, "worker, SharedArrayBuffer ring": ring };
const cpu: Record<string, number[]> = {};
const busy: Record<string, number[]> = {};
for (let round = 0; round < 3; round++) {
  for (const [name, run] of Object.entries(ways)) {
    const c0 = process.cpuUsage();
    const e0 = performance.eventLoopUtilization();
    await run();
    const c = process.cpuUsage(c0);
    (cpu[name] ??= []).push((c.user + c.system) / COUNT);
    (busy[name] ??= []).push((performance.eventLoopUtilization(e0).active * 1000) / COUNT);
  }
}
for (const name of Object.keys(ways)) {
  console.log(`${name.padEnd(32)} ${median(cpu[name]!).toFixed(1).padStart(6)} µs CPU per 64 KiB box (all threads), main thread busy ${median(busy[name]!).toFixed(1)} µs (wall), median of 3`);
}
