// The caller's side of the backend process, independent of how the process is made (Electron
// utilityProcess in main, child_process.fork under `doclens serve`). It matches replies to calls, forwards
// events, and when the process dies fails the calls in flight with `backend_restarted` and starts a new one.
import type { AppEvent } from './contract.js';
import type { Envelope } from './errors.js';

/** Messages from the caller to the backend process. */
export type ToBackend = { type: 'call'; id: number; channel: string; input: unknown } | { type: 'shutdown' };

/** Messages from the backend process to the caller. */
export type FromBackend =
  | { type: 'ready'; pid: number }
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; event: AppEvent };

/** A started backend process, as the link sees it. */
export interface BackendPort {
  send(msg: ToBackend): void;
  onMessage(listener: (msg: FromBackend) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export interface BackendLinkOptions {
  spawn: () => BackendPort;
  onEvent: (event: AppEvent) => void;
  /** Restarts allowed within `restartWindowMs` before the link gives up (default 5 in 60 s). */
  maxRestarts?: number;
  restartWindowMs?: number;
  log?: (line: string) => void;
}

export class BackendLink {
  private port: BackendPort | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (env: Envelope<unknown>) => void>();
  private restarts: number[] = [];
  private closed = false;
  private readyWaiters: Array<() => void> = [];
  private ready = false;
  pid: number | null = null;

  constructor(private readonly opts: BackendLinkOptions) {
    this.start();
  }

  private start(): void {
    const port = this.opts.spawn();
    this.port = port;
    this.ready = false;
    port.onMessage((msg) => {
      if (port !== this.port) return;
      if (msg.type === 'ready') {
        this.pid = msg.pid;
        this.ready = true;
        for (const w of this.readyWaiters.splice(0)) w();
      } else if (msg.type === 'result') {
        const resolve = this.pending.get(msg.id);
        if (resolve) {
          this.pending.delete(msg.id);
          resolve(msg.envelope);
        }
      } else if (msg.type === 'event') {
        this.opts.onEvent(msg.event);
      }
    });
    port.onExit((code) => {
      if (port !== this.port) return;
      this.port = null;
      this.pid = null;
      const failed = [...this.pending.values()];
      this.pending.clear();
      for (const resolve of failed) {
        resolve({
          ok: false,
          error: {
            code: 'backend_restarted',
            message: `the backend process stopped (exit code ${code ?? 'signal'}) while handling this request; it has been restarted, try again`,
          },
        });
      }
      if (this.closed) return;
      const now = Date.now();
      const window = this.opts.restartWindowMs ?? 60_000;
      this.restarts = this.restarts.filter((t) => now - t < window);
      if (this.restarts.length >= (this.opts.maxRestarts ?? 5)) {
        this.opts.log?.('backend keeps crashing; not restarting');
        this.opts.onEvent({
          type: 'backend.status',
          payload: { state: 'down', message: 'The backend process keeps stopping; restart DocLens.' },
        });
        return;
      }
      this.restarts.push(now);
      this.opts.log?.(`backend exited (${code ?? 'signal'}); restarting`);
      this.start();
      this.opts.onEvent({
        type: 'backend.status',
        payload: { state: 'restarted', message: 'The backend process stopped and was restarted.' },
      });
    });
  }

  /** Resolves once the current backend process has said it is ready. */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  call(channel: string, input: unknown): Promise<Envelope<unknown>> {
    const port = this.port;
    if (!port || this.closed) {
      return Promise.resolve({
        ok: false,
        error: { code: 'backend_restarted', message: 'the backend process is not running' },
      });
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      try {
        port.send({ type: 'call', id, channel, input });
      } catch (e) {
        this.pending.delete(id);
        resolve({
          ok: false,
          error: { code: 'backend_restarted', message: `could not reach the backend: ${String(e)}` },
        });
      }
    });
  }

  /** Kills the current process (tests and the "restart backend" command use this). */
  kill(): void {
    this.port?.kill();
  }

  close(): void {
    this.closed = true;
    const port = this.port;
    this.port = null;
    if (port) {
      try {
        port.send({ type: 'shutdown' });
      } catch {
        /* already gone */
      }
      const t: unknown = setTimeout(() => port.kill(), 2000);
      (t as { unref?: () => void }).unref?.();
    }
  }
}
