import type { Msg } from "../engine/pipe.js";
import { zmqError } from "../errors.js";
import type { FairQueue } from "./routing/fair-queue.js";

/** The draft socket types carry one frame per message; libzmq refuses more with EINVAL. */
export function refuseMultipart(frames: number): void {
  if (frames > 1) throw zmqError("EINVAL", "Invalid argument");
}

/** The next single-frame message; a multipart one that arrives is thrown away whole, as libzmq does. */
export function receiveSinglePart(fq: FairQueue): Msg | undefined {
  for (;;) {
    const msg = fq.recv();
    if (msg === undefined || msg.length === 1) return msg;
  }
}
