// glibc's getopt_long, state for state: the iptables tools depend on its quirks (unique-prefix
// abbreviations of long options, `--opt=value`, clustered short options, RETURN_IN_ORDER for
// `!`, argument permutation, which argv element `optind - 1` is after each call).

export interface LongOpt {
  name: string;
  /** 0 no argument, 1 required, 2 optional (only as `--name=value`). */
  hasArg: 0 | 1 | 2;
  val: number;
}

export const NON_OPTION = 1;
export const UNKNOWN = '?'.charCodeAt(0);
export const MISSING = ':'.charCodeAt(0);

type Ordering = 'permute' | 'require' | 'return';

export class Getopt {
  optind = 1;
  optarg: string | null = null;
  optopt = 0;
  /** Messages glibc would print (only when error printing is on). */
  readonly errors: string[] = [];
  private nextchar = '';
  private firstNonopt = 1;
  private lastNonopt = 1;
  private readonly ordering: Ordering;
  private readonly shortopts: string;
  private readonly printErrors: boolean;
  private readonly colon: boolean;

  constructor(readonly argv: string[], optstring: string, opterr = true) {
    let s = optstring;
    this.ordering = s[0] === '-' ? 'return' : s[0] === '+' ? 'require' : 'permute';
    if (s[0] === '-' || s[0] === '+') s = s.slice(1);
    this.colon = s[0] === ':';
    this.printErrors = opterr && !this.colon;
    this.shortopts = s;
  }

  private get prog(): string {
    return this.argv[0];
  }

  private err(msg: string): void {
    if (this.printErrors) this.errors.push(`${this.prog}: ${msg}\n`);
  }

  private nonoption(i: number): boolean {
    const a = this.argv[i];
    return a[0] !== '-' || a.length === 1;
  }

  private exchange(): void {
    const a = this.argv;
    const seg1 = a.slice(this.firstNonopt, this.lastNonopt);
    const seg2 = a.slice(this.lastNonopt, this.optind);
    a.splice(this.firstNonopt, seg1.length + seg2.length, ...seg2, ...seg1);
    this.firstNonopt += this.optind - this.lastNonopt;
    this.lastNonopt = this.optind;
  }

  /** The next option: its val (or short option character code), NON_OPTION, UNKNOWN, MISSING, or -1. */
  next(longopts: readonly LongOpt[]): number {
    const argc = this.argv.length;
    this.optarg = null;
    if (this.nextchar === '') {
      if (this.lastNonopt > this.optind) this.lastNonopt = this.optind;
      if (this.firstNonopt > this.optind) this.firstNonopt = this.optind;
      if (this.ordering === 'permute') {
        if (this.firstNonopt !== this.lastNonopt && this.lastNonopt !== this.optind) this.exchange();
        else if (this.lastNonopt !== this.optind) this.firstNonopt = this.optind;
        while (this.optind < argc && this.nonoption(this.optind)) this.optind++;
        this.lastNonopt = this.optind;
      }
      if (this.optind !== argc && this.argv[this.optind] === '--') {
        this.optind++;
        if (this.firstNonopt !== this.lastNonopt && this.lastNonopt !== this.optind) this.exchange();
        else if (this.firstNonopt === this.lastNonopt) this.firstNonopt = this.optind;
        this.lastNonopt = argc;
        this.optind = argc;
      }
      if (this.optind === argc) {
        if (this.firstNonopt !== this.lastNonopt) this.optind = this.firstNonopt;
        return -1;
      }
      if (this.nonoption(this.optind)) {
        if (this.ordering === 'require') return -1;
        this.optarg = this.argv[this.optind++];
        return NON_OPTION;
      }
      const arg = this.argv[this.optind];
      if (arg[1] === '-') {
        this.nextchar = arg.slice(2);
        return this.long(longopts);
      }
      this.nextchar = arg.slice(1);
    }
    return this.short();
  }

  private long(longopts: readonly LongOpt[]): number {
    const argc = this.argv.length;
    const eq = this.nextchar.indexOf('=');
    const name = eq < 0 ? this.nextchar : this.nextchar.slice(0, eq);
    let found = longopts.find((o) => o.name === name);
    if (!found) {
      const cands = longopts.filter((o) => o.name.startsWith(name));
      if (cands.length) {
        const first = cands[0];
        const ambiguous = cands.some((o) => o.hasArg !== first.hasArg || o.val !== first.val);
        if (ambiguous) {
          this.err(`option '--${name}' is ambiguous; possibilities:${cands.map((o) => ` '--${o.name}'`).join('')}`);
          this.nextchar = '';
          this.optind++;
          this.optopt = 0;
          return UNKNOWN;
        }
        found = first;
      }
    }
    if (!found) {
      this.err(`unrecognized option '--${name}'`);
      this.nextchar = '';
      this.optind++;
      this.optopt = 0;
      return UNKNOWN;
    }
    this.optind++;
    this.nextchar = '';
    if (eq >= 0) {
      if (found.hasArg) {
        this.optarg = this.argv[this.optind - 1].slice(2 + eq + 1);
      } else {
        this.err(`option '--${found.name}' doesn't allow an argument`);
        this.optopt = found.val;
        return UNKNOWN;
      }
    } else if (found.hasArg === 1) {
      if (this.optind < argc) {
        this.optarg = this.argv[this.optind++];
      } else {
        this.err(`option '--${found.name}' requires an argument`);
        this.optopt = found.val;
        return this.colon ? MISSING : UNKNOWN;
      }
    }
    return found.val;
  }

  private short(): number {
    const argc = this.argv.length;
    const c = this.nextchar[0];
    this.nextchar = this.nextchar.slice(1);
    const at = this.shortopts.indexOf(c);
    if (this.nextchar === '') this.optind++;
    if (at < 0 || c === ':' || c === ';') {
      this.err(`invalid option -- '${c}'`);
      this.optopt = c.charCodeAt(0);
      return UNKNOWN;
    }
    if (this.shortopts[at + 1] === ':') {
      if (this.shortopts[at + 2] === ':') {
        if (this.nextchar !== '') {
          this.optarg = this.nextchar;
          this.optind++;
        }
      } else if (this.nextchar !== '') {
        this.optarg = this.nextchar;
        this.optind++;
      } else if (this.optind === argc) {
        this.err(`option requires an argument -- '${c}'`);
        this.optopt = c.charCodeAt(0);
        this.nextchar = '';
        return this.colon ? MISSING : UNKNOWN;
      } else {
        this.optarg = this.argv[this.optind++];
      }
      this.nextchar = '';
    }
    return c.charCodeAt(0);
  }

  /** Re-reads the current element (iptables' `optind--` after loading an extension). */
  back(): void {
    this.optind--;
  }
}
