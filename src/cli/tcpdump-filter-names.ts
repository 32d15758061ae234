/**
 * Names and address literals in capture filters.
 *
 * The port and protocol names tcpdump resolves through getservbyname()/getprotobyname(): the
 * contents of Debian's netbase /etc/services and /etc/protocols (as installed beside the
 * tcpdump 4.99.3 the fixtures were recorded with), so that `port http` or `ip proto \tcp`
 * mean the same as on that system. Host and network names are never resolved.
 */

/** `name=port` plus `t` (TCP only) or `u` (UDP only); no suffix: the same port for both. */
const SERVICES =
  'Clearcase=371u acr-nema=104t afpovertcp=548t afs3-bos=7007u afs3-callback=7001u ' +
  'afs3-fileserver=7000u afs3-kaserver=7004u afs3-prserver=7002u afs3-rmtsys=7009u afs3-update=7008u ' +
  'afs3-vlserver=7003u afs3-volser=7005u amanda=10080t amandaidx=10082t amidxtape=10083t amqp=5672t ' +
  'amqps=5671t asf-rmcp=623u asp=27374 auth=113t authentication=113t babel=6696u bacula-dir=9101t ' +
  'bacula-fd=9102t bacula-sd=9103t bbs=7000t bgp=179t bgpd=2605t biff=512u binkp=24554t bootpc=68u ' +
  'bootps=67u canna=5680t cfengine=5308t chargen=19 cisco-sccp=2000t clc-build-daemon=8990t ' +
  'clearcase=371u cmd=514t cmip-agent=164 cmip-man=163 codaauth2=370 codasrv=2432 codasrv-se=2433 ' +
  'comsat=512u csync2=30865t cvspserver=2401t daap=3689t datametrics=1645 daytime=13 db-lsp=17500t ' +
  'dcap=22125t dhcpv6-client=546u dhcpv6-server=547u dicom=104t dict=2628t dircproxy=57000t discard=9 ' +
  'distcc=3632t domain=53 domain-s=853 echo=7 epmap=135t epmd=4369t exec=512t f5-globalsite=2792t ' +
  'f5-iquery=4353t fax=4557t fido=60179t finger=79t font-service=7100t freeciv=5556t fsp=21u fspd=21u ' +
  'ftp=21t ftp-data=20t ftps=990t ftps-data=989t gdomap=538 gds-db=3050t gds_db=3050t git=9418t ' +
  'gnunet=2086 gnutella-rtr=6347 gnutella-svc=6346 gopher=70t gpsd=2947t gris=2135t groupwise=1677t ' +
  'gsidcap=22128t gsiftp=2811t gsigatekeeper=2119t hkp=11371t hprop=754t http=80t http-alt=8080t ' +
  'https=443 hylafax=4559t iax=4569u icp=3130u icpv2=3130u ident=113t imap=143t imap2=143t imaps=993t ' +
  'ingreslock=1524t ipp=631t iprop=2121t ipsec-nat-t=4500u ipx=213u ircd=6667t ircs-u=6697t isakmp=500u ' +
  'iscsi-target=3260t isisd=2608t isns=3205 iso-tsap=102t jabber-client=5222t jabber-server=5269t ' +
  'kamanda=10081t kdc=750 kerberos=88 kerberos-adm=749t kerberos-iv=750 kerberos-master=751 ' +
  'kerberos-sec=88 kerberos4=750 kerberos5=88 kerberos_master=751u kermit=1649t klogin=543t kpasswd=464 ' +
  'krb-prop=754t krb5=88 krb5_prop=754t krb_prop=754t krcmd=544t kshell=544t l2f=1701u l2tp=1701u ' +
  'ldap=389 ldaps=636 ldp=646 loc-srv=135t login=513t lotusnote=1352t lotusnotes=1352t lrrd=4949t ' +
  'mail=25t mailq=174t mdns=5353u microsoft-ds=445t moira-db=775t moira-update=777t moira-ureg=779u ' +
  'moira_db=775t moira_update=777t moira_ureg=779u mon=2583 ms-sql-m=1434u ms-sql-s=1433t ' +
  'ms-wbt-server=3389t mtn=4691t munin=4949t mysql=3306t mysql-proxy=6446t nbd=10809t netbios-dgm=138u ' +
  'netbios-ns=137u netbios-ssn=139t netstat=15t nfs=2049 nicname=43t nntp=119t nntps=563t nqs=607t ' +
  'nrpe=5666t nsca=5667t ntalk=518u ntp=123u ntske=4460t null=9 nut=3493 old-radacct=1646 ' +
  'old-radius=1645 omniorb=8088t openvpn=1194 ospf6d=2606t ospfapi=2607t ospfd=2604t passwd-server=752u ' +
  'passwd_server=752u pawserv=345t pop-3=110t pop3=110t pop3s=995t poppassd=106t portmapper=111 ' +
  'postgres=5432t postgresql=5432t predict=1210u printer=515t proofd=1093t ptp-event=319u ' +
  'ptp-general=320u puppet=8140t qmqp=628t qmtp=209t qotd=17t quote=17t radacct=1813 radius=1812 ' +
  'radius-acct=1813 radmin-port=4899t readnews=119t redis=6379t remctl=4373t ripd=2602t ripngd=2603t ' +
  'rmiregistry=1099t rmtcfg=1236t rootd=1094t route=520u routed=520u router=520u rpc2portmap=369 ' +
  'rplay=5555u rptp=5556t rsync=873t rtcm-sc104=2101 rtsp=554 sa-msg-port=1646 saft=487t sane=6566t ' +
  'sane-port=6566t saned=6566t sge-execd=6445t sge-qmaster=6444t sge_execd=6445t sge_qmaster=6444t ' +
  'sgi-cad=17004t sgi-cmsd=17001u sgi-crsd=17002u sgi-gcd=17003u shell=514t sieve=4190t silc=706t ' +
  'sink=9 sip=5060 sip-tls=5061 skkserv=1178t smtp=25t smtps=465t smux=199t snmp=161 snmp-trap=162 ' +
  'snmptrap=162 snntp=563t snpp=444t socks=1080t source=19 spamd=783t spooler=515t ssh=22t ssmtp=465t ' +
  'submission=587t submissions=465t subversion=3690t sunrpc=111 supfiledbg=1127t supfilesrv=871t ' +
  'suucp=4031t svn=3690t svrloc=427 syslog=514 syslog-tls=6514t sysrqd=4094t systat=11t tacacs=49 ' +
  'talk=517u tap=113t tcpmux=1t telnet=23t telnets=992t tfido=60177t tftp=69u time=37 timserver=37 ' +
  'tinc=655 tproxy=8081t tsap=102t ttytst=19 untp=119t urd=465t users=11t uucp=540t uucpd=540t ' +
  'venus=2430 venus-se=2431 wais=210t webcache=8080t webmin=10000t who=513u whod=513u whois=43t ' +
  'wnn6=22273t www=80t x11=6000t x11-0=6000t x11-1=6001t x11-2=6002t x11-3=6003t x11-4=6004t ' +
  'x11-5=6005t x11-6=6006t x11-7=6007t xdmcp=177u xfs=7100t xinetd=9098t xmms2=9667t xmpp-client=5222t ' +
  'xmpp-server=5269t xtel=1313t xtelw=1314t z3950=210t zabbix-agent=10050t zabbix-trapper=10051t ' +
  'zebra=2601t zebrasrv=2600t zephyr-clt=2103u zephyr-hm=2104u zephyr-srv=2102u zope=9673t ' +
  'zope-ftp=8021t zserv=346t ';

