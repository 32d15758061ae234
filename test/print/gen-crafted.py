#!/usr/bin/env python3
"""Regenerate test/print/crafted.json: hand-made frames and the text the real tcpdump prints.

Each case is written to its own pcap file (so TCP sequence state is per case), read back with
`TZ=UTC tcpdump -n [FLAGS] -r FILE` for every flag set, and stored with the frames.  Besides
the hand-made cases there are `sweep-*` cases (one frame cut at every length) and `mutants-*`
cases (seeded random byte changes), printed with fewer flag sets.  SLL2 interface indexes are
resolved by tcpdump on this machine (index 1 is `lo`); the test supplies the same lookup.
Needs Debian's tcpdump 4.99.3 on PATH; no root.  usage: python3 test/print/gen-crafted.py
"""
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FLAGSETS = {'': [], 'e': ['-e'], 'v': ['-v'], 'ev': ['-e', '-v'], 'vv': ['-vv'], 'evvv': ['-e', '-vvv']}

A_MAC = bytes.fromhex('020000000a01')
B_MAC = bytes.fromhex('020000000a02')
BCAST = b'\xff' * 6
STP_MAC = bytes.fromhex('0180c2000000')


def ip_(s):
    return bytes(int(x) for x in s.split('.'))


A, B, C, FAR = ip_('10.0.0.1'), ip_('10.0.0.2'), ip_('10.0.0.3'), ip_('10.9.0.1')


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(dst, src, etype, payload, vlans=()):
    tags = b''.join(struct.pack('!HH', tpid, tci) for tpid, tci in vlans)
    return dst + src + tags + struct.pack('!H', etype) + payload


def ip4(src, dst, proto, payload, *, ver=4, ihl=None, tos=0, tot_len=None, ident=0x1000,
        frag=0, ttl=64, cksum=None, options=b''):
    if ihl is None:
        ihl = 5 + len(options) // 4
    if tot_len is None:
        tot_len = 20 + len(options) + len(payload)
    hdr = struct.pack('!BBHHHBBH4s4s', (ver << 4) | ihl, tos, tot_len, ident, frag, ttl, proto, 0,
                      src, dst) + options
    if cksum is None:
        cksum = csum(hdr)
    return hdr[:10] + struct.pack('!H', cksum) + hdr[12:] + payload


def icmp(t, code, rest=b'\0\0\0\0', body=b'', cksum=None):
    msg = struct.pack('!BBH', t, code, 0) + rest + body
    if cksum is None:
        cksum = csum(msg)
    return msg[:2] + struct.pack('!H', cksum) + msg[4:]


def pseudo(src, dst, proto, length):
    return src + dst + struct.pack('!BBH', 0, proto, length)


def udp(src, dst, sport, dport, data=b'', length=None, cksum=None):
    ulen = 8 + len(data) if length is None else length
    seg = struct.pack('!HHHH', sport, dport, ulen, 0) + data
    if cksum is None:
        cksum = csum(pseudo(src, dst, 17, len(seg)) + seg) or 0xffff
    return seg[:6] + struct.pack('!H', cksum) + seg[8:]


def tcp(src, dst, sport, dport, seq, ack, flags, window=64240, opts=b'', data=b'', doff=None,
        cksum=None, urg=0):
    if doff is None:
        doff = 5 + (len(opts) + 3) // 4
    opts = opts + b'\0' * ((4 - len(opts) % 4) % 4)
    seg = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, doff << 4, flags, window, 0, urg) + opts + data
    if cksum is None:
        cksum = csum(pseudo(src, dst, 6, len(seg)) + seg)
    return seg[:16] + struct.pack('!H', cksum) + seg[18:]


def igmp(t, code, rest, cksum=None):
    msg = struct.pack('!BBH', t, code, 0) + rest
    if cksum is None:
        cksum = csum(msg)
    return msg[:2] + struct.pack('!H', cksum) + msg[4:]


def arp(op, sha, spa, tha, tpa, *, htype=1, ptype=0x0800, hlen=None, plen=None):
    hlen = len(sha) if hlen is None else hlen
    plen = len(spa) if plen is None else plen
    return struct.pack('!HHBBH', htype, ptype, hlen, plen, op) + sha + spa + tha + tpa


def ab(payload, **kw):
    return eth(B_MAC, A_MAC, 0x0800, payload, **kw)


def sll(pkttype, proto, payload, hatype=1, addr=A_MAC):
    return struct.pack('!HHH', pkttype, hatype, len(addr)) + (addr + b'\0' * 8)[:8] + struct.pack('!H', proto) + payload


