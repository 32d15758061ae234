// br_netfilter's call points. On the reference kernel br_netfilter is built in and
// net.bridge.bridge-nf-call-iptables is 1 in every namespace, so bridged IPv4 frames traverse
// raw/mangle/nat PREROUTING, mangle/filter FORWARD and mangle/nat POSTROUTING (not INPUT/OUTPUT);
// with the sysctl at 0, a bridge's own nf_call_iptables option turns it back on for that bridge.
// The netfilter issue installs `bridgeNf.hooks`; until then every frame passes and the bridge's
// hot path pays one property check.
import type { NetDevice } from '../device.ts';
import type { Bridge } from './bridge.ts';

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
