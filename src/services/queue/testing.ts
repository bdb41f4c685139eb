// For queue tests and the scale bench: a real redis-server (the Debian package) on a free loopback port with no
// persistence, in its own process group and temp folder, stopped with the whole group.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'doclens-redis-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      process.env.REDIS_SERVER ?? 'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      const onData = (c: Buffer) => {
        out += c.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('error', (e) => {
        out += String(e);
        clearTimeout(timer);
        resolve(false);
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    if (ready) {
      child.stdout?.resume();
      child.stderr?.resume();
      return {
        url: `redis://127.0.0.1:${port}`,
        async stop() {
          const gone = new Promise<void>((r) =>
            child.exitCode !== null ? r() : child.once('exit', () => r()),
          );
          kill();
          await gone;
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    kill();
    if (attempt >= 2) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(
        `redis-server did not start (is it installed? apt-get install redis-server): ${out.slice(-500)}`,
      );
    }
  }
}