def sll2(pkttype, proto, payload, ifindex=7, hatype=1, addr=A_MAC):
    return (struct.pack('!HHIHBB', proto, 0, ifindex, hatype, pkttype, len(addr)) + (addr + b'\0' * 8)[:8]
            + payload)


def bpdu(version=0, btype=0, flags=0, root=b'\x80\x00' + A_MAC, cost=0, bridge=b'\x80\x00' + A_MAC,
         port=0x8001, age=0, maxage=20 * 256, hello=2 * 256, fwd=15 * 256, extra=b''):
    b = struct.pack('!HBBB', 0, version, btype, flags) + root + struct.pack('!I', cost) + bridge
    b += struct.pack('!HHHHH', port, age, maxage, hello, fwd)
    return b + extra


def llc(dsap, ssap, ctrl, payload):
    return bytes([dsap, ssap]) + (bytes([ctrl]) if isinstance(ctrl, int) else ctrl) + payload


def e8023(dst, src, payload, length=None):
    return dst + src + struct.pack('!H', len(payload) if length is None else length) + payload


def quoted_udp(ident=0x2222, frag=0, data=b'ping'):
    return ip4(B, FAR, 17, udp(B, FAR, 40000, 40001, data), ident=ident, frag=frag)


def quoted_tcp():
    return ip4(B, FAR, 6, tcp(B, FAR, 40002, 80, 0x01020304, 0, 0x02), ident=0x2223)[:28]


CASES = []


def case(name, frames, link=1):
    """frames: list of bytes or (bytes, caplen) for a cut capture."""
    CASES.append((name, link, [f if isinstance(f, tuple) else (f, len(f)) for f in frames]))


