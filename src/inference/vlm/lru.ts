// A byte-bounded LRU map for the engine's caches (image features, prompt-prefix KV): memory stays under a budget
// however many pages a user asks about, and the page asked about last stays warm.

export class ByteLru<V> {
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private total = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly maxBytes: number,
    private readonly onEvict?: (value: V) => void,
  ) {}

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  /** Iterates from most to least recently used without touching recency. */
  *entries(): IterableIterator<[string, V]> {
    const all = [...this.map.entries()].reverse();
    for (const [k, e] of all) yield [k, e.value];
  }

  /** Stores `value`; a value larger than the whole budget is not kept. Returns whether it was kept. */
  set(key: string, value: V, bytes: number): boolean {
    this.delete(key);
    if (bytes > this.maxBytes) return false;
    this.map.set(key, { value, bytes });
    this.total += bytes;
    for (const [k, e] of this.map) {
      if (this.total <= this.maxBytes) break;
      this.map.delete(k);
      this.total -= e.bytes;
      this.onEvict?.(e.value);
    }
    return true;
  }

  delete(key: string): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.total -= e.bytes;
    this.onEvict?.(e.value);
  }

  clear(): void {
    for (const key of [...this.map.keys()]) this.delete(key);
  }
}
