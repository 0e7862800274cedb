/** Two threads of one program talking over an exclusive PAIR link, in process (inproc). */
import { Pair } from "../lib/index.js";

export async function pair(log: (line: string) => void = console.log): Promise<string[]> {
  const left = new Pair();
  const right = new Pair();
  const seen: string[] = [];
  try {
    await left.bind("inproc://demo-pair");
    right.connect("inproc://demo-pair");
    await right.send("ping");
    const [a] = await left.receive();
    log(`left got ${a}`);
    seen.push(String(a));
    await left.send("pong");
    const [b] = await right.receive();
    log(`right got ${b}`);
    seen.push(String(b));
  } finally {
    await left.close();
    await right.close();
  }
  return seen;
}

if (import.meta.url === `file://${process.argv[1]}`) await pair();
