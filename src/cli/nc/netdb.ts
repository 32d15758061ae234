// The name service nc sees in a fresh namespace: Debian's /etc/services for UDP, numeric
// addresses and "localhost" for hosts, and a DNS that never answers (a namespace has no route
// to one), so every other name fails the way getaddrinfo fails there.
import { inetAton } from '../ping.ts';

/** The udp entries of Debian's /etc/services (netbase): port, then the name and its aliases. */
const SERVICES_TEXT =
  '7:echo 9:discard,sink,null 13:daytime 19:chargen,ttytst,source 21:fsp,fspd 37:time,timserver 49:tacacs ' +
  '53:domain 67:bootps 68:bootpc 69:tftp 88:kerberos,kerberos5,krb5,kerberos-sec 111:sunrpc,portmapper 123:ntp ' +
  '137:netbios-ns 138:netbios-dgm 161:snmp 162:snmp-trap,snmptrap 163:cmip-man 164:cmip-agent 177:xdmcp 213:ipx ' +
  '319:ptp-event 320:ptp-general 369:rpc2portmap 370:codaauth2 371:clearcase,Clearcase 389:ldap 427:svrloc ' +
  '443:https 464:kpasswd 500:isakmp 554:rtsp 623:asf-rmcp 646:ldp 512:biff,comsat 513:who,whod 514:syslog ' +
  '517:talk 518:ntalk 520:route,router,routed 538:gdomap 546:dhcpv6-client 547:dhcpv6-server 636:ldaps 655:tinc ' +
  '853:domain-s 1194:openvpn 1434:ms-sql-m 1645:datametrics,old-radius 1646:sa-msg-port,old-radacct ' +
  '1701:l2f,l2tp 1812:radius 1813:radius-acct,radacct 2049:nfs 2086:gnunet 2101:rtcm-sc104 2430:venus ' +
  '2431:venus-se 2432:codasrv 2433:codasrv-se 2583:mon 3130:icpv2,icp 3205:isns 3493:nut 4500:ipsec-nat-t ' +
  '4569:iax 5060:sip 5061:sip-tls 5353:mdns 6346:gnutella-svc 6347:gnutella-rtr 6696:babel 7000:afs3-fileserver ' +
  '7001:afs3-callback 7002:afs3-prserver 7003:afs3-vlserver 7004:afs3-kaserver 7005:afs3-volser 7007:afs3-bos ' +
  '7008:afs3-update 7009:afs3-rmtsys 750:kerberos4,kerberos-iv,kdc 751:kerberos-master,kerberos_master ' +
  '752:passwd-server,passwd_server 2102:zephyr-srv 2103:zephyr-clt 2104:zephyr-hm 779:moira-ureg,moira_ureg ' +
  '1210:predict 5555:rplay 17001:sgi-cmsd 17002:sgi-crsd 17003:sgi-gcd 27374:asp';

let servicesCache: { byName: Map<string, number>; byPort: Map<number, string> } | undefined;

function services(): { byName: Map<string, number>; byPort: Map<number, string> } {
  if (servicesCache) return servicesCache;
  const byName = new Map<string, number>();
  const byPort = new Map<number, string>();
  for (const entry of SERVICES_TEXT.split(' ')) {
    const [p, names] = entry.split(':');
    const port = Number(p);
    const list = names.split(',');
    if (!byPort.has(port)) byPort.set(port, list[0]);
    for (const n of list) if (!byName.has(n)) byName.set(n, port);
  }
  servicesCache = { byName, byPort };
  return servicesCache;
}

/** getservbyname(name, "udp"). */
export function serviceByName(name: string): number | undefined {
  return services().byName.get(name);
}

/** getservbyport(port, "udp"). */
export function serviceByPort(port: number): string | undefined {
  return services().byPort.get(port);
}

/**
 * getaddrinfo for an IPv4 host: numeric forms (inet_aton's), and localhost from /etc/hosts; any
 * other name fails as in a namespace without a reachable DNS server (EAI_AGAIN), or with
 * AI_NUMERICHOST (-n) as not numeric (EAI_NONAME). Returns the address or gai_strerror's text.
 */
export function resolveHost(host: string, numericOnly: boolean): number | string {
  const a = inetAton(host);
  if (a !== undefined) return a;
  if (numericOnly) return 'Name or service not known';
  if (host === 'localhost') return 0x7f000001;
  return 'Temporary failure in name resolution';
}

/** getaddrinfo's service: a number (taken modulo 2^16, as glibc stores it) or a udp service name. */
export function resolveService(port: string): number | undefined {
  if (/^\d+$/.test(port)) return Number(BigInt(port) & 0xffffn);
  return serviceByName(port);
}