def build():
    echo = icmp(8, 0, struct.pack('!HH', 0x1234, 1), b'abcdefgh')
    good_ip = ip4(A, B, 1, echo)
    # ---- Ethernet, VLAN, unknown types, 802.3/LLC/STP
    case('eth-vlan', [ab(good_ip, vlans=[(0x8100, 100)]),
                      ab(good_ip, vlans=[(0x8100, 0xa000 | 0x1000 | 5)]),
                      ab(good_ip, vlans=[(0x88a8, 10), (0x8100, 20)]),
                      eth(BCAST, A_MAC, 0x0806, arp(1, A_MAC, A, b'\0' * 6, B), vlans=[(0x8100, 7)]),
                      eth(B_MAC, A_MAC, 0x88b5, b'\xde\xad', vlans=[(0x9100, 3)]),
                      eth(B_MAC, A_MAC, 0x8100, b'\x00'),
                      (ab(good_ip, vlans=[(0x8100, 100)]), 16)])
    case('eth-unknown', [eth(B_MAC, A_MAC, 0x88b5, bytes(range(40))),
                         eth(B_MAC, A_MAC, 0x86dd, bytes(range(3))),
                         eth(B_MAC, A_MAC, 0x88cc, b''),
                         eth(B_MAC, A_MAC, 0x0800, b''),
                         eth(B_MAC, A_MAC, 0x0800, b'\x45'),
                         eth(B_MAC, A_MAC, 0x0806, b''),
                         B_MAC + A_MAC + b'\x08',
                         B_MAC + A_MAC,
                         B_MAC])
    linux_bpdu = bpdu(bridge=b'\x80\x00' + bytes.fromhex('02000000 0b00'.replace(' ', '')),
                      root=b'\x80\x00' + bytes.fromhex('020000000b00'), port=0x8001, hello=1 * 256,
                      fwd=4 * 256, age=0)
    case('stp', [e8023(STP_MAC, A_MAC, llc(0x42, 0x42, 3, linux_bpdu) + b'\0' * 8),
                 e8023(STP_MAC, A_MAC, llc(0x42, 0x42, 3, bpdu(flags=0x81, cost=100, age=256 + 32, maxage=5000))),
                 e8023(STP_MAC, A_MAC, llc(0x42, 0x42, 3, struct.pack('!HBB', 0, 0, 0x80))),
                 e8023(STP_MAC, A_MAC, llc(0x42, 0x42, 3, bpdu(version=2, btype=2, flags=0x7e) + b'\0')),
                 e8023(STP_MAC, A_MAC, llc(0x42, 0x42, 3, bpdu(version=3, btype=2, flags=0x3c) + b'\0' + struct.pack('!H', 64 + 16)
                                           + b'\0' + b'region1'.ljust(32, b'\0') + struct.pack('!H', 7) + bytes(range(16))
                                           + struct.pack('!I', 20000) + b'\x80\x00' + A_MAC + b'\x14'
                                           + bytes([0x7c]) + b'\x80\x01' + A_MAC + struct.pack('!I', 5) + b'\x80\x80\x13')),
                 e8023(STP_MAC, A_MAC, llc(0x42, 0x42, 3, struct.pack('!HBB', 0, 7, 0))),
                 e8023(STP_MAC, A_MAC, llc(0x42, 0x42, 3, struct.pack('!HBB', 1, 0, 0))),
                 e8023(STP_MAC, A_MAC, llc(0x42, 0x42, 3, struct.pack('!HBB', 0, 0, 0) + b'\0' * 10)),
                 e8023(STP_MAC, A_MAC, llc(0x42, 0x42, 3, b'\0\0')),
                 e8023(STP_MAC, A_MAC, llc(0x42, 0x42, 3, bpdu(btype=9))),
                 (e8023(STP_MAC, A_MAC, llc(0x42, 0x42, 3, linux_bpdu)), 30)])
    case('llc', [e8023(B_MAC, A_MAC, llc(0xaa, 0xaa, 3, b'\0\0\0\x08\x00' + good_ip)),
                 e8023(B_MAC, A_MAC, llc(0xaa, 0xaa, 3, b'\0\0\0\x88\xb5abcd')),
                 e8023(B_MAC, A_MAC, llc(0xaa, 0xaa, 3, b'\x00\x00\x0c\x20\x00abcd')),
                 e8023(B_MAC, A_MAC, llc(0xaa, 0xaa, 3, b'\x00\x80\xc2\x00\x07\0\0' + eth(B_MAC, A_MAC, 0x0800, good_ip))),
                 e8023(B_MAC, A_MAC, llc(0x06, 0x06, 3, good_ip)),
                 e8023(B_MAC, A_MAC, llc(0xe0, 0xe0, 3, b'\xff\xff\0\x1e')),
                 e8023(B_MAC, A_MAC, llc(0xf0, 0xf1, 0xe3, b'xyz')),
                 e8023(B_MAC, A_MAC, llc(0x12, 0x34, 0x03, b'xyz')),
                 e8023(B_MAC, A_MAC, llc(0x42, 0x43, 0xbf, b'\x81\x01\x02')),
                 e8023(B_MAC, A_MAC, llc(0x42, 0x42, 0xaf, b'')),
                 e8023(B_MAC, A_MAC, llc(0x04, 0x05, b'\x01\x03', b'')),
                 e8023(B_MAC, A_MAC, llc(0x04, 0x04, b'\x0a\x05', b'data')),
                 e8023(B_MAC, A_MAC, b'\x42'),
                 e8023(B_MAC, A_MAC, llc(0x42, 0x42, 3, linux_bpdu), length=10),
                 e8023(B_MAC, A_MAC, llc(0x42, 0x42, 3, linux_bpdu), length=1500),
                 eth(B_MAC, A_MAC, 0x8870, llc(0x42, 0x42, 3, linux_bpdu)),
                 e8023(B_MAC, A_MAC, llc(0x42, 0x42, 3, linux_bpdu)[:3] + b'\x01', length=4)])
    # ---- Linux cooked
    arp_req = arp(1, A_MAC, A, b'\0' * 6, B)
    case('sll', [sll(1, 0x0806, arp_req), sll(0, 0x0800, good_ip), sll(4, 0x0800, good_ip, addr=b''),
                 sll(2, 0x0800, good_ip, addr=A_MAC + b'\1\2'), sll(3, 0x88b5, b'\1\2\3'), sll(7, 0x0800, good_ip),
                 sll(0, 0x8100, struct.pack('!HH', 100, 0x0800) + good_ip),
                 sll(0, 0x8100, struct.pack('!HH', 100, 0x88b5) + b'xx'),
                 sll(0, 0x0004, llc(0x42, 0x42, 3, linux_bpdu)), sll(0, 0x0001, b'\xff\xff\0\x10'),
                 sll(0, 0x0019, b'abc'), sll(0, 0x0800, good_ip, hatype=772), sll(0, 0x0800, b'')[:10],
                 sll(0, 0x8100, b'\0')], link=113)
    case('sll2', [sll2(1, 0x0806, arp_req), sll2(0, 0x0800, good_ip), sll2(4, 0x0800, good_ip, addr=b''),
                  sll2(2, 0x0800, good_ip, ifindex=1), sll2(3, 0x88b5, b'\1\2\3'), sll2(9, 0x0800, good_ip),
                  sll2(0, 0x8100, struct.pack('!HH', 0x2064, 0x0800) + good_ip),
                  sll2(0, 0x0004, llc(0x42, 0x42, 3, linux_bpdu)), sll2(0, 0x0003, b'abc'),
                  sll2(0, 0x0800, b'')[:15]], link=276)
    # ---- other link types: raw IP, BSD loopback, one tcpdump has no printer for
    raw_frames = [good_ip, b'\x50' + good_ip[1:], good_ip[:1], good_ip[:12], ip4(A, B, 1, echo, ihl=4)]
    for link in (101, 228, 12):
        case('raw-%d' % link, raw_frames, link=link)
    for link in (0, 108):
        case('null-%d' % link, [struct.pack('<I', 2) + good_ip, struct.pack('>I', 2) + good_ip,
                                struct.pack('<I', 99) + good_ip, struct.pack('<I', 2), b'\2\0', struct.pack('<I', 2) + good_ip[:9]],
             link=link)
    case('unsupported-147', [good_ip, good_ip[:3]], link=147)
    # ---- ARP
    case('arp', [eth(BCAST, A_MAC, 0x0806, arp(op, A_MAC, A, B_MAC, B)) for op in (1, 2, 3, 4, 8, 9, 10, 0, 77)]
         + [eth(BCAST, A_MAC, 0x0806, arp(1, b'', A, b'', B)),
            eth(BCAST, A_MAC, 0x0806, arp(2, b'\1\2\3', A, b'\4\5\6', B)),
            eth(BCAST, A_MAC, 0x0806, arp(1, A_MAC, A, b'\0' * 6, B, ptype=0x1000)),
            eth(BCAST, A_MAC, 0x0806, arp(1, A_MAC, A, b'\0' * 6, B, htype=15)),
            eth(BCAST, A_MAC, 0x0806, arp(2, A_MAC, A, b'\0' * 6, B, htype=32)),
            eth(BCAST, A_MAC, 0x0806, arp(1, A_MAC, A, b'\0' * 6, B, htype=99, ptype=0x1234)),
            eth(BCAST, A_MAC, 0x0806, struct.pack('!HHBBHBBBB', 19, 0x0800, 0x46, 2, 1, 4, 6, 0, 4)
                + bytes(6) + b'\1\2' + A + bytes(6) + B),
            eth(BCAST, A_MAC, 0x0806, struct.pack('!HHBBHBBBB', 19, 0x0800, 0, 0, 2, 4, 0, 0, 3) + A + b'abc'),
            eth(BCAST, A_MAC, 0x0806, struct.pack('!HHBBHBBBB', 19, 0x0800, 2, 0, 9, 4, 2, 0, 4) + b'ab' + A + b'cd' + B),
            eth(BCAST, A_MAC, 0x0806, struct.pack('!HHBBHBBBB', 19, 0x0800, 2, 0, 10, 4, 2, 0, 4) + b'ab' + A + b'cd' + B),
            eth(BCAST, A_MAC, 0x0806, struct.pack('!HHBBHBBBB', 19, 0x0800, 2, 0, 8, 4, 2, 1, 4) + b'ab' + A + b'cde' + B),
            eth(BCAST, A_MAC, 0x0806, struct.pack('!HHBBHBBBB', 19, 0x0800, 2, 0, 7, 4, 2, 1, 4) + b'ab' + A + b'cde' + B),
            eth(BCAST, A_MAC, 0x0806, struct.pack('!HHBBHBBBB', 19, 0x0800, 2, 0, 1, 4, 2, 1, 4) + b'ab' + A + b'cd')])
    # ---- IPv4 header, fragments, options
    def opt_ip(options, **kw):
        return ab(ip4(A, B, 1, echo, options=options, **kw))
    case('ipv4', [ab(ip4(A, B, 1, echo, tos=tos, ttl=ttl)) for tos, ttl in ((0x28, 64), (1, 1), (2, 0), (0xbb, 255))]
         + [ab(ip4(A, B, 1, echo[:8], frag=0x2000, ident=7)), ab(ip4(A, B, 1, b'x' * 8, frag=0x2001, ident=7)),
            ab(ip4(A, B, 17, b'x' * 8, frag=0x0003, ident=8)), ab(ip4(A, B, 1, echo, frag=0x8000 | 0x4000)),
            ab(ip4(A, B, 253, b'\1\2\3\4')), ab(ip4(A, B, 47, b'\0\0\x08\0' + good_ip)),
            ab(ip4(A, B, 4, good_ip)), ab(ip4(A, B, 58, b'abcd')), ab(ip4(A, B, 59, b'')), ab(ip4(A, B, 77, b'abc')),
            ab(ip4(A, B, 143, b'abc')), ab(ip4(A, B, 0, b'abc')), ab(ip4(A, B, 132, b'abcdefghijkl')),
            ab(ip4(A, B, 33, b'abcdefghijkl')), ab(ip4(A, B, 1, echo, cksum=0)),
            ab(ip4(A, B, 1, echo, tot_len=20)), ab(ip4(A, B, 1, echo, tot_len=19)),
            ab(ip4(A, B, 1, echo) + b'\0' * 10), ab(ip4(A, B, 1, echo, ver=5)), ab(ip4(A, B, 1, echo, ver=15)),
            (ab(ip4(A, B, 1, echo)), 30), (ab(ip4(A, B, 1, echo)), 34)])
    rr = lambda ptr, n: bytes([7, 3 + 4 * n, ptr]) + b''.join(ip_('10.1.%d.1' % i) for i in range(n))
    case('ipv4-options', [opt_ip(b'\x01' + rr(4, 2)), opt_ip(b'\x01' + rr(12, 2)), opt_ip(b'\x01' + rr(8, 2)),
                          opt_ip(bytes([0x83, 11, 4]) + C + FAR + b'\0'), opt_ip(bytes([0x89, 7, 8]) + C),
                          opt_ip(b'\x94\x04\x00\x00'), opt_ip(b'\x94\x04\x00\x05'), opt_ip(b'\x94\x03\x00\x00'),
                          opt_ip(bytes([68, 12, 9, 0x00]) + struct.pack('!II', 1000, 0)),
                          opt_ip(bytes([68, 20, 13, 0x11]) + A + struct.pack('!I', 5) + B + struct.pack('!I', 6)),
                          opt_ip(bytes([68, 12, 5, 0x23]) + A + struct.pack('!I', 7)),
                          opt_ip(bytes([68, 8, 5, 0x02]) + b'\0\0\0\0'),
                          opt_ip(bytes([68, 3, 5, 0]) + b'\0'), opt_ip(bytes([68, 10, 5, 1]) + b'\0' * 6 + b'\0\0'),
                          opt_ip(b'\x82\x04\x00\x00'), opt_ip(b'\x52\x04\x00\x00'), opt_ip(b'\x99\x04\x00\x00'),
                          opt_ip(b'\x00\x01\x01\x01'), opt_ip(b'\x01\x01\x01\x00'), opt_ip(b'\x07\x01\x00\x00'),
                          opt_ip(b'\x07\x28\x04\x00'), opt_ip(b'\x07\x03\x01\x00'), opt_ip(b'\x07\x02\x00\x00'),
                          (opt_ip(b'\x01' + rr(4, 2)), 40), (opt_ip(bytes([68, 20, 13, 0x01]) + A + b'\0' * 12), 50),
                          ab(ip4(A, B, 17, udp(A, C, 1000, 2000, b'hi'), options=bytes([0x83, 7, 4]) + C + b'\0'))])
    # ---- ICMP
    q = quoted_udp()
    icmps = [icmp(3, code, struct.pack('!HH', 0, 1000) if code == 4 else b'\0' * 4, q) for code in range(17)]
    icmps += [icmp(3, 4, b'\0' * 4, q), icmp(3, 3, b'\0' * 4, quoted_tcp()),
              icmp(3, 3, b'\0' * 4, ip4(B, FAR, 132, b'\0\1\0\2' + b'\0' * 8)),
              icmp(3, 3, b'\0' * 4, ip4(B, FAR, 17, udp(B, FAR, 5, 6), options=b'\x01\x01\x01\x00'))]
    icmps += [icmp(5, code, C, q) for code in range(5)]
    icmps += [icmp(11, code, b'\0' * 4, q) for code in range(3)]
    icmps += [icmp(12, 0, b'\x14\0\0\0', q), icmp(12, 1, b'\0' * 4, q), icmp(12, 2, b'\0' * 4, q),
              icmp(4, 0, b'\0' * 4, q), icmp(4, 0, b'\0' * 4, quoted_tcp())]
    icmps += [icmp(8, 0, b'\0\1\0\2'), icmp(0, 0, b'\xff\xff\xff\xff', b'x' * 3),
              icmp(13, 0, b'\0\1\0\2', struct.pack('!III', 27092213, 0, 0)),
              icmp(14, 0, b'\0\1\0\2', struct.pack('!III', 27092213, 27092214, 86399999)),
              icmp(15, 0, b'\0\1\0\2'), icmp(16, 0, b'\0\1\0\2'), icmp(17, 0, b'\0\1\0\2', b'\0' * 4),
              icmp(18, 0, b'\0\1\0\2', ip_('255.255.255.0')), icmp(10, 0), icmp(42, 3), icmp(1, 0), icmp(19, 0)]
    for lifetime in (30, 1800, 9000):
        icmps.append(icmp(9, 0, struct.pack('!BBH', 2, 2, lifetime), A + struct.pack('!I', 10) + B + struct.pack('!i', -5)))
    icmps += [icmp(9, 0, struct.pack('!BBH', 1, 3, 60), A + b'\0' * 8), icmp(9, 0, struct.pack('!BBH', 3, 2, 60), A + b'\0' * 4),
              icmp(8, 0, b'\0\1\0\2', b'abcd', cksum=0xbeef)]
    case('icmp', [ab(ip4(B, A, 1, m, ident=0x100 + i)) for i, m in enumerate(icmps)])
    # quoted datagram of the various shapes; RFC 4884 extensions
    long_q = ip4(B, FAR, 17, udp(B, FAR, 40000, 40001, bytes(range(100)) + bytes(28)), ident=0x3333)[:128]
    ext_body = struct.pack('!HBB', 8, 1, 1) + struct.pack('!I', (16 << 12) | (5 << 9) | 0x100 | 64)
    ext_body += struct.pack('!HBB', 12, 2, 3) + b'abcdefgh'
    ext = b'\x20\0\0\0' + ext_body
    ext = ext[:2] + struct.pack('!H', csum(ext)) + ext[4:]
    ext_bad = ext[:2] + b'\x12\x34' + ext[4:]
    case('icmp-quoted', [ab(ip4(B, A, 1, icmp(3, 1, b'\0\x20\0\0', long_q + ext))),
                         ab(ip4(B, A, 1, icmp(11, 0, b'\0\x20\0\0', long_q + ext_bad))),
                         ab(ip4(B, A, 1, icmp(3, 1, b'\0\0\0\0', long_q + ext))),
                         ab(ip4(B, A, 1, icmp(12, 0, b'\0\x20\0\0', long_q + b'\x10\0\0\0'))),
                         ab(ip4(B, A, 1, icmp(3, 1, b'\0\0\0\0', long_q + b'\0' * 20))),
                         ab(ip4(B, A, 1, icmp(3, 3, b'\0' * 4, q[:12]))),
                         ab(ip4(B, A, 1, icmp(3, 3, b'\0' * 4, q[:24]))),
                         ab(ip4(B, A, 1, icmp(3, 0, b'\0' * 4, ip4(B, FAR, 1, icmp(8, 0, b'\0\1\0\1', b'abcd'))))),
                         ab(ip4(B, A, 1, icmp(3, 0, b'\0' * 4, ip4(B, FAR, 1, icmp(3, 3, b'\0' * 4, q[:10]))))),
                         ab(ip4(B, A, 1, icmp(3, 0, b'\0' * 4, ip4(B, FAR, 6, tcp(B, FAR, 1, 2, 3, 4, 0x18, data=b'hello'))))),
                         ab(ip4(B, A, 1, icmp(3, 0, b'\0' * 4, ip4(B, FAR, 1, b'', tot_len=200)))),
                         ab(ip4(B, A, 1, icmp(3, 0, b'\0' * 4, b'\x60' + b'\0' * 30))),
                         ab(ip4(B, A, 1, icmp(3, 0, b'\0' * 4, b''))),
                         ab(ip4(B, A, 1, icmp(3, 0, b'\0' * 4, quoted_udp(frag=0x20))))])
    # ---- UDP
    case('udp', [ab(ip4(A, B, 17, udp(A, B, 40000, 40001, b'hello'))),
                 ab(ip4(A, B, 17, udp(A, B, 40000, 40001, b'hello', cksum=0))),
                 ab(ip4(A, B, 17, udp(A, B, 40000, 40001, b'hello', cksum=0x1234))),
                 ab(ip4(A, B, 17, udp(A, B, 40000, 40001, b'hello', length=100))),
                 ab(ip4(A, B, 17, udp(A, B, 40000, 40001, b'hello', length=6))),
                 ab(ip4(A, B, 17, udp(A, B, 40000, 40001, b'hello', length=9))),
                 ab(ip4(A, B, 17, udp(A, B, 40000, 40001)[:6])), ab(ip4(A, B, 17, udp(A, B, 40000, 40001)[:2])),
                 ab(ip4(A, B, 17, udp(A, B, 40000, 40001, b'x' * 7))),
                 (ab(ip4(A, B, 17, udp(A, B, 40000, 40001, b'hello'))), 38),
                 (ab(ip4(A, B, 17, udp(A, B, 40000, 40001, b'hello'))), 40),
                 (ab(ip4(A, B, 17, udp(A, B, 40000, 40001, b'hello'))), 44),
                 ab(ip4(A, B, 17, udp(A, B, 40000, 40001, b'frag'), frag=0x2000)),
                 ab(ip4(A, B, 17, udp(A, B, 0, 65535, b'')))])
    # ---- TCP
    syn_opts = b'\x02\x04\x05\xb4\x04\x02\x08\x0a' + struct.pack('!II', 12345, 0) + b'\x01\x03\x03\x07'
    tc = lambda *a, **k: ab(ip4(A, B, 6, tcp(A, B, *a, **k)))
    tr = lambda *a, **k: eth(A_MAC, B_MAC, 0x0800, ip4(B, A, 6, tcp(B, A, *a, **k)))
    case('tcp-session', [tc(40081, 40080, 1000, 0, 0x02, opts=syn_opts),
                         tr(40080, 40081, 5000, 1001, 0x12, opts=syn_opts),
                         tc(40081, 40080, 1001, 5001, 0x10),
                         tc(40081, 40080, 1001, 5001, 0x18, data=b'hello\n'),
                         tr(40080, 40081, 5001, 1007, 0x10, opts=b'\x01\x01\x05\x0a' + struct.pack('!II', 1001, 1007)),
                         tr(40080, 40081, 5001, 1007, 0x19, data=b'world\n'),
                         tc(40081, 40080, 1007, 5008, 0x11),
                         tr(40080, 40081, 5008, 1008, 0x10),
                         tc(40081, 40080, 1007, 5008, 0x04 | 0x10, data=b'reset\x01\x80 reason text that is quite long'),
                         tc(40081, 40080, 1007, 5008, 0x20 | 0x10, urg=3, data=b'abc'),
                         tc(40081, 40080, 1007, 5008, 0xff),
                         tc(40081, 40080, 1007, 5008, 0x00),
                         tc(40081, 40080, 1007, 5008, 0x10, cksum=0x1111),
                         tc(1, 1, 1, 1, 0x10), tc(1, 1, 1, 1, 0x10),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\x13\x12' + bytes(16)),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\x1c\x04\x80\x05\x1c\x04\x00\x0a'),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\x22\x02\x22\x0a' + bytes(8) + b'\x22\x05abc'),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\xfe\x06\xf9\x89ab\xfe\x04\x12\x34\xfe\x02'),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\x1d\x07\x01\x02abc\x1d\x03\x01'),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\x14\x04\x05\x06\x0b\x06\0\0\0\x05\x0d\x06\0\0\0\x06'),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\x63\x05abc\x63\x02\x00\x02\x04'),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\x02\x03\x05'),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\x03\x04\x05\x06\x01\x00\x01\x01'),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\x05\x0b' + bytes(9)),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\x01\x02\x01'),
                         tc(40081, 40080, 1, 1, 0x02, opts=b'\x1e\x04\x00\x01'),
                         (tc(40081, 40080, 1, 1, 0x02, opts=syn_opts), 60),
                         (tc(40081, 40080, 1, 1, 0x02, opts=syn_opts), 70),
                         (tc(40081, 40080, 1, 1, 0x18, data=b'abcdef'), 56),
                         tc(40081, 40080, 1, 1, 0x18, data=b'abc', doff=5) [:-1],
                         ab(ip4(A, B, 6, tcp(A, B, 1, 2, 3, 4, 0x10), frag=0x2000)),
                         ab(ip4(A, B, 6, tcp(A, B, 1, 2, 3, 4, 0x10, data=b'xx'), options=bytes([0x83, 7, 4]) + C + b'\0'))])
    # ---- IGMP
    ra = b'\x94\x04\x00\x00'
    mc = ip_('239.1.2.3')
    ig = lambda msg, dst=ip_('224.0.0.22'), **kw: eth(bytes.fromhex('01005e000016'), A_MAC, 0x0800,
                                                        ip4(A, dst, 2, msg, ttl=1, tos=0xc0, options=ra, **kw))
    rec = lambda t, g, srcs=(): struct.pack('!BBH', t, 0, len(srcs)) + g + b''.join(srcs)
    case('igmp', [ig(igmp(0x22, 0, struct.pack('!HH', 0, 1) + rec(4, mc))),
                  ig(igmp(0x22, 0, struct.pack('!HH', 0, 2) + rec(3, mc, (A, B)) + rec(9, ip_('239.9.9.9')))),
                  ig(igmp(0x22, 0, struct.pack('!HH', 0, 3) + rec(1, mc))),
                  ig(igmp(0x22, 0, struct.pack('!HH', 0, 1) + rec(1, mc, (A, B, C)))),
                  ig(igmp(0x22, 0, struct.pack('!HH', 0, 1))[:10]),
                  ig(igmp(0x11, 100, b'\0' * 4)), ig(igmp(0x11, 0, b'\0' * 4)), ig(igmp(0x11, 50, mc)),
                  ig(igmp(0x11, 100, b'\0' * 4 + b'\x02\x7d\0\0')),
                  ig(igmp(0x11, 10, mc + b'\x02\x7d\0\x02' + A + B)),
                  ig(igmp(0x11, 0x8f, mc + b'\x02\x7d\0\x05' + A)),
                  ig(igmp(0x11, 0xff, b'\0' * 8)), ig(igmp(0x11, 120, b'\0' * 9)),
                  ig(igmp(0x12, 0, mc)), ig(igmp(0x12, 0, mc + b'xx')), ig(igmp(0x16, 0, mc)),
                  ig(igmp(0x17, 0, mc)), ig(igmp(0x13, 0, b'\0' * 4)), ig(igmp(0x13, 0, b'')),
                  ig(igmp(0x14, 0, b'\0' * 4)), ig(igmp(0x1f, 0, A + B + mc + struct.pack('!I', 0x40000001) + b'\0' * 4)),
                  ig(igmp(0x1e, 0, A + B + C + struct.pack('!I', 0x40000002))), ig(igmp(0x1f, 0, b'\0' * 8)),
                  ig(igmp(0x42, 0, b'\0' * 4)), ig(igmp(0x16, 0, mc, cksum=0x1234)), ig(igmp(0x16, 0, b'')[:2])])


