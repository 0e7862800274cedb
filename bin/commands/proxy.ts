import { ALL_DEVICE_KINDS, openDevice, type AnyDeviceKind, type DeviceEndpoints } from "../../lib/devices/index.js";
import { intValue, sizeValue, type ParsedArgs } from "../cli/args.js";
import { CliError } from "../cli/cli-error.js";
import type { Command } from "../cli/command.js";
import { EXIT } from "../cli/exit-codes.js";
import { logLine, stopSignal, whenAborted } from "../cli/runtime.js";

export const proxyCommand: Command = {
  spec: {
    name: "proxy",
    summary: "run a device: queue, forwarder, streamer or buffer",
    usage: "KIND --frontend ENDPOINTS --backend ENDPOINTS [options]",
    positionals: true,
    options: [
      { name: "frontend", short: "F", kind: "value", value: "ENDPOINTS", description: "where the front-end socket binds (@addr or addr) or connects (>addr); comma-separated" },
      { name: "backend", short: "B", kind: "value", value: "ENDPOINTS", description: "the same for the back-end socket" },
      { name: "capture", kind: "value", value: "ENDPOINTS", description: "a PUB socket that gets a copy of every message (not for buffer)" },
      { name: "control", kind: "value", value: "ENDPOINTS", description: "a REP socket taking PAUSE, RESUME, TERMINATE, STATISTICS" },
      { name: "memory", kind: "value", value: "SIZE", default: "64M", description: "buffer: bytes held in memory before spilling to the file" },
      { name: "spill-file", kind: "value", value: "PATH", description: "buffer: overflow file, also where the queue is saved on stop and reloaded on start" },
      { name: "disk", kind: "value", value: "SIZE", default: "1G", description: "buffer: the most the spill file may grow to" },
      { name: "ack-timeout", kind: "value", value: "MS", default: "30000", description: "buffer: how long a consumer may hold a message before it is given to another" },
    ],
    details: [
      "kinds:",
      "  queue      ROUTER front-end for clients (REQ, DEALER), DEALER back-end for workers (REP, DEALER)",
      "  forwarder  XSUB front-end for publishers, XPUB back-end for subscribers; subscriptions go upstream",
      "  streamer   PULL front-end for producers (PUSH), PUSH back-end for consumers (PULL)",
      "  buffer     PULL front-end for producers, ROUTER back-end where consumers ask with REQ for each",
      "             message; holds a burst in memory then on disk while consumers are slow or away",
      "Runs until SIGINT/SIGTERM or TERMINATE on the control socket (exit 0); the buffer then saves its queue.",
    ].join("\n"),
    examples: [
      "wiremq proxy queue --frontend 'tcp://*:5559' --backend 'tcp://*:5560' --control 'tcp://127.0.0.1:5561'",
      "wiremq proxy forwarder -F '@tcp://*:5570' -B '@tcp://*:5571' --capture ipc:///tmp/capture",
      "wiremq proxy buffer -F 'tcp://*:5580' -B 'tcp://*:5581' --memory 16M --spill-file /var/tmp/q.spill",
    ],
  },
  run: proxy,
};

async function proxy(args: ParsedArgs): Promise<typeof EXIT.OK> {
  const [kind, ...extra] = args.positionals;
  if (kind === undefined) throw new CliError("EINVAL", `give the device kind: ${ALL_DEVICE_KINDS.join(", ")}`);
  if (extra.length > 0) throw new CliError("EINVAL", `unexpected argument ${JSON.stringify(extra[0])}`);
  if (!(ALL_DEVICE_KINDS as readonly string[]).includes(kind)) throw new CliError("EINVAL", `unknown device kind ${JSON.stringify(kind)}; one of ${ALL_DEVICE_KINDS.join(", ")}`);
  const frontEnd = args.values.get("frontend");
  const backEnd = args.values.get("backend");
  if (frontEnd === undefined || backEnd === undefined) throw new CliError("EINVAL", "--frontend and --backend are required");
  const bufferOnly = ["memory", "spill-file", "disk", "ack-timeout"].filter((o) => args.values.has(o));
  if (kind !== "buffer" && bufferOnly.length > 0) throw new CliError("EINVAL", `--${bufferOnly[0]} is for the buffer device only`);

  const endpoints: DeviceEndpoints = { frontEnd, backEnd };
  const capture = args.values.get("capture");
  const control = args.values.get("control");
  if (capture !== undefined) endpoints.capture = capture;
  if (control !== undefined) endpoints.control = control;
  if (kind === "buffer") {
    const memoryBytes = sizeValue(args, "memory");
    const diskBytes = sizeValue(args, "disk");
    const spillFile = args.values.get("spill-file");
    endpoints.buffer = {
      ...(memoryBytes === undefined ? {} : { memoryBytes }),
      ...(diskBytes === undefined ? {} : { diskBytes }),
      ...(spillFile === undefined ? {} : { spillFile }),
      ...(args.values.has("ack-timeout") ? { ackTimeout: intValue(args, "ack-timeout", 30_000) } : {}),
    };
  }

  const stop = stopSignal();
  const device = await openDevice(kind as AnyDeviceKind, endpoints);
  for (const [side, list] of Object.entries(device.bound)) for (const ep of list) logLine(`${side} bound ${ep}`);
  const running = device.run();
  void whenAborted(stop).then(() => device.terminate());
  try {
    await running;
  } finally {
    const s = device.statistics();
    logLine(
      `proxy ${kind} stopped: front-end in ${s.frontEnd.messagesIn} msgs/${s.frontEnd.bytesIn} B, out ${s.frontEnd.messagesOut}/${s.frontEnd.bytesOut} B; ` +
        `back-end in ${s.backEnd.messagesIn}/${s.backEnd.bytesIn} B, out ${s.backEnd.messagesOut}/${s.backEnd.bytesOut} B`,
    );
  }
  return EXIT.OK;
}
