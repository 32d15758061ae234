// A multicast-snooping bridge joins the all-snoopers groups (224.0.0.106 and ff02::6a) on its
// own device (br_multicast_join_snoopers). Joining and leaving make the IPv4 stack send IGMPv3
// state-change reports: two of them (robustness 2), the first 2 jiffies after the change, the
// second a random time below the unsolicited report interval (1 s) later. With IPv6 disabled the
// MLD reports are only counted and discarded.
import { NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING, nfHook } from '../netfilter/hooks.ts';
import type { Bridge } from './bridge.ts';
import { BrTimer, jiffiesNow, HZ } from './timer.ts';
import { inetSelectAddr } from '../ipv4/route-lookup.ts';
import { IP_OUT_REQUESTS, IP_OUT_TRANSMITS, IPEXT_OUT_OCTETS } from '../ipv4/snmp.ts';
import { internetChecksum } from '../../wire/checksum.ts';

const IPEXT_OUT_MCAST_PKTS = 3;
const IPEXT_OUT_MCAST_OCTETS = 9;
const ALL_SNOOPERS = 0xe000006a;
const IGMPV3_ALL_MCR = 0xe0000016;
/** Record types: CHANGE_TO_INCLUDE (a leave) and CHANGE_TO_EXCLUDE (a join). */
const TO_IN = 3;
const TO_EX = 4;
const QRV = 2;

/** The IGMP state of the bridge device's in_device for the all-snoopers group. */
export class SnooperGroup {
  /** Reports still owed (im->crcount), and of which kind. */
  private crcount = 0;
  private recordType = TO_EX;
  /** mr_ifc_count. */
  private ifcCount = 0;
  private readonly timer: BrTimer;
  /** The group is joined (its MACs are in the device's multicast list). */
  joined = false;
  /** It was joined while the device was up (so after 224.0.0.1 in the list). */
  joinedAfterAllHosts = false;

  constructor(private readonly br: Bridge) {
    this.timer = new BrTimer(br.ns.world, () => this.expire());
  }

  /** ip_mc_inc_group / igmp_group_added for 224.0.0.106; `up`: the device is already up. */
  join(up: boolean): void {
    if (this.joined) return;
    this.joined = true;
    this.joinedAfterAllHosts = up;
    this.change(TO_EX);
    if (up) countMld(this.br);
  }

  /** ip_mc_dec_group: a leave report when the device is up. */
  leave(): void {
    if (!this.joined) return;
    this.joined = false;
    if (!this.br.up) return;
    this.change(TO_IN);
    countMld(this.br);
  }

  /**
   * br_dev_stop: the groups are left (the leave report's timer is cancelled by ip_mc_down, so
   * nothing is sent), pending reports go too.
   */
  stop(): void {
    this.joined = false;
    this.timer.del();
    this.crcount = 0;
    this.ifcCount = 0;
  }

  private change(type: number): void {
    this.recordType = type;
    this.crcount = QRV;
    this.ifcCount = QRV;
    this.timer.mod(jiffiesNow(this.br.ns.world) + 2);
  }

  /** igmp_ifc_timer_expire. */
  private expire(): void {
    if (this.crcount > 0 && this.br.up) {
      this.crcount--;
      sendReport(this.br, this.recordType);
    }
    if (this.ifcCount > 0) {
      this.ifcCount--;
      this.timer.mod(jiffiesNow(this.br.ns.world) + this.br.ns.world.rng.below(HZ) + 2);
    }
  }
}

/** An IGMPv3 report about 224.0.0.106, 54 bytes, out of the bridge device. */
function sendReport(br: Bridge, recordType: number): void {
  const ns = br.ns;
  const net = ns.world.net;
  const slot = net.pool.alloc(54);
  const b = net.pool.data[slot];
  const o = net.pool.head[slot];
  b.set([0x01, 0x00, 0x5e, 0x00, 0x00, 0x16], o);
  b.set(br.mac, o + 6);
  b[o + 12] = 0x08;
  b[o + 13] = 0x00;
  const ip = o + 14;
  const src = inetSelectAddr(ns, br, 0, 253);
  b.set([0x46, 0xc0, 0x00, 0x28, 0, 0, 0x40, 0, 1, 2, 0, 0], ip);
  setU32(b, ip + 12, src);
  setU32(b, ip + 16, IGMPV3_ALL_MCR);
  b.set([0x94, 0x04, 0x00, 0x00], ip + 20);
  const ck = internetChecksum(b, ip, 24);
  b[ip + 10] = ck >>> 8;
  b[ip + 11] = ck & 0xff;
  const igmp = ip + 24;
  b.set([0x22, 0, 0, 0, 0, 0, 0, 1, recordType, 0, 0, 0], igmp);
  setU32(b, igmp + 12, ALL_SNOOPERS);
  const ick = internetChecksum(b, igmp, 16);
  b[igmp + 2] = ick >>> 8;
  b[igmp + 3] = ick & 0xff;
  net.pool.nh[slot] = ip;
  const snmp = ns.inet.snmp;
  snmp.ip[IP_OUT_REQUESTS]++;
  snmp.ip[IP_OUT_TRANSMITS]++;
  snmp.ipExt[IPEXT_OUT_MCAST_PKTS]++;
  snmp.ipExt[IPEXT_OUT_OCTETS] += 40;
  snmp.ipExt[IPEXT_OUT_MCAST_OCTETS] += 40;
  // ip_local_out, ip_output: the report passes the OUTPUT and POSTROUTING hooks (and is tracked).
  if (!nfHook(ns, NF_INET_LOCAL_OUT, slot, undefined, br)) return;
  if (!nfHook(ns, NF_INET_POST_ROUTING, slot, undefined, br)) return;
  net.xmit(slot, br);
}

function setU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** The two MLDv2 reports a join or leave of ff02::6a tries to send while up; IPv6 is off, so discarded. */
function countMld(br: Bridge): void {
  const extra = br.ns.inet.snmp.extra;
  for (const k of ['Ip6OutRequests', 'Ip6OutDiscards', 'Icmp6OutMsgs', 'Icmp6OutMLDv2Reports', 'Icmp6OutType143']) {
    extra.set(k, (extra.get(k) ?? 0) + 2);
  }
}
