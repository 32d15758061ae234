// iproute2's json_print layer: one set of print calls that writes either the text form or the
// JSON form (print_string(PRINT_ANY, key, fmt, value) and friends). In text mode `nl()` is
// iproute2's _SL_ (a newline, or a backslash under -o); in JSON mode only keyed values count.
import { JsonWriter, type JsonScalar } from './json.ts';

export class Printer {
  private text = '';
  readonly jw: JsonWriter | undefined;

  constructor(json: boolean, pretty: boolean, private readonly oneline: boolean) {
    this.jw = json ? new JsonWriter(pretty) : undefined;
  }

  get json(): boolean {
    return this.jw !== undefined;
  }

  /** PRINT_ANY: `key: value` in JSON (a bare value inside an array when key is null), `text` otherwise. */
  any(key: string | null, text: string, value: JsonScalar): this {
    if (this.jw) {
      if (key === null) this.jw.value(value);
      else this.jw.field(key, value);
    } else {
      this.text += text;
    }
    return this;
  }

  /** PRINT_FP: text only. */
  fp(text: string): this {
    if (!this.jw) this.text += text;
    return this;
  }

  /** PRINT_JSON: JSON only. */
  js(key: string, value: JsonScalar): this {
    this.jw?.field(key, value);
    return this;
  }

  /** print_nl(): _SL_ in text mode. */
  nl(): this {
    if (!this.jw) this.text += this.oneline ? '\\' : '\n';
    return this;
  }

  /** The line separator iproute2 calls _SL_. */
  get sl(): string {
    return this.oneline ? '\\' : '\n';
  }

  openObject(key: string | null = null): this {
    if (this.jw) {
      if (key !== null) this.jw.name(key);
      this.jw.startObject();
    }
    return this;
  }

  closeObject(): this {
    this.jw?.endObject();
    return this;
  }

  /** open_json_array(PRINT_ANY, json ? key : text). */
  openArray(key: string, text = ''): this {
    if (this.jw) this.jw.name(key).startArray();
    else this.text += text;
    return this;
  }

  closeArray(text = ''): this {
    if (this.jw) this.jw.endArray();
    else this.text += text;
    return this;
  }

  /** new_json_obj: a JSON listing is one array. */
  begin(): this {
    this.jw?.startArray();
    return this;
  }

  /** delete_json_obj: closes the array and ends the line. */
  end(): this {
    if (this.jw) this.jw.endArray();
    return this;
  }

  /** Everything printed so far (JSON gets its final newline here). */
  output(): string {
    return this.jw ? this.jw.text() + '\n' : this.text;
  }
}