/** `name=number`, names and aliases. */
const PROTOCOLS =
  'ip=0 IP=0 hopopt=0 HOPOPT=0 icmp=1 ICMP=1 igmp=2 IGMP=2 ggp=3 GGP=3 ipencap=4 IP-ENCAP=4 st=5 ST=5 ' +
  'tcp=6 TCP=6 egp=8 EGP=8 igp=9 IGP=9 pup=12 PUP=12 udp=17 UDP=17 hmp=20 HMP=20 xns-idp=22 XNS-IDP=22 ' +
  'rdp=27 RDP=27 iso-tp4=29 ISO-TP4=29 dccp=33 DCCP=33 xtp=36 XTP=36 ddp=37 DDP=37 idpr-cmtp=38 ' +
  'IDPR-CMTP=38 ipv6=41 IPv6=41 ipv6-route=43 IPv6-Route=43 ipv6-frag=44 IPv6-Frag=44 idrp=45 IDRP=45 ' +
  'rsvp=46 RSVP=46 gre=47 GRE=47 esp=50 IPSEC-ESP=50 ah=51 IPSEC-AH=51 skip=57 SKIP=57 ipv6-icmp=58 ' +
  'IPv6-ICMP=58 ipv6-nonxt=59 IPv6-NoNxt=59 ipv6-opts=60 IPv6-Opts=60 rspf=73 RSPF=73 CPHB=73 vmtp=81 ' +
  'VMTP=81 eigrp=88 EIGRP=88 ospf=89 OSPFIGP=89 ax.25=93 AX.25=93 ipip=94 IPIP=94 etherip=97 ETHERIP=97 ' +
  'encap=98 ENCAP=98 pim=103 PIM=103 ipcomp=108 IPCOMP=108 vrrp=112 VRRP=112 l2tp=115 L2TP=115 isis=124 ' +
  'ISIS=124 sctp=132 SCTP=132 fc=133 FC=133 mobility-header=135 Mobility-Header=135 udplite=136 ' +
  'UDPLite=136 mpls-in-ip=137 MPLS-in-IP=137 manet=138 hip=139 HIP=139 shim6=140 Shim6=140 wesp=141 ' +
  'WESP=141 rohc=142 ROHC=142 ethernet=143 Ethernet=143 mptcp=262 MPTCP=262 ';

