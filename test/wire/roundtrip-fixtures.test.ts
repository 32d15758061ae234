// emit(parse(x)) gives x back, byte for byte, for every layer of every frame the real kernel put
// in the fixtures (malformed frames are checked to raise DecodeError instead).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCapture } from '../../src/pcap/index.ts';
import {
  DecodeError, decodeFrame, emitArp, emitEthernet, emitIcmp, emitIpv4, emitSll, emitTcp, emitUdp, hex,
} from '../../src/wire/index.ts';

const DIR = new URL('../../fixtures/decode/', import.meta.url);
const captures = readdirSync(DIR).filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng')).sort();

describe('round trip over every recorded frame', () => {
  it('has captures to check', () => {
    expect(captures.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of captures) {
    it(file, () => {
      const cap = parseCapture(new Uint8Array(readFileSync(new URL(file, DIR))), file);
      expect(cap.error).toBeUndefined();
      let layers = 0;
      for (const rec of cap.records) {
        const f = decodeFrame(rec.data, { linkType: rec.linkType, originalLength: rec.originalLength });
        const at = `${file} #${rec.index}`;
        if (f.error) {
          // Only the hand-made malformed captures may fail to decode.
          expect(f.error, at).toBeInstanceOf(DecodeError);
          expect(file, at).toMatch(/^malformed|^icmp-unreach-codes|^icmp-param|^icmp-source|^vlan/);
        }
        if (f.ethernet) {
          expect(hex(emitEthernet(f.ethernet)), at).toBe(hex(rec.data));
          layers++;
        }
        if (f.sll) {
          expect(hex(emitSll(f.sll)), at).toBe(hex(rec.data));
          layers++;
        }
        const l2 = f.ethernet ?? f.sll;
        if (!l2) continue;
        const l3 = l2.payload;
        if (f.arp) {
          expect(hex(emitArp(f.arp)), at).toBe(hex(l3));
          layers++;
        }
        if (f.ipv4 && !f.ipv4.truncated) {
          const ipBytes = l3.subarray(0, f.ipv4.totalLength);
          expect(hex(emitIpv4(f.ipv4)), at).toBe(hex(ipBytes));
          layers++;
          const l4 = f.ipv4.payload;
          if (f.icmp) expect(hex(emitIcmp(f.icmp)), at).toBe(hex(l4));
          if (f.udp) expect(hex(emitUdp(f.udp)), at).toBe(hex(l4));
          if (f.tcp) expect(hex(emitTcp(f.tcp)), at).toBe(hex(l4));
          if (f.icmp || f.udp || f.tcp) layers++;
        }
      }
      expect(layers).toBeGreaterThan(0);
    });
  }
});
