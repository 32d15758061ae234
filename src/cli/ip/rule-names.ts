// Names `ip rule` reads and prints: the rule actions (through rtnl_rtntype_a2n) and IP protocol
// names (/etc/protocols, as inet_proto_a2n/n2a look them up).
import type { RuleAction } from '../../kernel/ipv4/rules.ts';

/** [word, exact?, action]: rtnl_rtntype_a2n's names that are rule actions. */
export const FR_ACT_NAMES: ReadonlyArray<[string, boolean, RuleAction]> = [
  ['prohibit', false, 'prohibit'], ['unreachable', false, 'unreachable'], ['blackhole', false, 'blackhole'],
];

/** /etc/protocols names by number (the common ones). */
export const IPPROTO_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  const known: Record<number, string> = {
    0: 'ip', 1: 'icmp', 2: 'igmp', 4: 'ipencap', 6: 'tcp', 8: 'egp', 12: 'pup', 17: 'udp', 20: 'hmp', 22: 'xns-idp',
    27: 'rdp', 29: 'iso-tp4', 33: 'dccp', 36: 'xtp', 37: 'ddp', 38: 'idpr-cmtp', 41: 'ipv6', 43: 'ipv6-route',
    44: 'ipv6-frag', 45: 'idrp', 46: 'rsvp', 47: 'gre', 50: 'esp', 51: 'ah', 57: 'skip', 58: 'ipv6-icmp',
    59: 'ipv6-nonxt', 60: 'ipv6-opts', 73: 'rspf', 81: 'vmtp', 88: 'eigrp', 89: 'ospf', 93: 'ax.25', 94: 'ipip',
    97: 'etherip', 98: 'encap', 103: 'pim', 108: 'ipcomp', 112: 'vrrp', 115: 'l2tp', 124: 'isis', 132: 'sctp',
    133: 'fc', 135: 'mobility-header', 136: 'udplite', 137: 'mpls-in-ip', 138: 'manet', 139: 'hip', 140: 'shim6',
    141: 'wesp', 142: 'rohc', 143: 'ethernet', 262: 'mptcp',
  };
  for (const [n, name] of Object.entries(known)) names[Number(n)] = name;
  return names;
})();
