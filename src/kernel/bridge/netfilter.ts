// br_netfilter's call points. On the reference kernel br_netfilter is built in and
// net.bridge.bridge-nf-call-iptables is 1 in every namespace, so bridged IPv4 frames traverse
// raw/mangle/nat PREROUTING, mangle/filter FORWARD and mangle/nat POSTROUTING (not INPUT/OUTPUT);
// with the sysctl at 0, a bridge's own nf_call_iptables option turns it back on for that bridge.
// The hooks below run the IPv4 tables (netfilter/hooks.ts) on bridged frames.
import { skbPool } from '../skb.ts';
import { fragment } from '../ipv4/fragment.ts';
import type { NetDevice } from '../device.ts';
import type { NetNs } from '../netns.ts';
import type { Bridge } from './bridge.ts';
import { NF_INET_FORWARD, NF_INET_POST_ROUTING, NF_INET_PRE_ROUTING, nfHook, nfHookActive, type PhysDevs } from '../netfilter/hooks.ts';

export interface BridgeNfHooks {
  /**
   * NF_BR_PRE_ROUTING (br_nf_pre_routing) for an IPv4 frame received on port device `inDev`;
   * the Ethernet header is at the slot's head. Returns false when the hook took the frame
   * (dropped or queued): the slot is then the hook's.
   */
  preRouting(slot: number, br: Bridge, inDev: NetDevice): boolean;
  /** NF_BR_FORWARD (br_nf_forward_ip): a frame about to leave `outDev`. */
  forward(slot: number, br: Bridge, inDev: NetDevice, outDev: NetDevice): boolean;
  /** NF_BR_POST_ROUTING (br_nf_post_routing). */
  postRouting(slot: number, br: Bridge, outDev: NetDevice): boolean;
}

export const bridgeNf: { hooks: BridgeNfHooks | undefined } = { hooks: undefined };

/**
 * Whether IPv4 frames bridged by `br` go through iptables (br_nf_pre_routing's
 * brnf_call_iptables || br_opt_get(br, BROPT_NF_CALL_IPTABLES)).
 */
export function nfCallIptables(br: Bridge): boolean {
  const sysctl = br.ns.sysctl;
  if (br.nfGeneration !== sysctl.generation) {
    br.nfOn = sysctl.get('net.bridge.bridge-nf-call-iptables') !== '0';
    br.nfGeneration = sysctl.generation;
  }
  return br.nfOn || br.nfCallIptables !== 0;
}

// ---- the hooks (br_netfilter_hooks.c), stateless ---------------------------------------

/**
 * Runs IPv4 `hook` on a bridged frame (Ethernet header at the slot's head): the logical
 * devices are the bridge, the ports are the physdev ones. br_validate_ipv4's checks drop a
 * frame whose IPv4 header is bad.
 */
function bridgeHook(hook: number, slot: number, br: Bridge, inDev: NetDevice | undefined, outDev: NetDevice | undefined, physIn: NetDevice | undefined, physOut: NetDevice | undefined): boolean {
  // Kept small (inlined into the bridge's hot path): the work is out of line.
  if (!nfHookActive(br.ns, hook)) return true;
  return bridgeHookSlow(hook, slot, br, inDev, outDev, physIn, physOut);
}

function bridgeHookSlow(hook: number, slot: number, br: Bridge, inDev: NetDevice | undefined, outDev: NetDevice | undefined, physIn: NetDevice | undefined, physOut: NetDevice | undefined): boolean {
  const ns = br.ns;
  const pool = skbPool;
  const b = pool.data[slot];
  const nh = pool.head[slot] + 14;
  const avail = pool.head[slot] + pool.len[slot] - nh;
  if (avail < 20 || b[nh] >>> 4 !== 4 || (b[nh] & 0x0f) < 5 || avail < ((b[nh + 2] << 8) | b[nh + 3])) {
    pool.release(slot);
    return false;
  }
  // Relative to the head: conntrack's defragmentation may move the packet to a new buffer.
  const savedNh = pool.nh[slot] - pool.head[slot];
  pool.nh[slot] = nh;
  phys.physIn = physIn;
  phys.physOut = physOut;
  const ok = nfHook(ns, hook, slot, inDev, outDev, phys);
  phys.physIn = phys.physOut = undefined;
  if (ok && hook === NF_INET_POST_ROUTING && pool.fragMax[slot] !== 0 && physOut !== undefined) {
    // br_nf_dev_queue_xmit: a datagram conntrack reassembled leaves the port in pieces no larger
    // than those it came in, each with the frame's Ethernet header.
    refragment(ns, slot, physOut);
    return false;
  }
  if (ok) {
    pool.nh[slot] = pool.head[slot] + savedNh;
    // Set for a local delivery's ip_rcv; cleared as the frame leaves by a port.
    pool.nfBridged[slot] = hook === NF_INET_POST_ROUTING ? 0 : 1;
  }
  return ok;
}

/** Sends the IPv4 datagram of a bridged frame out of `port` in fragments (the slot is consumed). */
function refragment(ns: NetNs, slot: number, port: NetDevice): void {
  const pool = skbPool;
  const eth = pool.data[slot].slice(pool.head[slot], pool.head[slot] + 14);
  const max = pool.fragMax[slot];
  const mtu = max < port.mtu ? max : port.mtu;
  fragment(pool, slot, mtu, (f) => {
    const h = pool.push(f, 14);
    pool.data[f].set(eth, h);
    ns.world.net.xmit(f, port);
  });
  pool.release(slot);
}

const phys: PhysDevs = { physIn: undefined, physOut: undefined };
/** The ingress port of the frame between the FORWARD and POSTROUTING calls. */
let forwardedFrom: NetDevice | undefined;

bridgeNf.hooks = {
  preRouting(slot, br, inDev) {
    return bridgeHook(NF_INET_PRE_ROUTING, slot, br, br, undefined, inDev, undefined);
  },
  forward(slot, br, inDev, outDev) {
    forwardedFrom = inDev;
    return bridgeHook(NF_INET_FORWARD, slot, br, br, br, inDev, outDev);
  },
  postRouting(slot, br, outDev) {
    const from = forwardedFrom;
    forwardedFrom = undefined;
    return bridgeHook(NF_INET_POST_ROUTING, slot, br, undefined, br, from, outDev);
  },
};
