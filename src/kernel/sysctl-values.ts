// The store behind a namespace's sysctls: the namespace-wide keys in a Map, and each device's
// per-device keys (conf.DEV.*, neigh.DEV.*) as one array in template order, so a new device
// costs one array instead of 125 keys built and hashed into a map that, for a namespace
// holding 10 000 ports, grows past a million entries. Reads and writes by key text work for
// both kinds.

/** A per-device key as the text before and after the device name. */
export interface DeviceKey {
  head: string;
  tail: string;
}

const indexes = new WeakMap<readonly DeviceKey[], { index: Map<string, number>; heads: string[] }>();

export class SysctlValues {
  private readonly plain = new Map<string, string>();
  private readonly devs = new Map<string, string[]>();
  /** Template index by head + tail, and the distinct heads (shared by every namespace). */
  private readonly index: Map<string, number>;
  private readonly heads: string[];
  /** The device locate() found. */
  private found: string[] | undefined;

  constructor(private readonly template: readonly DeviceKey[]) {
    let shared = indexes.get(template);
    if (shared === undefined) {
      const index = new Map<string, number>();
      template.forEach((t, i) => index.set(t.head + t.tail, i));
      shared = { index, heads: [...new Set(template.map((t) => t.head))] };
      indexes.set(template, shared);
    }
    this.index = shared.index;
    this.heads = shared.heads;
  }

  /** The template index of a per-device key of an existing device (and that device's values), or -1. */
  private locate(key: string): number {
    for (const head of this.heads) {
      if (!key.startsWith(head)) continue;
      const j = key.lastIndexOf('.');
      if (j <= head.length) continue;
      const values = this.devs.get(key.slice(head.length, j));
      const i = this.index.get(head + key.slice(j));
      if (values !== undefined && i !== undefined) {
        this.found = values;
        return i;
      }
    }
    return -1;
  }

  get(key: string): string | undefined {
    const v = this.plain.get(key);
    if (v !== undefined || this.devs.size === 0) return v;
    const i = this.locate(key);
    return i < 0 ? undefined : this.found![i];
  }

  has(key: string): boolean {
    return this.plain.has(key) || (this.devs.size !== 0 && this.locate(key) >= 0);
  }

  set(key: string, value: string): void {
    if (!this.plain.has(key)) {
      const i = this.devs.size === 0 ? -1 : this.locate(key);
      if (i >= 0) {
        this.found![i] = value;
        return;
      }
    }
    this.plain.set(key, value);
  }

  /** Every key (namespace-wide ones first, then each device's). */
  *keys(): IterableIterator<string> {
    yield* this.plain.keys();
    for (const name of this.devs.keys()) for (const t of this.template) yield t.head + name + t.tail;
  }

  /** A device's keys with their values in template order. The names `all` and `default`
   * are the namespace-wide directories' own: a device of that name writes into them. */
  addDevice(name: string, values: string[]): void {
    if (name === 'all' || name === 'default') {
      this.template.forEach((t, i) => this.plain.set(t.head + name + t.tail, values[i]));
      return;
    }
    this.devs.set(name, values);
  }

  removeDevice(name: string): void {
    if (!this.devs.delete(name)) for (const t of this.template) this.plain.delete(t.head + name + t.tail);
  }

  renameDevice(oldName: string, newName: string): void {
    const values = this.devs.get(oldName);
    if (values === undefined) return;
    this.devs.delete(oldName);
    this.addDevice(newName, values);
  }

  /** Names of the devices with keys here (`all` and `default` are not among them). */
  deviceNames(): IterableIterator<string> {
    return this.devs.keys();
  }

  /** The namespace-wide keys (with `all` and `default`'s). */
  plainKeys(): IterableIterator<string> {
    return this.plain.keys();
  }
}