# Frames cut at every length (snaplen truncation), and a fixed set of random mutants: printed
# with fewer flag sets to keep the file small.
SWEEP_FLAGSETS = ('', 'ev', 'vv')
SWEEPS = [('eth-vlan', 0), ('stp', 0), ('stp', 4), ('llc', 0), ('sll', 0), ('sll2', 6), ('arp', 0), ('arp', 18),
          ('ipv4-options', 9), ('ipv4-options', 1), ('icmp', 3), ('icmp', 40), ('icmp-quoted', 0), ('udp', 2),
          ('tcp-session', 0), ('tcp-session', 4), ('igmp', 1), ('igmp', 9)]
MUTANTS_PER_FRAME = 2


def mutate(rnd, data):
    d = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        if not d:
            break
        i = rnd.randrange(min(len(d), 60)) if rnd.random() < 0.6 else rnd.randrange(len(d))
        d[i] = rnd.choice([0, 1, 2, 4, 5, 6, 0x45, 0x80, 0xff, 0x7f, rnd.randrange(256), d[i] ^ (1 << rnd.randrange(8))])
    cut = len(d) if rnd.random() < 0.7 else rnd.randint(1, len(d))
    return bytes(d), cut


def extra_cases():
    byname = {name: (link, frames) for name, link, frames in CASES}
    out = []
    for name, idx in SWEEPS:
        link, frames = byname[name]
        data, caplen = frames[idx]
        data = data[:caplen]
        out.append(('sweep-%s-%d' % (name, idx), link, [(data, cut) for cut in range(1, len(data) + 1)]))
    rnd = random.Random(4242)
    for name, link, frames in CASES:
        out.append(('mutants-' + name, link, [mutate(rnd, d[:c]) for d, c in frames for _ in range(MUTANTS_PER_FRAME)]))
    return out


