import type { DurableDelivery } from "./durable.js";

/** When the broker did not say its lease, the first extension asks for it this soon (ms). */
const UNKNOWN_LEASE_FIRST_EXTEND = 1000;

/**
 * Keeps a delivery's lease while its handler runs: extends it every third of the lease, so two
 * extensions can be lost or late before the broker takes the message back. Returns the stop
 * function. An extension refused (the lease is already over, or the session ended) stops the
 * keeper: the message is someone else's now, and the handler's ACK will say so.
 */
export function keepLease(delivery: DurableDelivery<unknown>): () => void {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const schedule = (leaseMs: number): void => {
    if (stopped) return;
    const every = leaseMs > 0 ? Math.max(1, Math.floor(leaseMs / 3)) : UNKNOWN_LEASE_FIRST_EXTEND;
    timer = setTimeout(beat, every);
    // The handler it guards keeps the process alive if it has work; the keeper must not.
    timer.unref();
  };
  const beat = (): void => {
    timer = null;
    delivery.extend().then(schedule, () => {
      stopped = true;
    });
  };
  schedule(delivery.leaseMs);
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
  };
}
