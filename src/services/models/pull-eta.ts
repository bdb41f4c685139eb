// The time a pull has left, from the bytes received over the last few seconds (a whole-run average would stay
// wrong for minutes after the network slows down or recovers). Fed by store.ts as a download's bytes arrive.

export class RateMeter {
  private readonly samples: { t: number; bytes: number }[] = [];
  private received = 0;
  constructor(
    /** The window the rate is measured over. */
    private readonly windowMs = 10_000,
    /** Less measured time than this gives no rate (and no ETA) yet. */
    private readonly minSpanMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(bytes: number): void {
    const t = this.now();
    this.received += bytes;
    // The first chunk's bytes arrived over an unknown time: it only starts the clock.
    this.samples.push({ t, bytes: this.received });
    while (this.samples.length > 2 && (this.samples[1]?.t ?? t) <= t - this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window, null until `minSpanMs` have been measured. */
  rate(): number | null {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t - first.t < this.minSpanMs) return null;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }

  /** Seconds to receive `remaining` bytes at the current rate; null while unknown or stalled. */
  etaSeconds(remaining: number): number | null {
    const r = this.rate();
    if (r === null || r <= 0) return null;
    return Math.max(0, remaining) / r;
  }
}
