#!/bin/sh
# Regenerates test/cli/tcpdump-filter-cases.json: for every expression below and every capture
# (fixtures/decode/*.pcap and the three crafted test/cli/tcpdump-filter-*.pcap), which packets
# the real tcpdump keeps, or the error it prints (text after "tcpdump: ") and its exit status.
# Needs tcpdump 4.99.3 / libpcap 1.10.3 and python3; no root. Run from anywhere:
#
#     test/cli/gen-filter-cases.sh
#
# One expression per line; a line in double quotes keeps its surrounding spaces; # starts a comment line.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
exprs=$(mktemp)
trap 'rm -f "$exprs"' EXIT

python3 "$here/gen-filter-cases.py" craft

cat >"$exprs" <<'EOF'
""
" "
# protocols
ether
link
arp
rarp
ip
ip6
icmp
icmp6
igmp
tcp
udp
sctp
pim
vrrp
carp
ah
esp
igrp
stp
ipx
netbeui
iso
isis
esis
clnp
l1
l2
iih
lsp
snp
csnp
psnp
atalk
aarp
decnet
lat
sca
mopdl
moprc
radio
llc
# vlan and its offset shift
vlan
vlan 100
vlan 200
vlan 0
vlan 10
vlan 20
vlan 40
vlan 4095
vlan 5000
vlan (100)
vlan and ip
vlan and arp
vlan and ip6
vlan and vlan
vlan 200 and vlan 100
vlan 100 and vlan 200
vlan 20 and vlan 30 and icmp
vlan and icmp
vlan 100 and arp
vlan or ip
ip or vlan
not vlan
vlan and not vlan
(vlan and ip) or ip
vlan and host 10.100.0.1
vlan and port 53
vlan and tcp[13] & 4 != 0
vlan and ether[0] & 1 = 1
vlan and ip[9] = 1
ip and vlan
# hosts
host 10.0.0.1
src host 10.0.0.1
dst host 10.0.0.2
host 10.0.0.2 and host 10.0.0.1
src 10.0.0.1
dst 10.0.0.2 or 10.1.0.2
host 10.0.0.1 or 10.1.0.2
host 10.1.0.1 or (10.1.0.3 or 10.7.0.1)
host 10.1.0.1 and not 10.1.0.2
not host 10.0.0.1 or 10.0.0.2
host 10.0.0.1 or not 10.0.0.2
dst host 10.0.0.2 and (src 10.0.0.1 or 10.0.0.3)
src or dst host 10.2.0.2
src and dst host 10.0.0.1
ip host 10.0.0.1
arp host 10.0.0.2
rarp host 10.0.0.1
ip src host 10.0.0.1
arp src 10.1.0.2
arp dst host 10.0.0.2
host 10.0.0
host 10.1
host 224.0.0.22
host 0.0.0.0
host 255.255.255.255
host \10.0.0.1
host \10.1
host \0x0a000001
host \010.0.0.1
ip6 host \10.0.0.1
host ::1
host 2001:db8::1
ip6 host 2001:db8::2
src host fe80::1
dst host ff02::fb
net 2001:db8::/32
ip6 net ff02::/16
net fe80::/10
host fe80::1/64
net 2001:db8::1/32
net ::/0
host \::1
ip host \::1
host 2001:db8::1 or 2001:db8::2
tcp host 2001:db8::1
# networks
net 10.0.0.0/24
net 10.1.0.0/16
net 10.0.0.0 mask 255.255.255.0
src net 10.1.0.0/24
dst net 224.0.0.0/4
net 10
net 10.1
net 10.1.0
net 224
net 0.0.0.0/0
net 256
ip net 10.0.0.0/8
arp net 10.1.0.0/16
net 10.0.0.0/8 or 192.168.0.0/16
net 10.0.0.0/8 and not 10.0.0.0/24
src net 10.1.0.0/24 or 10.2.0.0/24
net 10.0.0.0/8 or 11.0.0.0
# link layer
ether host 02:00:00:00:0a:01
ether src 02:00:00:00:0a:01
ether dst ff:ff:ff:ff:ff:ff
ether host 02-00-00-00-0a-02
ether host 0200.0000.0a02
ether host 020000000a02
ether host 2.0.0.0.a.2
ether src 2:0:0:0:1:2
ether src 02:00:00:00:01:02 or 02:00:00:00:01:01
ether src or dst 02:00:00:00:01:01
ether src and dst 02:00:00:00:0a:01
ether host 02:00:00:00:0a:01 and ether host 02:00:00:00:0a:02
ether dst 01:80:c2:00:00:00
ether broadcast
ether multicast
broadcast
multicast
link broadcast
ip broadcast
ip multicast
ip6 multicast
tcp multicast
tcp broadcast
ether[0] & 1 != 0
ether[0] & 1 = 0
ether[12:2] = 0x0806
ether[12:2] = 0x8100
ether[12:2] <= 1500
link[0:4] = 0x02000000
ether proto 0x0806
ether proto \arp
ether proto \ip
ether proto \ip6
ether proto \rarp
ether proto \stp
ether proto \ipx
ether proto \iso
ether proto \atalk
ether proto \loopback
ether proto 0x88b5
ether proto 0x42
ether proto 0xe0
ether proto 0xfe
link proto 0x800
ether proto foo
ether host foo
ether host 1.2.3.4
ether src 10.0.0.1
ether host ff:ff:ff:ff:ff
ether host 1:2:3:4:5:6:7
# ports
port 40000
src port 40001
dst port 40000
udp port 40000
tcp port 40080
tcp port 40000
port 40080 or 40081
tcp port 40080 or 40081
tcp src port 40081 or 40080
port 40000 and not port 40001
port 40000 and not 40001
port 40000 or (40001 and 40002)
not port 40000
port 80
port 53
port 2905
sctp port 2905
sctp src port 2905
port 5353
port 67 or port 68
port 65535
src or dst port 40000
src and dst port 40000
src and dst port 80
port 0x9c40
port domain
port http
port ssh
tcp port http
udp port http
udp port domain
sctp port domain
port HTTP
port \40000
portrange 40000-40100
portrange 40100-40000
tcp portrange 40080-40081
udp dst portrange 40000-40001
src portrange 1-1024
portrange 0-65535
portrange 50-60
portrange 5-10x
portrange http-https
portrange 40000-http
portrange domain-http
tcp portrange ssh-http
udp portrange ssh-http
portrange 0x10-20
portrange 5-
portrange 5--3
portrange 99999-100000
port 1-2
udp port 1-2
port 99999
port foo
port 99999999999
port 0x1ffffffff
port 099
ip port 80
arp port 80
# protocol numbers
proto 1
ip proto 1
ip proto \icmp
ip proto \tcp
ip proto 17
proto \udp
proto \ICMP
ip6 proto 6
ip6 proto 17
ip6 proto 58
ip6 proto \ipv6-icmp
ip proto 253
proto 47
proto 132
ip proto foo
ip proto tcp
arp proto 1
tcp proto 6
stp proto 1
src proto 6
iso proto \isis
iso proto \esis
iso proto foo
isis proto 15
proto \6
# byte offsets and arithmetic
icmp[0] == 8
icmp[icmptype] == icmp-echo
icmp[icmptype] == icmp-echoreply
icmp[icmptype] = icmp-unreach
icmp[icmptype] = icmp-unreach and icmp[icmpcode] = 3
icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply
icmp[0] = 5
icmp[icmptype] = icmp-redirect
icmp[icmptype] = icmp-timxceed
icmp[icmptype] = icmp-paramprob
icmp[icmptype] = icmp-tstamp or icmp[icmptype] = icmp-tstampreply
icmp[icmptype] = icmp-maskreq or icmp[icmptype] = icmp-maskreply
icmp[icmptype] = icmp-ireq or icmp[icmptype] = icmp-ireqreply
icmp[icmptype] = icmp-sourcequench
icmp[4:2] = 0
icmp[8:4] > 0
icmp6[icmp6type] = icmp6-echo
icmp6[0] = 128
icmp[icmptype] == foo
ip[8] < 2
ip[8] = 64
ip[8] > 63
ip[8] >= 64
ip[8] <= 1
ip[1] != 0
ip[0] & 0xf > 5
ip[0] & 0xf != 5
ip[6:2] & 0x1fff != 0
ip[6] & 0x20 != 0
ip[6:2] & 0x3fff != 0
ip[6] & 0x40 != 0
ip[2:2] > 1000
ip[2:2] - ((ip[0] & 0xf) << 2) > 100
ip[9] = 1
ip[12:4] = 0x0a000001
ip[16] >= 224
ip[19] = 255
ip[100] = 0
not ip[100] = 0
ip[100] = 0 or ip
ip or ip[100] = 0
ip[0:4] & 0xffff0000 = 0x45000000
ip[1] = 0x10 or ip[1] = 0xb8
ip[0] >> 4 = 4
ip[0] % 16 = 5
ip[0] ^ 0x40 = 5
ip[2:2] / 2 > 40
ip[2:2] * 2 > 200
ip[8] + ip[9] > 64
ip[8] - 1 = 63
- ip[8] + 65 = 1
-ip[8] = 0xffffffc0
ip[0] % 5 + 1 = 1
ip[0] + 5 % 3 = 71
ip[0] ^ 1 & 2 = 0x45
ip[0] | 0x80 = 0xc5
ip[ip[0] & 0xf] = 0
ip[0] & 0xf0 = 0x40 and ip[0] & 0x0f = 5
ip[0] == 0x45
ip[0] == 0105
ip[0] == 089
ip[0:2] & 0xffff = 0x4500
ip[0:3] = 1
ip[0] / 0 = 1
ip[1] / ip[0] = 1
ip[1] / ip[1] = 1
ip[0] % 0 = 1
ip[0] << 32 = 1
ip[0] << ip[32] = 1
ip[0] = 1 = 2
ip[0] =
ip[0
ip6[6] = 6
ip6[0] & 0xf0 = 0x60
arp[6:2] = 1
arp[6:2] = 2
arp[7] = 3 or arp[7] = 4
rarp[7] = 3
arp[4] = 6
arp[14:4] = 0x0a000001
tcp[tcpflags] & tcp-syn != 0
tcp[tcpflags] & (tcp-syn|tcp-ack) = (tcp-syn|tcp-ack)
tcp[tcpflags] & tcp-fin != 0
tcp[tcpflags] & tcp-rst != 0
tcp[tcpflags] & tcp-push != 0
tcp[tcpflags] & tcp-urg != 0
tcp[tcpflags] = tcp-ack
tcp[13] = 0x18
tcp[0:2] = 40080
tcp[2:2] = 40080
tcp[12] >> 4 > 5
tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420
tcp[20] = 2
tcp[0:2] = 80 or tcp[2:2] = 80
udp[0:2] = 40001
udp[2:2] = 40000
udp[4:2] > 20
udp[8] = 0x68
sctp[0:2] = 2905
igmp[0] = 0x11
igmp[0] = 0x22
tcp[0] + ip[1] = 3
ip[1] + tcp[0] = 0
1 + tcp[0] = 1
ip[0] * 0x1000000 * 0x100 = 0
ip[0] - 0x46 > 0x7fffffff
ip[0] << 31 > 0
ip[2:2] >> 16 = 0
ip[0] >> ip[1] = 0x45
ip[0] / ip[1] > 0
ip[0] % ip[1] = 0
ip[0] << ip[8] = 0
ip[0] & ip[1] = ip[1]
ip[2:2] = len - 14
len / 0x100 = 0
len % 7 = 0
tcp[tcp[12] >> 4] = 0
udp[4:2] - 8 = ip[2:2] - 28
ether[12:2] | ether[14] > 0x800
ether[len - 1] = 0
ether[len] = 0
# lengths
len < 100
len <= 60
len >= 100
len > 1000
len = 42
len != 60
len < 0
less 60
less 100
greater 100
greater 1000
less 100 or greater 200
len - 14 > 50
length > 90
less
greater 0x10000
# logic, precedence, qualifier inheritance
icmp or arp
icmp and not host 10.0.0.1
!icmp
not not icmp
not (icmp or arp)
(icmp or arp) and host 10.1.0.2
icmp || arp && host 10.0.0.2
icmp or arp and host 10.0.0.2
arp or tcp and udp
tcp && udp || arp
ip and ip6
ip and not ip
tcp and udp
arp and icmp
ip and arp or ip6
icmp and icmp[0] = 8 and icmp[0] = 0
icmp[0] = 8 and icmp[0] != 8
ip[0] & 1 = 0 and ip[0] & 1 = 1
ip[0] & 1 = 1 and ip[0] & 1 = 2
ip[0] > 5 and ip[0] < 3
1 = 1
1 = 2
not 1 = 1
ip[0] & 0 != 0
tcp or 80
(tcp) or 80
tcp and (host 10.0.0.1) or 10.0.0.2
host 10.0.0.1 and (tcp or 10.0.0.2)
host 10.0.0.1 and 80
host 10.0.0.2 or 80
host 10.0.0.1 and (80)
port 40000 or 10.0.0.1
src port 10.0.0.1
proto 10.0.0.1
portrange 10.0.0.1
host ! 10.0.0.1
host 10.9.9.9 or port 40080 or 40001
tcp or host 10.0.0.1 or 10.0.0.2
port 40000 or host 10.0.0.1 or 10.0.0.2
host 10.0.0.1 and (tcp) or 10.0.0.2
host 10.0.0.1 and (tcp or udp) or 10.1.0.2
host 10.9.9.9 or (10.0.0.1 and 10.0.0.2)
src host 10.0.0.1 and (dst 10.0.0.2 or 10.0.0.3) or 10.1.0.2
not src 10.0.0.1 and not 10.0.0.2
port 40001 and not (tcp or 40000)
host not 10.0.0.1 and ip
ip && !arp
# what libpcap's optimizer removes or refuses
-1 = 0
1 + 1 = 2
1 + 1 = 3
len >= 0
tcp[0:2] = 80 and tcp src port 80
ether[14] = 0x45 and ip[0] = 0x45
ip[0] = 0x45 and ether[14] = 0x46
ip[0] = 0x45 and ip[0] = 0x46
icmp and icmp
ip[100] = 0 and ip
arp or ip[100] = 0
(tcp or udp) and icmp
not ip and ip6
port 80 or ip
port 80 or arp
not (port 80 or ip)
tcp src port 80 or ip
udp port 53 or icmp
tcp[13] = 2 or tcp
tcp or tcp[13] = 2
ip[2:2] > 40 or ip
ip6 or ip6[40] = 6
net 10.0.0.0/8 or ip
ether[0] & 0 = 0
ether[0] & 0 != 0
ip[0] * 0 = 0
ip[0] - 0 = 0x45
ip[0] | 0 = 0x45
(ip[0] + 1) - 1 = 0x45
ip[0] / 1 = 0x45
ip[0] << 0 = 0x45
ip[0] / (1 - 1) = 0
ip[0] << (16 + 16) = 0
host 10.0.0.1 and host 10.0.0.1
src host 10.0.0.1 and not src host 10.0.0.1
vlan 100 and vlan 100
# syntax and name errors
foo
10.0.0.1
host foo
net foo
host
port
(tcp
tcp)
tcp and
and tcp
tcp &&& udp
tcp # comment
host 300.1.1.1
host 10.0.0.1.5
host 1.2.3.4.5.6
host 10.0.0.1/32
host 10.0.0.1 mask 255.0.0.0
net 10.0.0.1/8
net 10.0.0.0/33
net 10.0.0.1 mask 255.0.0.0
net 10/8
ip6 host 10.0.0.1
tcp host 10.0.0.1
gateway foo
$1
TCP
addr1 host 10.0.0.1
ra port 80
ta portrange 1-2
addr3 host ::1
addr4 net 10.0.0.0/8
ra ether host 1:2:3:4:5:6
ether ra 1:2:3:4:5:6
ether addr2 1:2:3:4:5:6
# link-type dependent
inbound
outbound
inbound and ip
outbound or arp
ifindex 9012
ifindex 3
ifindex 4 or ifindex 5
EOF

captures=$(ls "$root"/fixtures/decode/*.pcap | grep -v '\.ns\.pcap$')
# shellcheck disable=SC2086
python3 "$here/gen-filter-cases.py" record "$exprs" "$here/tcpdump-filter-cases.json" $captures \
  "$here/tcpdump-filter-eth.pcap" "$here/tcpdump-filter-sll.pcap" "$here/tcpdump-filter-sll2.pcap"
