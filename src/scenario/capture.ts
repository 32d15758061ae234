// `nslab run --pcap-dir DIR` and `--pcapng FILE`: every frame of every device of the run,
// written as it happens (through the writers' 64 KiB file buffers, so nothing accumulates).
//
// --pcap-dir: one classic pcap (µs, link type 1, snaplen 262144) per interface, named
// `<netns>_<ifname>.pcap` (`host` for the initial namespace), as fixtures/scenarios records
// them; an interface that never carries a frame still gets its 24-byte header.
// --pcapng: one file, one interface (IDB) per `<netns>/<ifname>`, the frames of all of them
// in the order they happened.
//
// A file (or pcapng interface) belongs to a (namespace, name) pair, not to a device object:
// a device moved to another namespace or renamed continues in the file of its new pair
// (created when it registers there, or at its first frame under a new name), and a device
// deleted and re-created under the same name in the same namespace continues the old file.
// Loopback frames are written once each (as tcpdump -i lo shows them), with all-zero MACs.
// Time stamps are the virtual clock's: the run starts at its epoch (2025-01-01 by default).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NetDevice } from '../kernel/device.ts';
import type { Tap } from '../kernel/netif.ts';
import type { NetNs } from '../kernel/netns.ts';
import type { DeviceListener, World } from '../kernel/world.ts';
import { LINKTYPE_ETHERNET, PcapWriter, PcapngWriter } from '../pcap/index.ts';

export interface RunCaptureOptions {
  /** Directory for one classic pcap per interface (created if missing). */
  pcapDir?: string;
  /** One pcapng file with an interface per device. */
  pcapng?: string;
}

/** Where a device's frames go while it keeps the namespace and name it had at the last frame. */
interface Route {
  ns: NetNs;
  name: string;
  pcap: PcapWriter | undefined;
  ifid: number;
}

/** The writers of one run; `close()` ends every file (call it even when the run fails). */
export class RunCapture {
  private readonly pcaps = new Map<string, PcapWriter>();
  private readonly ifids = new Map<string, number>();
  private readonly pcapng: PcapngWriter | undefined;
  private readonly routes = new WeakMap<NetDevice, Route>();
  private readonly tapped = new Set<NetDevice>();
  private error: unknown;
  private closed = false;
  /** The record handed to the writers, reused (they copy the bytes at once). */
  private readonly rec: { tsSec: number; tsNsec: number; data: Uint8Array; interfaceId: number } = {
    tsSec: 0, tsNsec: 0, data: new Uint8Array(0), interfaceId: 0,
  };
  private readonly tap: Tap = (frame, _direction, dev, timeMs) => this.write(frame, dev, timeMs);
  private readonly listener: DeviceListener = (dev, ns, registered) => {
    if (registered) this.attach(dev, ns);
  };

  /** Opens the files and taps every device of `world`, now and as devices appear. */
  constructor(private readonly world: World, private readonly opts: RunCaptureOptions) {
    if (opts.pcapDir !== undefined) mkdirSync(opts.pcapDir, { recursive: true });
    if (opts.pcapng !== undefined) {
      // Its folder is made if missing; any other problem shows when the file is opened.
      try {
        mkdirSync(dirname(opts.pcapng), { recursive: true });
      } catch {
        // reported by the open below
      }
    }
    this.pcapng = opts.pcapng === undefined ? undefined : PcapngWriter.file(opts.pcapng, { userAppl: 'nslab' });
    world.deviceListeners.push(this.listener);
    for (const ns of world.allNs()) for (const dev of ns.deviceList()) this.attach(dev, ns);
  }

  private nsName(ns: NetNs): string {
    return ns === this.world.host ? 'host' : ns.name;
  }

  private attach(dev: NetDevice, ns: NetNs): void {
    if (this.closed) return;
    this.routeFor(dev, ns);
    if (this.tapped.has(dev)) return;
    this.tapped.add(dev);
    dev.taps.push(this.tap);
  }

  /** The files of (ns, dev.name), opened on first need. */
  private routeFor(dev: NetDevice, ns: NetNs): Route {
    const key = `${this.nsName(ns)}_${dev.name}`;
    let pcap = this.pcaps.get(key);
    if (pcap === undefined && this.opts.pcapDir !== undefined && this.error === undefined) {
      try {
        pcap = PcapWriter.file(join(this.opts.pcapDir, `${key}.pcap`), { linkType: LINKTYPE_ETHERNET });
        this.pcaps.set(key, pcap);
      } catch (e) {
        this.error = e;
      }
    }
    let ifid = this.ifids.get(key) ?? -1;
    if (ifid < 0 && this.pcapng !== undefined) {
      ifid = this.pcapng.addInterface({ linkType: LINKTYPE_ETHERNET, name: `${this.nsName(ns)}/${dev.name}` });
      this.ifids.set(key, ifid);
    }
    const route: Route = { ns, name: dev.name, pcap, ifid };
    this.routes.set(dev, route);
    return route;
  }

  private write(frame: Uint8Array, dev: NetDevice, timeMs: number): void {
    let r = this.routes.get(dev);
    if (r === undefined || r.ns !== dev.ns || r.name !== dev.name) r = this.routeFor(dev, dev.ns);
    const us = Math.round(timeMs * 1000);
    const rec = this.rec;
    rec.tsSec = Math.floor(us / 1e6);
    rec.tsNsec = (us - rec.tsSec * 1e6) * 1000;
    rec.data = frame;
    rec.interfaceId = r.ifid;
    try {
      r.pcap?.write(rec);
      if (r.ifid >= 0) this.pcapng?.write(rec);
    } catch (e) {
      this.error ??= e;
    }
  }

  /**
   * Detaches from every device and closes every file (what is buffered is written). Throws
   * the first error met while writing, after closing everything.
   */
  close(): void {
    if (this.closed) return;
    // Devices renamed since their last frame still get a file under their final name.
    for (const ns of this.world.allNs()) {
      for (const dev of ns.deviceList()) {
        const r = this.routes.get(dev);
        if (r === undefined || r.ns !== dev.ns || r.name !== dev.name) this.routeFor(dev, ns);
      }
    }
    this.closed = true;
    const ls = this.world.deviceListeners;
    const i = ls.indexOf(this.listener);
    if (i >= 0) ls.splice(i, 1);
    for (const dev of this.tapped) {
      const k = dev.taps.indexOf(this.tap);
      if (k >= 0) dev.taps.splice(k, 1);
    }
    this.tapped.clear();
    for (const w of [...this.pcaps.values(), this.pcapng]) {
      try {
        w?.close();
      } catch (e) {
        this.error ??= e;
      }
    }
    if (this.error !== undefined) throw this.error;
  }
}

/** A capture for the run when either option asks for one. */
export function openRunCapture(world: World, opts: RunCaptureOptions): RunCapture | undefined {
  return opts.pcapDir === undefined && opts.pcapng === undefined ? undefined : new RunCapture(world, opts);
}
