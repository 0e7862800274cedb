// Every role a worker process can play, by the name the parent asks for.
import type { Role } from "./role.js";
import { burstReceive, burstSend } from "./burst.js";
import { dealerPeers, routerIdle } from "./idle-peers.js";
import { fanThreads } from "./fan-threads.js";
import { publishSend, subscribeReceive } from "./pub-sub.js";
import { pullReceive, pushPullLocal, pushSend } from "./push-pull.js";
import { pushPullThreads } from "./push-pull-threads.js";
import { replyEcho, requestTimed } from "./req-rep.js";

export const roles: Readonly<Record<string, Role>> = {
  "pull-receive": pullReceive,
  "push-send": pushSend,
  "push-pull-local": pushPullLocal,
  "push-pull-threads": pushPullThreads,
  "fan-threads": fanThreads,
  "reply-echo": replyEcho,
  "request-timed": requestTimed,
  "pub-send": publishSend,
  "sub-receive": subscribeReceive,
  "burst-receive": burstReceive,
  "burst-send": burstSend,
  "router-idle": routerIdle,
  "dealer-peers": dealerPeers,
};
