// Files handed to DocLens by the OS: on the command line (first start, or a second instance whose argv is
// forwarded by the single-instance lock) and, on macOS, `open-file` events that may come before the app is
// ready. Pure pieces, unit-tested.

/**
 * The document paths in an argv: arguments after the executable (and after the app path when running
 * unpackaged as `electron .`) that are not switches and exist.
 */
export function filesFromArgv(
  argv: readonly string[],
  packaged: boolean,
  exists: (p: string) => boolean,
): string[] {
  const args = argv.slice(packaged ? 1 : 2);
  return args.filter((a) => !a.startsWith('-') && exists(a));
}

/** Holds paths that arrive before there is a window to open them in, then hands them over in order. */
export class PendingOpens {
  private pending: string[] = [];
  private sink: ((path: string) => void) | null = null;

  push(path: string): void {
    if (this.sink) this.sink(path);
    else this.pending.push(path);
  }

  /** From now on paths go straight to `sink`; those held so far are delivered first. */
  drainTo(sink: (path: string) => void): void {
    this.sink = sink;
    const held = this.pending;
    this.pending = [];
    for (const p of held) sink(p);
  }
}
