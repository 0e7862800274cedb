import type { Pipe } from "../engine/pipe.js";
import { UdpEngine, type UdpRole } from "../engine/udp-engine.js";
import { bindUdp, openUdp, parseUdp } from "../transports/udp.js";
import type { UdpEndpoints } from "./udp-registry.js";

/**
 * The udp:// endpoints of one RADIO, DISH or DGRAM socket: each is a pipe of its own, served
 * by a UdpEngine, attached like a connection's pipe.
 */
export class UdpLinks implements UdpEndpoints {
  private readonly engines = new Set<UdpEngine>();
  /** The last udp endpoint bound, as libzmq reports it ("host:port", no scheme). */
  lastBound: string | null = null;

  constructor(private readonly openPipe: (endpoint: string) => Pipe) {}

  async bind(address: string, role: UdpRole): Promise<void> {
    const ep = parseUdp(address, true);
    const { port, boundPort } = await bindUdp(ep, address);
    let pipe: Pipe;
    try {
      pipe = this.openPipe(address);
    } catch (err) {
      port.close();
      throw err;
    }
    this.engines.add(new UdpEngine(port, pipe, role));
    this.lastBound = `${ep.host}:${boundPort}`;
  }

  connect(address: string): void {
    const ep = parseUdp(address, false);
    const pipe = this.openPipe(address);
    this.engines.add(new UdpEngine(openUdp(ep), pipe, { kind: "radio", host: ep.host, port: ep.port }));
  }

  close(): void {
    for (const engine of this.engines) engine.destroy();
    this.engines.clear();
  }
}
