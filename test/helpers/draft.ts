/**
 * Helpers for the draft socket tests, shaped to fit both wiremq's and zeromq's draft sockets.
 */
import { randomBytes } from "node:crypto";
import { tmpIpc } from "./endpoints.js";

export interface RadioLike {
  send(message: string, options: { group: string }): Promise<void>;
}
export interface DishLike {
  receiveTimeout: number;
  join(...groups: string[]): void;
  leave(...groups: string[]): void;
  receive(): Promise<[Buffer, { group: Buffer }]>;
}

/**
 * Resolves once the radio sends to the dish's groups: the JOINs a dish sends travel apart
 * from its connect, with no event that says the radio has them. A probe group is joined and
 * probed until a probe arrives; since one connection keeps its commands in order, every JOIN
 * sent before it has arrived too. The probe group is then left, so the dish drops any late probe.
 */
export async function radioHasJoins(radio: RadioLike, dish: DishLike): Promise<void> {
  const probe = `probe-${randomBytes(4).toString("hex")}`;
  dish.join(probe);
  const timeout = dish.receiveTimeout;
  dish.receiveTimeout = 25;
  try {
    for (;;) {
      await radio.send("probe", { group: probe });
      try {
        const [, { group }] = await dish.receive();
        if (group.toString() === probe) break;
      } catch (err) {
        if ((err as { code?: string }).code !== "EAGAIN") throw err;
      }
    }
  } finally {
    dish.receiveTimeout = timeout;
  }
  dish.leave(probe);
}

/** A bind address and what to connect to once bound, per transport. */
export const TRANSPORTS = {
  tcp: () => "tcp://127.0.0.1:*",
  ipc: tmpIpc,
  inproc: () => `inproc://draft-${randomBytes(6).toString("hex")}`,
} as const;

export type TransportName = keyof typeof TRANSPORTS;
