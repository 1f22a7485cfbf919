/**
 * Consistent renaming of a cluster's own names (the cluster, its nodes, its roles and VMs) for models and
 * recordings that are shared in bug reports. The same original always gets the same replacement, wherever it
 * appears as a whole word (any case); update titles and KB numbers stay. A replacement never contains an
 * original name, so a search for the originals finds nothing.
 * Depends on nothing.
 */

export type NameKind = 'cluster' | 'node' | 'role';

const PREFIX: Readonly<Record<NameKind, string>> = { cluster: 'cluster', node: 'node', role: 'role' };

/** a, b, ..., z, aa, ab, ...: short, and never digits that could look like a count. */
function letters(index: number): string {
  let n = index;
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Anonymizer {
  private readonly map = new Map<string, string>();
  private readonly counters: Record<NameKind, number> = { cluster: 0, node: 0, role: 0 };
  private pattern: RegExp | undefined;

  /** Learns a name (the first kind it is learnt as decides its replacement). Empty names are ignored. */
  add(kind: NameKind, name: string | null | undefined): void {
    if (name === null || name === undefined || name.trim() === '') return;
    const key = name.toUpperCase();
    if (this.map.has(key)) return;
    this.map.set(key, '');
    this.pattern = undefined;
    this.assignPending(kind, key);
  }

  private assignPending(kind: NameKind, key: string): void {
    const originals = [...this.map.keys()];
    for (let tries = 0; ; tries++) {
      const candidate = `${PREFIX[kind]}-${letters(this.counters[kind]++)}`;
      const upper = candidate.toUpperCase();
      const clashes = originals.some((o) => upper.includes(o)) || [...this.map.values()].includes(candidate);
      // An original as short as one letter is inside every candidate: give up avoiding it rather than loop.
      if (!clashes || tries > 1000) {
        this.map.set(key, candidate);
        return;
      }
    }
  }

  /** The replacement of `name` (unchanged when it was never learnt). */
  nameFor(name: string): string {
    return this.map.get(name.toUpperCase()) || name;
  }

  /** The originals learnt so far, for tests and checks. */
  originals(): string[] {
    return [...this.map.keys()];
  }

  /** Replaces every learnt name that stands as a whole word in `text` (letters, digits and `_` bound a word). */
  text(text: string): string {
    if (this.map.size === 0) return text;
    if (this.pattern === undefined) {
      // Longest first, so NODE10 is not read as NODE1 followed by 0.
      const alternatives = [...this.map.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(`(?<![A-Za-z0-9_])(?:${alternatives.join('|')})(?![A-Za-z0-9_])`, 'gi');
    }
    return text.replace(this.pattern, (match) => this.nameFor(match));
  }

  /** A deep copy of `value` with every string (object keys included) renamed. */
  value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) out[this.text(key)] = this.value(inner);
      return out;
    }
    return value;
  }
}
