// Spanning-tree BPDUs (print-stp.c): 802.1D config and TCN, 802.1w RSTP, 802.1s MSTP and
// 802.1aq SPB, e.g. `STP 802.1d, Config BPDU, Flags [none], bridge-id 8000.02:00:00:00:0b:00.8001, length 35`.
import { bittok2str, hexPad, printableChar, tok2str, type Ctx, type Tok } from './context.ts';

const STP_PROTO_VALUES: Tok = new Map([
  [0x00, '802.1d'],
  [0x02, '802.1w'],
  [0x03, '802.1s'],
  [0x04, '802.1aq'],
]);

const BPDU_FLAG_VALUES: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'Topology change'],
  [0x02, 'Proposal'],
  [0x10, 'Learn'],
  [0x20, 'Forward'],
  [0x40, 'Agreement'],
  [0x80, 'Topology change ACK'],
];

const BPDU_TYPE_VALUES: Tok = new Map([
  [0x00, 'Config'],
  [0x02, 'Rapid STP'],
  [0x80, 'Topology Change'],
]);

const PORT_ROLE_VALUES: Tok = new Map([
  [0x00, 'Unknown'],
  [0x01, 'Alternate'],
  [0x02, 'Root'],
  [0x03, 'Designated'],
]);

const BPDU_LEN = 36; // sizeof(struct stp_bpdu_), v1_length included
const MSTP_MIN_LEN = 102;
const MST_VER3_LEN = 36;
const MST_CONFIG_NAME = 39;
const MST_CONFIG_DIGEST = 73;
const MST_CIST_INT_PATH_COST = 89;
const MST_CIST_BRIDGE_ID = 93;
const MST_CIST_REMAIN_HOPS = 101;
const MST_MSTI = 102;
const MST_MSTI_LENGTH = 16;
const MST_CONFIG_INFO_LENGTH = 64;
const SPB_MIN_LEN = 87;

/** `%.2f` of `units / 256` with C's exact round-half-even. */
function stpTime(units: number): string {
  const scaled = units * 100;
  let q = Math.floor(scaled / 256);
  const r = scaled - q * 256;
  if (r * 2 > 256 || (r * 2 === 256 && q % 2 === 1)) q++;
  return `${Math.floor(q / 100)}.${String(q % 100).padStart(2, '0')}s`;
}

function bridgeId(c: Ctx, o: number): string {
  c.tcheck(o, 8);
  const b = c.b;
  const h = (i: number): string => hexPad(b[o + i], 2);
  return `${h(0)}${h(1)}.${h(2)}:${h(3)}:${h(4)}:${h(5)}:${h(6)}:${h(7)}`;
}

function flags(v: number): string {
  return bittok2str(BPDU_FLAG_VALUES, 'none', v);
}

function portRole(flagsByte: number): string {
  return tok2str(PORT_ROLE_VALUES, 'Unknown', (flagsByte & 0x0c) >> 2);
}

function times(c: Ctx, p: number): string {
  return (
    `message-age ${stpTime(c.u16(p + 27))}, max-age ${stpTime(c.u16(p + 29))}` +
    `, hello-time ${stpTime(c.u16(p + 31))}, forwarding-delay ${stpTime(c.u16(p + 33))}`
  );
}

function configBpdu(c: Ctx, p: number, length: number): void {
  const f = c.u8(p + 4);
  c.print(`, Flags [${flags(f)}]`);
  c.print(`, bridge-id ${bridgeId(c, p + 17)}.${hexPad(c.u16(p + 25), 4)}, length ${length}`);
  if (!c.vflag) return;
  c.print(`\n\t${times(c, p)}`);
  c.print(`\n\troot-id ${bridgeId(c, p + 5)}, root-pathcost ${c.u32(p + 13)}`);
  if (c.u8(p + 2) === 0x02) c.print(`, port-role ${portRole(f)}`);
}

/** nd_printjnp: up to `n` characters, stopping at a NUL. */
function printPadded(c: Ctx, o: number, n: number): void {
  for (; n > 0; n--, o++) {
    const ch = c.u8(o);
    if (ch === 0) break;
    c.print(printableChar(ch));
  }
}

