// BPDUs (net/bridge/br_stp_bpdu.c): configuration and topology change notification BPDUs in an
// 802.3 frame with an LLC header (DSAP/SSAP 0x42, UI) to the bridge group address, times in
// 1/256 s, and their reception on a port.
import type { BridgePort, BridgeId } from './port.ts';
import { BR_BPDU_GUARD, BR_STATE_DISABLED } from './port.ts';
import { HZ } from './timer.ts';

export const BPDU_TYPE_CONFIG = 0;
export const BPDU_TYPE_TCN = 0x80;

export interface ConfigBpdu {
  topologyChange: number;
  topologyChangeAck: number;
  root: BridgeId;
  rootPathCost: number;
  bridgeId: BridgeId;
  portId: number;
  /** Times in jiffies. */
  messageAge: number;
  maxAge: number;
  helloTime: number;
  forwardDelay: number;
}

/** JIFFIES_TO_TICKS / TICKS_TO_JIFFIES (STP ticks are 1/256 s). */
function toTicks(j: number): number {
  return Math.floor((j * 256) / HZ) & 0xffff;
}

function fromTicks(t: number): number {
  return Math.floor((t * HZ) / 256);
}

/** The 35 bytes after the LLC header of a configuration BPDU. */
export function encodeConfigBpdu(b: ConfigBpdu): Uint8Array {
  const buf = new Uint8Array(35);
  buf[3] = BPDU_TYPE_CONFIG;
  buf[4] = (b.topologyChange ? 0x01 : 0) | (b.topologyChangeAck ? 0x80 : 0);
  buf.set(b.root, 5);
  buf[13] = (b.rootPathCost >>> 24) & 0xff;
  buf[14] = (b.rootPathCost >>> 16) & 0xff;
  buf[15] = (b.rootPathCost >>> 8) & 0xff;
  buf[16] = b.rootPathCost & 0xff;
  buf.set(b.bridgeId, 17);
  buf[25] = (b.portId >>> 8) & 0xff;
  buf[26] = b.portId & 0xff;
  const times = [b.messageAge, b.maxAge, b.helloTime, b.forwardDelay];
  times.forEach((j, i) => {
    const t = toTicks(j);
    buf[27 + 2 * i] = t >>> 8;
    buf[28 + 2 * i] = t & 0xff;
  });
  return buf;
}

/** br_send_bpdu: LLC UI frame from the port's MAC to the group address, out of the port. */
function sendBpdu(p: BridgePort, data: Uint8Array): void {
  const net = p.br.ns.world.net;
  const len = 14 + 3 + data.length;
  const slot = net.pool.alloc(len);
  const b = net.pool.data[slot];
  const o = net.pool.head[slot];
  b.set(p.br.groupAddr, o);
  b.set(p.dev.mac, o + 6);
  b[o + 12] = (3 + data.length) >>> 8;
  b[o + 13] = (3 + data.length) & 0xff;
  b[o + 14] = 0x42;
  b[o + 15] = 0x42;
  b[o + 16] = 0x03;
  b.set(data, o + 17);
  net.xmit(slot, p.dev);
}

export function sendConfigBpdu(p: BridgePort, bpdu: ConfigBpdu): void {
  if (p.br.stpEnabled !== 1) return;
  sendBpdu(p, encodeConfigBpdu(bpdu));
}

export function sendTcnBpdu(p: BridgePort): void {
  if (p.br.stpEnabled !== 1) return;
  sendBpdu(p, Uint8Array.of(0, 0, 0, BPDU_TYPE_TCN));
}

export interface StpHandlers {
  config(p: BridgePort, bpdu: ConfigBpdu): void;
  tcn(p: BridgePort): void;
  disablePort(p: BridgePort): void;
}

/**
 * br_stp_rcv for a frame received on port `p` (the Ethernet header at `o`): an 802.3 length,
 * the LLC header 42 42 03, protocol 0 version 0, then the BPDU.
 */
export function stpRcv(p: BridgePort, b: Uint8Array, o: number, end: number, h: StpHandlers): void {
  const br = p.br;
  const type = (b[o + 12] << 8) | b[o + 13];
  if (type > 1500) return;
  const llc = o + 14;
  if (llc + 3 > end || b[llc] !== 0x42 || b[llc + 1] !== 0x42 || b[llc + 2] !== 0x03) return;
  const d = llc + 3;
  if (d + 4 > end || b[d] !== 0 || b[d + 1] !== 0 || b[d + 2] !== 0) return;
  if (br.stpEnabled !== 1 || !br.up || p.state === BR_STATE_DISABLED) return;
  for (let i = 0; i < 6; i++) if (b[o + i] !== br.groupAddr[i]) return;
  if (p.flags & BR_BPDU_GUARD) {
    h.disablePort(p);
    return;
  }
  const t = b[d + 3];
  if (t === BPDU_TYPE_CONFIG) {
    const q = d + 3;
    if (q + 32 > end) return;
    const ticks = (i: number) => fromTicks((b[q + i] << 8) | b[q + i + 1]);
    const bpdu: ConfigBpdu = {
      topologyChange: b[q + 1] & 0x01 ? 1 : 0,
      topologyChangeAck: b[q + 1] & 0x80 ? 1 : 0,
      root: b.slice(q + 2, q + 10),
      rootPathCost: ((b[q + 10] << 24) | (b[q + 11] << 16) | (b[q + 12] << 8) | b[q + 13]) >>> 0,
      bridgeId: b.slice(q + 14, q + 22),
      portId: (b[q + 22] << 8) | b[q + 23],
      messageAge: ticks(24),
      maxAge: ticks(26),
      helloTime: ticks(28),
      forwardDelay: ticks(30),
    };
    if (bpdu.messageAge > bpdu.maxAge) return;
    h.config(p, bpdu);
  } else if (t === BPDU_TYPE_TCN) {
    h.tcn(p);
  }
}