def write_pcap(path, link, frames, base):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, link))
        for i, (data, caplen) in enumerate(frames):
            f.write(struct.pack('<IIII', base + i, (i * 1000 + 7) % 1000000, caplen, len(data)) + data[:caplen])


def run(path, flags):
    r = subprocess.run(['tcpdump', '-n', *flags, '-r', path], capture_output=True, text=True,
                       env={**os.environ, 'TZ': 'UTC', 'LC_ALL': 'C'})
    return r.stdout


def main():
    build()
    out = []
    base = 1700000000
    with tempfile.TemporaryDirectory() as tmp:
        for name, link, frames in CASES + extra_cases():
            path = os.path.join(tmp, name + '.pcap')
            write_pcap(path, link, frames, base)
            flagsets = FLAGSETS if not name.startswith(('sweep-', 'mutants-')) else {k: FLAGSETS[k] for k in SWEEP_FLAGSETS}
            out.append({'name': name, 'linkType': link, 'tsBase': base,
                        'frames': [{'hex': d[:c].hex(), 'len': len(d)} for d, c in frames],
                        'text': {k: run(path, v) for k, v in flagsets.items()}})
    with open(os.path.join(HERE, 'crafted.json'), 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    print('gen-crafted: %d cases, %d frames' % (len(out), sum(len(c['frames']) for c in out)))


if __name__ == '__main__':
    main()
