// iproute2's JSON output (its json_writer): compact for -j, and the pretty -j -p layout with its
// particular spacing ("[ {", 4-space indent per level, arrays of scalars on one line).

export type JsonScalar = string | number | boolean | null;

export class JsonWriter {
  private out = '';
  private depth = 0;
  /** The separator owed before the next element ('' at the start of a container). */
  private sep = '';

  constructor(private readonly pretty: boolean) {}

  private eol(): void {
    if (!this.pretty) return;
    this.out += '\n' + '    '.repeat(this.depth);
  }

  private eor(): void {
    this.out += this.sep;
    this.sep = ',';
  }

  private begin(c: string): void {
    this.eor();
    this.out += c;
    this.depth++;
    this.sep = '';
  }

  startObject(): this {
    this.begin('{');
    return this;
  }

  endObject(): this {
    this.depth--;
    if (this.sep !== '') this.eol();
    this.out += '}';
    this.sep = ',';
    return this;
  }

  startArray(): this {
    this.begin('[');
    if (this.pretty) this.out += ' ';
    return this;
  }

  endArray(): this {
    this.depth--;
    if (this.pretty && this.sep !== '') this.out += ' ';
    this.out += ']';
    this.sep = ',';
    return this;
  }

  name(key: string): this {
    this.eor();
    this.eol();
    this.sep = '';
    this.out += JSON.stringify(key) + (this.pretty ? ': ' : ':');
    return this;
  }

  value(v: JsonScalar): this {
    this.eor();
    this.out += typeof v === 'string' ? jsonString(v) : v === null ? 'null' : String(v);
    return this;
  }

  /** A value written as it is (iproute2's jsonw_printf, e.g. bridge timers as `0.00`). */
  raw(text: string): this {
    this.eor();
    this.out += text;
    return this;
  }

  field(key: string, v: JsonScalar): this {
    return this.name(key).value(v);
  }

  /** A member whose value is an array of scalars. */
  arrayField(key: string, values: readonly JsonScalar[]): this {
    this.name(key).startArray();
    for (const v of values) this.value(v);
    return this.endArray();
  }

  /** The text so far (iproute2 ends its JSON output with a newline). */
  text(): string {
    return this.out;
  }
}

/** JSON string escaping as iproute2 does it (control characters as \uXXXX, / unescaped). */
function jsonString(s: string): string {
  return JSON.stringify(s);
}
