import { ZmqError } from "../errors.js";
import { Publisher } from "../sockets/pub.js";
import { Reply } from "../sockets/rep.js";
import type { Socket } from "../sockets/socket.js";
import { BufferingDevice, type BufferingDeviceOptions } from "./buffering-device.js";
import { createDevice, DEVICE_KINDS, type DeviceKind } from "./device-kinds.js";
import { attachEndpoints, parseEndpointSpecs } from "./endpoint-spec.js";
import type { TrafficCounts } from "./traffic-stats.js";

/** The names `openDevice` takes: {@link DEVICE_KINDS} and `"buffer"` (a {@link BufferingDevice}). */
export const ALL_DEVICE_KINDS = [...DEVICE_KINDS, "buffer"] as const;
/** One of {@link ALL_DEVICE_KINDS}. */
export type AnyDeviceKind = DeviceKind | "buffer";

/** Where each socket of a device goes, in endpoint notation (`@` binds, `>` connects; plain binds). */
export interface DeviceEndpoints {
  frontEnd: string;
  backEnd: string;
  /** A PUB socket that gets a copy of every message (not for the buffer device). */
  capture?: string;
  /** A REP socket for PAUSE, RESUME, TERMINATE and STATISTICS. */
  control?: string;
  /** Options of the buffer device. */
  buffer?: Omit<BufferingDeviceOptions, "control">;
}

/** A device ready to run, and the endpoints its sockets are bound to. */
export interface OpenedDevice {
  readonly kind: AnyDeviceKind;
  readonly bound: { frontEnd: string[]; backEnd: string[]; capture: string[]; control: string[] };
  /** Runs the device; resolves once it has ended (`terminate()`, or TERMINATE on its control socket) and closed its sockets. */
  run(): Promise<void>;
  /** Ends the device; `run()` then resolves. */
  terminate(): void;
  /** Messages and bytes passed each way since the device started. */
  statistics(): TrafficCounts;
}

/** How long a control socket may take to deliver its answer to TERMINATE. */
const CONTROL_LINGER_MS = 1000;

/**
 * Builds a device of any kind and attaches its sockets; the command-line `proxy` is this. If an
 * endpoint is bad, every socket made so far is closed and the error (EINVAL, EADDRINUSE, ...)
 * is thrown.
 */
export async function openDevice(kind: AnyDeviceKind, endpoints: DeviceEndpoints): Promise<OpenedDevice> {
  if (!(ALL_DEVICE_KINDS as readonly string[]).includes(kind)) {
    throw new ZmqError("EINVAL", `unknown device kind ${JSON.stringify(kind)}; expected ${ALL_DEVICE_KINDS.join(", ")}`);
  }
  const frontSpecs = parseEndpointSpecs(endpoints.frontEnd, "bind");
  const backSpecs = parseEndpointSpecs(endpoints.backEnd, "bind");
  const captureSpecs = endpoints.capture === undefined ? [] : parseEndpointSpecs(endpoints.capture, "bind");
  const controlSpecs = endpoints.control === undefined ? [] : parseEndpointSpecs(endpoints.control, "bind");
  if (kind === "buffer" && captureSpecs.length > 0) throw new ZmqError("EINVAL", "the buffer device has no capture socket");

  const made: Array<{ close(): unknown }> = [];
  const keep = <T extends { close(): unknown }>(s: T): T => {
    made.push(s);
    return s;
  };
  let device: ({ frontEnd: Socket; backEnd: Socket } & Pick<OpenedDevice, "run" | "terminate" | "statistics">) | null = null;
  try {
    const control = controlSpecs.length > 0 ? keep(new Reply({ linger: CONTROL_LINGER_MS })) : undefined;
    const capture = captureSpecs.length > 0 ? keep(new Publisher()) : undefined;
    if (kind === "buffer") {
      device = new BufferingDevice({ ...endpoints.buffer, ...(control === undefined ? {} : { control }) });
    } else {
      device = createDevice(kind, { ...(control === undefined ? {} : { control }), ...(capture === undefined ? {} : { capture }) });
    }
    keep(device.frontEnd);
    keep(device.backEnd);
    const bound = {
      frontEnd: await attachEndpoints(device.frontEnd, frontSpecs),
      backEnd: await attachEndpoints(device.backEnd, backSpecs),
      capture: capture === undefined ? [] : await attachEndpoints(capture, captureSpecs),
      control: control === undefined ? [] : await attachEndpoints(control, controlSpecs),
    };
    const opened = device;
    return {
      kind,
      bound,
      run: () => opened.run(),
      terminate: () => opened.terminate(),
      statistics: () => opened.statistics(),
    };
  } catch (err) {
    if (device !== null) {
      // Running a terminated device releases what it holds (a buffer's spill file) and closes its sockets.
      device.terminate();
      await device.run().catch(() => undefined);
    }
    await Promise.all(made.map((s) => s.close()));
    throw err;
  }
}