export interface ServiceEntry { port: number; tcp: boolean; udp: boolean }

let services: Map<string, ServiceEntry> | undefined;
let protocols: Map<string, number> | undefined;

/** getservbyname(name, "tcp") / (name, "udp") as one lookup. */
export function lookupService(name: string): ServiceEntry | undefined {
  if (services === undefined) {
    services = new Map();
    for (const item of SERVICES.trim().split(' ')) {
      const [n, v] = item.split('=');
      const last = v[v.length - 1];
      services.set(n, { port: parseInt(v, 10), tcp: last !== 'u', udp: last !== 't' });
    }
  }
  return services.get(name);
}

/** getprotobyname(name). */
export function lookupProtocol(name: string): number | undefined {
  if (protocols === undefined) {
    protocols = new Map();
    for (const item of PROTOCOLS.trim().split(' ')) {
      const [n, v] = item.split('=');
      protocols.set(n, parseInt(v, 10));
    }
  }
  return protocols.get(name);
}

// --- address literals, parsed as libpcap and glibc do ----------------------------------------

/** __pcap_atoin: dotted decimal with 1 to 4 parts; length in bits, or -1. */
export function atoin(s: string): { addr: number; len: number } {
  let addr = 0;
  let len = 0;
  let i = 0;
  for (;;) {
    let n = 0;
    while (i < s.length && s[i] !== '.') {
      if (n > 25) return { addr: 0, len: -1 };
      n = n * 10 + s.charCodeAt(i++) - 48;
    }
    if (n > 255) return { addr: 0, len: -1 };
    addr = ((addr << 8) | n) >>> 0;
    len += 8;
    if (i >= s.length) return { addr, len };
    i++;
  }
}

/** glibc's inet_aton (exact): 1 to 4 parts, each decimal, 0-octal or 0x-hex; null if malformed. */
export function inetAton(s: string): number | null {
  const parts: number[] = [];
  let i = 0;
  let val = 0;
  let digit = false;
  for (;;) {
    if (!/[0-9]/.test(s[i] ?? '')) return null;
    let base = 10;
    digit = false;
    val = 0;
    if (s[i] === '0') {
      i++;
      if (s[i] === 'x' || s[i] === 'X') { base = 16; i++; } else { base = 8; digit = true; }
    }
    for (;;) {
      const c = s[i] ?? '';
      if (/[0-9]/.test(c)) {
        if (base === 8 && c > '7') return null;
        val = val * base + parseInt(c, 10);
      } else if (base === 16 && /[0-9A-Fa-f]/.test(c)) {
        val = val * 16 + parseInt(c, 16);
      } else break;
      if (val > 0xffffffff) return null;
      digit = true;
      i++;
    }
    if (s[i] !== '.') break;
    if (parts.length > 2 || val > 0xff) return null;
    parts.push(val);
    i++;
  }
  if (i !== s.length || !digit) return null;
  const limit = [0xffffffff, 0xffffff, 0xffff, 0xff][parts.length];
  if (val > limit) return null;
  return parts.reduce((acc, p, k) => acc + p * 2 ** (24 - 8 * k), val) >>> 0;
}

/** pcap_ether_aton: 1 or 2 hex digits per byte, ':' '.' '-' separators skipped. */
export function etherAton(s: string): number[] {
  const out: number[] = [];
  const hex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
  let i = 0;
  while (i < s.length) {
    if (s[i] === ':' || s[i] === '.' || s[i] === '-') i++;
    let d = parseInt(s[i++], 16);
    if (hex(s[i])) d = (d << 4) | parseInt(s[i++], 16);
    out.push(d);
  }
  return out;
}

/** Sixteen bytes of an IPv6 address already validated by the lexer. */
export function ipv6Bytes(s: string): number[] {
  let text = s;
  const tail: number[] = [];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    tail.push(+v4[1], +v4[2], +v4[3], +v4[4]);
    text = text.slice(0, v4.index) + '0:0';
  }
  const [head, rest] = text.split('::');
  const words = (t: string | undefined) => (t ? t.split(':').map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const r = rest === undefined ? [] : words(rest);
  const all = rest === undefined ? h : [...h, ...Array<number>(8 - h.length - r.length).fill(0), ...r];
  const bytes = all.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}