function mstpBpdu(c: Ctx, p: number, length: number): void {
  const f = c.u8(p + 4);
  c.print(`, CIST Flags [${flags(f)}], length ${length}`);
  if (!c.vflag) return;
  c.print(`\n\tport-role ${portRole(f)}, `);
  c.print(`CIST root-id ${bridgeId(c, p + 5)}, CIST ext-pathcost ${c.u32(p + 13)}`);
  c.print(`\n\tCIST regional-root-id ${bridgeId(c, p + 17)}, `);
  c.print(`CIST port-id ${hexPad(c.u16(p + 25), 4)},`);
  c.print(`\n\t${times(c, p)}`);
  c.print(`\n\tv3len ${c.u16(p + MST_VER3_LEN)}, `);
  c.print('MCID Name ');
  printPadded(c, p + MST_CONFIG_NAME, 32);
  const d = MST_CONFIG_DIGEST;
  c.print(
    `, rev ${c.u16(p + MST_CONFIG_NAME + 32)},\n\t\tdigest ` +
      `${hexPad(c.u32(p + d), 8)}${hexPad(c.u32(p + d + 4), 8)}${hexPad(c.u32(p + d + 8), 8)}${hexPad(c.u32(p + d + 12), 8)}, `,
  );
  c.print(`CIST int-root-pathcost ${c.u32(p + MST_CIST_INT_PATH_COST)},`);
  c.print(`\n\tCIST bridge-id ${bridgeId(c, p + MST_CIST_BRIDGE_ID)}, `);
  c.print(`CIST remaining-hops ${c.u8(p + MST_CIST_REMAIN_HOPS)}`);
  const v3len = c.u16(p + MST_VER3_LEN);
  if (v3len > MST_CONFIG_INFO_LENGTH) {
    let len = v3len - MST_CONFIG_INFO_LENGTH;
    let off = MST_MSTI;
    while (len >= MST_MSTI_LENGTH) {
      const msti = c.u16(p + off + 1) & 0x0fff;
      const mf = c.u8(p + off);
      c.print(`\n\tMSTI ${msti}, Flags [${flags(mf)}], port-role ${portRole(mf)}`);
      c.print(`\n\t\tMSTI regional-root-id ${bridgeId(c, p + off + 1)}, pathcost ${c.u32(p + off + 9)}`);
      c.print(`\n\t\tMSTI bridge-prio ${c.u8(p + off + 13) >> 4}, port-prio ${c.u8(p + off + 14) >> 4}, hops ${c.u8(p + off + 15)}`);
      len -= MST_MSTI_LENGTH;
      off += MST_MSTI_LENGTH;
    }
  }
}

function spbBpdu(c: Ctx, p: number, offset: number): void {
  if (!c.vflag) return;
  const o = p + offset;
  c.print(`\n\tv4len ${c.u16(o)}, `);
  c.print('AUXMCID Name ');
  printPadded(c, o + 3, 32);
  const d = o + 37;
  c.print(
    `, Rev ${c.u16(o + 35)},\n\t\tdigest ` +
      `${hexPad(c.u32(d), 8)}${hexPad(c.u32(d + 4), 8)}${hexPad(c.u32(d + 8), 8)}${hexPad(c.u32(d + 12), 8)}`,
  );
  const ag = o + 53;
  const a = c.u8(ag);
  const fmt = c.u8(ag + 2);
  const con = c.u8(ag + 3);
  const edge = c.u16(ag + 4);
  const dg = ag + 14;
  let digest = '';
  for (let i = 0; i < 5; i++) digest += hexPad(c.u32(dg + 4 * i), 8);
  c.print(
    `\n\tAgreement num ${a >> 6}, Discarded Agreement num ${(a >> 4) & 0x3}, Agreement valid-flag ${(a >> 3) & 0x1},` +
      `\n\tRestricted role-flag: ${(a >> 2) & 0x1}, Format id ${fmt >> 4} cap ${fmt & 0xff}, ` +
      `Convention id ${con >> 4} cap ${con & 0xff},\n\tEdge count ${edge}, Agreement digest ${digest}`,
  );
}

/** Prints the BPDU at `p` (`length` bytes of LLC payload). */
export function stpPrint(c: Ctx, p: number, length: number): void {
  c.protocol = 'stp';
  if (length < 4) {
    c.invalid();
    return;
  }
  if (c.u16(p) !== 0) {
    c.print(`unknown STP version, length ${length}`);
    return;
  }
  const version = c.u8(p + 2);
  c.print(`STP ${tok2str(STP_PROTO_VALUES, 'Unknown STP protocol (0x%02x)', version)}`);
  if (version > 4 || version === 1) return;
  const type = c.u8(p + 3);
  c.print(`, ${tok2str(BPDU_TYPE_VALUES, 'Unknown BPDU Type (0x%02x)', type)}`);
  if (type === 0x00) {
    if (length < BPDU_LEN - 1) {
      c.invalid();
      return;
    }
    configBpdu(c, p, length);
  } else if (type === 0x02) {
    if (version === 0x02) {
      if (length < BPDU_LEN) {
        c.invalid();
        return;
      }
      configBpdu(c, p, length);
    } else if (version === 0x03 || version === 0x04) {
      if (length < MSTP_MIN_LEN || c.u8(p + 35) !== 0) {
        c.invalid();
        return;
      }
      const mstpLen = c.u16(p + MST_VER3_LEN) + 2;
      if (length < BPDU_LEN + mstpLen) {
        c.invalid();
        return;
      }
      mstpBpdu(c, p, length);
      if (version === 0x04) {
        const spbLen = c.u16(p + MST_VER3_LEN + mstpLen) + 2;
        if (length < BPDU_LEN + mstpLen + spbLen || spbLen < SPB_MIN_LEN) {
          c.invalid();
          return;
        }
        spbBpdu(c, p, BPDU_LEN + mstpLen);
      }
    }
  }
}
