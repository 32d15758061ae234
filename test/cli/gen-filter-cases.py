#!/usr/bin/env python3
"""Ground truth for test/cli/tcpdump-filter.test.ts (run through gen-filter-cases.sh).

craft: writes three small captures beside this file with what fixtures/decode lacks: IPv6,
SCTP, 802.3/LLC/SNAP frames, QinQ, frames cut short (caplen < len) and LINUX_SLL/SLL2 packet
types and ifindexes.

record EXPRS_FILE OUT_JSON CAPTURE...: runs `tcpdump -n -r CAPTURE -w - -- EXPR` for every
expression and capture and stores which packets (0-based) it kept, or the error it printed
and its exit status.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


# --- crafting -------------------------------------------------------------------------------

def mac(s):
    return bytes(int(x, 16) for x in s.split(':'))


def ip4(s):
    return bytes(int(x) for x in s.split('.'))


def ip6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed


def eth(dst, src, etype, payload):
    return mac(dst) + mac(src) + struct.pack('!H', etype) + payload


def dot3(dst, src, payload):
    return mac(dst) + mac(src) + struct.pack('!H', len(payload)) + payload


def vlan(tpid, vid, etype, payload, pcp=0):
    return struct.pack('!HHH', tpid, (pcp << 13) | vid, etype) + payload


def ipv4(src, dst, proto, payload, ttl=64, tos=0, ident=1, flags=0, frag=0, opts=b'', ihl=None, total=None):
    hl = 5 + len(opts) // 4 if ihl is None else ihl
    tl = 20 + len(opts) + len(payload) if total is None else total
    return struct.pack('!BBHHHBBH4s4s', 0x40 | hl, tos, tl, ident, (flags << 13) | frag, ttl, proto, 0,
                       ip4(src), ip4(dst)) + opts + payload


def ipv6(src, dst, nh, payload, hlim=64):
    return struct.pack('!IHBB16s16s', 0x60000000, len(payload), nh, hlim, ip6(src), ip6(dst)) + payload


def udp(sport, dport, data=b'hello'):
    return struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data


def tcp(sport, dport, flags, data=b'', opts=b''):
    off = 5 + len(opts) // 4
    return struct.pack('!HHIIBBHHH', sport, dport, 1, 0, off << 4, flags, 65535, 0, 0) + opts + data


def sctp(sport, dport):
    return struct.pack('!HHII', sport, dport, 0, 0) + bytes([1, 0, 0, 4])


def icmp(t, c, rest=b'\0\0\0\0', data=b'abcdefgh'):
    return struct.pack('!BBH', t, c, 0) + rest + data


def arp(op, sha, spa, tha, tpa):
    return struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, op, mac(sha), ip4(spa), mac(tha), ip4(tpa))


A1, A2, BC = '02:00:00:00:0a:01', '02:00:00:00:0a:02', 'ff:ff:ff:ff:ff:ff'


def eth_frames():
    """(frame bytes, wire length or None)."""
    f = []
    add = lambda b, wire=None: f.append((b, wire))
    add(eth('01:00:5e:00:00:fb', A1, 0x0800, ipv4('192.168.1.10', '224.0.0.251', 17, udp(5353, 5353))))
    add(eth(BC, A1, 0x0800, ipv4('0.0.0.0', '255.255.255.255', 17, udp(68, 67, b'x' * 40))))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(12345, 80, 0x02))))
    add(eth(A1, A2, 0x0800, ipv4('10.0.0.2', '10.0.0.1', 6, tcp(80, 12345, 0x12))))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(443, 1024, 0x18, b'GET / HTTP/1.0\r\n', b'\x01\x01\x01\x01'))))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 132, sctp(2905, 2905))))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(53, 1053, b'q' * 30), flags=1, ident=7)))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, struct.pack('!HHHH', 53, 53, 0, 0) + b'z' * 8, frag=5, ident=7)))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 1, icmp(8, 0))))
    add(eth(A1, A2, 0x0800, ipv4('10.0.0.2', '10.0.0.1', 1, icmp(0, 0))))
    add(eth(A1, A2, 0x0800, ipv4('10.0.0.2', '10.0.0.1', 1, icmp(3, 3, data=ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2))))))
    add(eth('33:33:00:00:00:fb', A1, 0x86dd, ipv6('2001:db8::1', 'ff02::fb', 17, udp(5353, 5353))))
    add(eth(A2, A1, 0x86dd, ipv6('2001:db8::1', '2001:db8::2', 6, tcp(40000, 80, 0x02))))
    add(eth(A2, A1, 0x86dd, ipv6('fe80::1', 'fe80::2', 58, icmp(128, 0))))
    add(eth(A2, A1, 0x86dd, ipv6('2001:db8::1', '2001:db8::2', 44, struct.pack('!BBHI', 17, 0, 1, 9) + udp(53, 1053))))
    add(eth(A2, A1, 0x86dd, ipv6('2001:db8::1', '2001:db8::2', 132, sctp(2905, 36412))))
    add(eth(BC, A1, 0x0806, arp(1, A1, '10.0.0.1', '00:00:00:00:00:00', '10.0.0.2')))
    add(eth(BC, A1, 0x8035, struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 3, mac(A1), ip4('0.0.0.0'), mac(A1), ip4('0.0.0.0'))))
    add(dot3('01:80:c2:00:00:00', A1, bytes([0x42, 0x42, 0x03]) + b'\0' * 35))
    add(dot3(BC, A1, bytes([0xaa, 0xaa, 0x03, 0, 0, 0, 0x81, 0x37]) + b'\xff\xff' + b'\0' * 28))
    add(eth(BC, A1, 0x8137, b'\xff\xff' + b'\0' * 28))
    add(dot3(BC, A1, b'\xff\xff' + b'\0' * 28))
    add(dot3('01:80:c2:00:00:14', A1, bytes([0xfe, 0xfe, 0x03, 0x83, 27, 1, 0, 15, 1]) + b'\0' * 30))
    add(dot3(BC, A1, bytes([0xf0, 0xf0, 0x03]) + b'\0' * 40))
    add(eth(A2, A1, 0x8100, vlan(0x8100, 10, 0x0800, ipv4('10.10.0.1', '10.10.0.2', 17, udp(40000, 53)))[2:]))
    add(eth(A2, A1, 0x8100, vlan(0x8100, 10, 0x86dd, ipv6('2001:db8::1', '2001:db8::2', 6, tcp(40000, 80, 0x10)))[2:]))
    add(eth(A2, A1, 0x88a8, struct.pack('!H', 20) + vlan(0x8100, 30, 0x0800, ipv4('10.20.0.1', '10.20.0.2', 1, icmp(8, 0)))))
    add(eth(A2, A1, 0x9100, struct.pack('!HH', 40, 0x0800) + ipv4('10.40.0.1', '10.40.0.2', 6, tcp(1, 2, 0x04))))
    add(eth(BC, A1, 0x8100, struct.pack('!HH', 0xefff, 0x0806) + arp(1, A1, '10.0.0.1', '00:00:00:00:00:00', '10.0.0.9')))
    full = eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(40000, 80, 0x02, b'x' * 20)))
    add(full[:34], len(full))                      # IPv4 header only: ports beyond the capture
    add(full[:14], len(full))                      # Ethernet header only
    add(full[:10], len(full))                      # not even an Ethernet header
    add(full[:38], len(full))                      # TCP ports only
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(9, 9), opts=b'\x01' * 40)))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(80, 80, 0x02), ihl=2)))
    add(eth(BC, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.255', 17, udp(138, 138))))
    add(eth('01:00:5e:00:00:01', A1, 0x0800, ipv4('10.0.0.1', '224.0.0.1', 2, bytes([0x11, 0x64, 0, 0, 0, 0, 0, 0]), ttl=1)))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 47, b'\0\0\x08\0' + b'g' * 20, tos=0xb8)))
    add(eth(A2, A1, 0x809b, b'\0' * 30))
    add(dot3(BC, A1, bytes([0xaa, 0xaa, 0x03, 0, 0, 0, 0x80, 0xf3]) + b'\0' * 28))
    add(dot3(BC, A1, bytes([0xaa, 0xaa, 0x03, 0x08, 0x00, 0x07, 0x80, 0x9b]) + b'\0' * 28))
    add(eth(A2, A1, 0x86dd, ipv6('2001:db8::1', '2001:db8::2', 17, udp(1, 2))[:20]), 62)
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 65535))))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(40001, 40000, b'b' * 1500))))
    for et in (0x9000, 0x6003, 0x6004, 0x6001, 0x6002, 0x6007, 0x8847):
        add(eth(A2, A1, et, b'\0' * 46))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 1, icmp(5, 1, ip4('10.0.0.3')), ttl=1, flags=2)))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(40080, 40081, 0x11))))
    add(eth(A2, A1, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(40080, 40081, 0x29, b'd'))))
    add(b'\x02', 60)                              # one byte of a 60-byte frame
    return f


def sll_header(pkttype, proto, addr=A1):
    return struct.pack('!HHH8sH', pkttype, 1, 6, mac(addr) + b'\0\0', proto)


def sll2_header(proto, ifindex, pkttype, addr=A1):
    return struct.pack('!HHIHBB8s', proto, 0, ifindex, 1, pkttype, 6, mac(addr) + b'\0\0')


def cooked_payloads():
    """(pkttype, protocol, payload, wire length or None, ifindex)."""
    p = []
    p.append((0, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(40001, 40000)), None, 3))
    p.append((4, 0x0800, ipv4('10.0.0.2', '10.0.0.1', 6, tcp(80, 12345, 0x12)), None, 3))
    p.append((1, 0x0806, arp(1, A1, '10.0.0.1', '00:00:00:00:00:00', '10.0.0.2'), None, 4))
    p.append((2, 0x86dd, ipv6('2001:db8::1', 'ff02::1', 17, udp(5353, 5353)), None, 4))
    p.append((4, 0x86dd, ipv6('2001:db8::2', '2001:db8::1', 6, tcp(22, 40000, 0x18, b'ssh')), None, 5))
    p.append((0, 0x0004, bytes([0x42, 0x42, 0x03]) + b'\0' * 35, None, 3))
    p.append((0, 0x0001, b'\xff\xff' + b'\0' * 28, None, 3))
    p.append((0, 0x8137, b'\xff\xff' + b'\0' * 28, None, 3))
    p.append((0, 0x0004, bytes([0xaa, 0xaa, 0x03, 0x08, 0x00, 0x07, 0x80, 0x9b]) + b'\0' * 20, None, 3))
    p.append((0, 0x0004, bytes([0xe0, 0xe0, 0x03]) + b'\0' * 20, None, 6))
    p.append((0, 0x0004, bytes([0xfe, 0xfe, 0x03, 0x83, 27, 1, 0, 16]) + b'\0' * 20, None, 6))
    p.append((4, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 1, icmp(8, 0)), None, 7))
    p.append((0, 0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(40000, 80, 0x02))[:20], 60, 3))
    p.append((3, 0x0800, ipv4('10.1.0.2', '10.2.0.2', 1, icmp(0, 0)), None, 9012))
    return p


def write_pcap(path, linktype, frames):
    with open(path, 'wb') as out:
        out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, linktype))
        for i, (data, wire) in enumerate(frames):
            out.write(struct.pack('<IIII', 1700000000 + i, 1000 * i, len(data), len(data) if wire is None else wire))
            out.write(data)


def craft():
    write_pcap(os.path.join(HERE, 'tcpdump-filter-eth.pcap'), 1, eth_frames())
    cooked = cooked_payloads()
    write_pcap(os.path.join(HERE, 'tcpdump-filter-sll.pcap'), 113,
               [(sll_header(t, pr) + pl, None if w is None else 16 + w) for t, pr, pl, w, _ in cooked])
    write_pcap(os.path.join(HERE, 'tcpdump-filter-sll2.pcap'), 276,
               [(sll2_header(pr, ix, t) + pl, None if w is None else 20 + w) for t, pr, pl, w, ix in cooked])


# --- recording ------------------------------------------------------------------------------

def read_pcap(data):
    """Records as (header-less key) of a classic pcap, any byte order, µs or ns."""
    magic = data[:4]
    endian = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    pos, out = 24, []
    while pos + 16 <= len(data):
        sec, frac, caplen, wire = struct.unpack(endian + 'IIII', data[pos:pos + 16])
        out.append((sec, frac, wire, data[pos + 16:pos + 16 + caplen]))
        pos += 16 + caplen
    return out


def ranges(idx):
    """[0, 1, 2, 5, 7, 8] -> '0-2,5,7-8'."""
    out, i = [], 0
    while i < len(idx):
        j = i
        while j + 1 < len(idx) and idx[j + 1] == idx[j] + 1:
            j += 1
        out.append(str(idx[i]) if i == j else f'{idx[i]}-{idx[j]}')
        i = j + 1
    return ','.join(out)


def record(exprs_file, out_json, captures):
    with open(exprs_file) as f:
        exprs = [line.rstrip('\n') for line in f if line.strip() and not line.startswith('#')]
    exprs = [e[1:-1] if e.startswith('"') and e.endswith('"') else e for e in exprs]
    from concurrent.futures import ThreadPoolExecutor
    # Every record of each capture as tcpdump writes it back, to find the kept ones among.
    all_recs = {c: read_pcap(subprocess.run(['tcpdump', '-r', c, '-w', '-'], capture_output=True).stdout) for c in captures}

    def run(expr, cap):
        with tempfile.NamedTemporaryFile(suffix='.pcap') as tmp:
            p = subprocess.run(['tcpdump', '-n', '-r', cap, '-w', tmp.name, '--', expr], capture_output=True, text=True)
            if p.returncode != 0:
                msg = [l for l in p.stderr.splitlines() if l.startswith('tcpdump: ')]
                return {'error': msg[0][len('tcpdump: '):] if msg else p.stderr.strip(), 'status': p.returncode}
            kept = read_pcap(open(tmp.name, 'rb').read())
        idx, j = [], 0
        for i, r in enumerate(all_recs[cap]):
            if j < len(kept) and kept[j] == r:
                idx.append(i)
                j += 1
        assert j == len(kept), (expr, cap)
        return ranges(idx)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
        futures = [[pool.submit(run, e, c) for c in captures] for e in exprs]
        results = []
        for e, row in zip(exprs, futures):
            r = [f.result() for f in row]
            # The same error on every capture is stored once.
            if all(isinstance(x, dict) for x in r) and all(x == r[0] for x in r):
                results.append({'expr': e, **r[0]})
            else:
                results.append({'expr': e, 'results': r})
    version = subprocess.run(['tcpdump', '--version'], capture_output=True, text=True).stdout.splitlines()[:2]
    doc = {
        'generator': 'test/cli/gen-filter-cases.sh',
        'tool': version,
        'captures': [os.path.relpath(c, os.path.join(HERE, '..', '..')) for c in captures],
        'cases': results,
    }
    with open(out_json, 'w') as f:
        head = json.dumps({k: v for k, v in doc.items() if k != 'cases'}, indent=1)
        f.write(head[:-2] + ',\n "cases": [\n')
        f.write(',\n'.join(json.dumps(c, separators=(',', ':')) for c in results))
        f.write('\n ]\n}\n')


if __name__ == '__main__':
    if sys.argv[1] == 'craft':
        craft()
    else:
        record(sys.argv[2], sys.argv[3], sys.argv[4:])
