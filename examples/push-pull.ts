/** A work queue: one PUSH hands jobs round-robin to two PULL workers over tcp. */
import { Pull, Push } from "../lib/index.js";

export async function pushPull(log: (line: string) => void = console.log): Promise<Map<string, number>> {
  const workers = [new Pull(), new Pull()];
  const push = new Push({ linger: 1000 });
  const counts = new Map<string, number>();
  try {
    await push.bind("tcp://127.0.0.1:*");
    log(`push bound at ${push.lastEndpoint}`);
    const handshakes = new Promise<void>((resolve) => {
      let n = 0;
      push.events.on("handshake", () => {
        if (++n === workers.length) resolve();
      });
    });
    for (const w of workers) w.connect(push.lastEndpoint!);
    await handshakes;
    for (let i = 0; i < 10; i++) await push.send(["job", String(i)]);
    await Promise.all(
      workers.map(async (w, n) => {
        for (let i = 0; i < 5; i++) {
          const [, id] = await w.receive();
          counts.set(`worker${n}`, (counts.get(`worker${n}`) ?? 0) + 1);
          log(`worker${n} got job ${id}`);
        }
      }),
    );
  } finally {
    await push.close();
    for (const w of workers) await w.close();
  }
  return counts;
}

if (import.meta.url === `file://${process.argv[1]}`) await pushPull();
