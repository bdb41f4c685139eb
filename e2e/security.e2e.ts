// Attacks on `doclens serve` from the places they really come from (issue 12): another web server on
// another loopback port, which browsers hand the same cookies to, and a foreign page in the same Chromium
// that forges requests; plus big and slow bodies against the server process's memory. Loopback only.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import type { Envelope } from '../src/shared/errors.js';
import { decodeWire } from '../src/shared/wire.js';
import type { ServeHandle } from './harness.js';
import { chromiumPath, samplesDir, startServe, withScreenshotOnFailure } from './harness.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** A plain web server on another loopback port: serves the attack page and records what reaches it. */
async function startForeignServer(page: string): Promise<{
  origin: string;
  seen: IncomingHttpHeaders[];
  done: Promise<string>;
  close(): Promise<void>;
}> {
  const seen: IncomingHttpHeaders[] = [];
  let finish: (report: string) => void = () => undefined;
  const done = new Promise<string>((r) => (finish = r));
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/done' && req.method === 'POST') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        finish(body);
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    done,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A call to the server with the token, as a non-browser client (no Origin, no Sec-Fetch-Site). */
function call(
  serve: ServeHandle,
  token: string,
  channel: string,
  input: unknown,
): Promise<Envelope<unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${serve.origin}/rpc/${channel}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(decodeWire(new Uint8Array(Buffer.concat(chunks))) as Envelope<unknown>));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(input));
  });
}

function tokenOf(serve: ServeHandle): string {
  const m = /[#?]token=([\w-]+)$/.exec(serve.url);
  assert.ok(m?.[1], `no token in ${serve.url}`);
  return m[1];
}

describe('headless security in Chromium', () => {
  let dataA: string;
  let dataB: string;
  let profile: string;
  let outDir: string;
  let serveA: ServeHandle;
  let serveB: ServeHandle;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];

  before(async () => {
    dataA = await mkdtemp(join(tmpdir(), 'doclens-e2e-sec-a-'));
    dataB = await mkdtemp(join(tmpdir(), 'doclens-e2e-sec-b-'));
    profile = await mkdtemp(join(tmpdir(), 'doclens-e2e-profile-'));
    outDir = join(await mkdtemp(join(tmpdir(), 'doclens-e2e-sec-out-')), 'written-by-attacker');
    // Two DocLens servers on two ports; B takes server-side paths, the worst case for forged requests.
    serveA = await startServe(dataA);
    serveB = await startServe(dataB, ['--allow-paths']);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    // Any Content-Security-Policy violation on our pages (an inline style or script the CSP blocks).
    await context.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(
          `CSP violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
        ),
      ),
    );
    page.on('console', (m) => {
      if (/Content Security Policy|CSP violation/.test(m.text())) cspViolations.push(m.text());
    });
  });
  after(async () => {
    await context?.close();
    await serveA?.stop();
    await serveB?.stop();
    for (const d of [dataA, dataB, profile, join(outDir, '..')]) {
      if (d) await rm(d, { recursive: true, force: true });
    }
  });

  test('the token never reaches another server on the same host, and the app works without cookies', async () => {
    await withScreenshotOnFailure({ name: 'chromium', page }, 'security-cookie', async () => {
      for (const serve of [serveA, serveB]) {
        await page.goto(serve.url);
        await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 60_000 });
        await page
          .locator('[data-testid="page-1"] canvas[data-state="painted"]')
          .waitFor({ timeout: 60_000 });
        await page.locator('[data-testid="page-1"] [data-testid="text-layer"] span').first().waitFor();
        // The token left the address bar and lives only in this origin's sessionStorage.
        assert.equal(new URL(page.url()).hash, '');
        // After a reload the page still holds the token: opening a sample is an authenticated call.
        await page.reload();
        await page.getByRole('button', { name: 'Sample report' }).click();
        await page.getByRole('tab', { name: /report\.pdf/ }).waitFor({ timeout: 60_000 });
      }
      assert.deepEqual(await context.cookies(), []);
      // The strict CSP (no 'unsafe-inline' styles) broke nothing on the way: pages, text layer, panels.
      await page.getByRole('tab', { name: 'Settings' }).click();
      await page.getByRole('tab', { name: 'Extract' }).click();
      assert.deepEqual(cspViolations, []);
      const foreign = await startForeignServer(
        '<!doctype html><title>other app</title><img src="/pixel.png">',
      );
      try {
        await page.goto(foreign.origin);
        await page.waitForLoadState('load');
        assert.ok(foreign.seen.length > 0);
        const leaked = JSON.stringify(foreign.seen);
        for (const serve of [serveA, serveB]) assert.ok(!leaked.includes(tokenOf(serve)), leaked);
        assert.ok(
          foreign.seen.every((h) => h.cookie === undefined),
          leaked,
        );
        // Nor can its page read the token: storage is per origin, port included.
        const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
        assert.equal(stored, '{}');
      } finally {
        await foreign.close();
      }
    });
  });

  test('a page on another loopback port cannot change settings or write files through forged requests', async () => {
    await withScreenshotOnFailure({ name: 'chromium', page }, 'security-csrf', async () => {
      const tokenA = tokenOf(serveA);
      const tokenB = tokenOf(serveB);
      const settingsBefore = await call(serveA, tokenA, 'settings.get', {});
      assert.ok(settingsBefore.ok);
      const invoice = join(samplesDir, 'invoice.pdf');
      const attack = `<!doctype html><meta charset="utf-8"><title>attack</title>
<form id="f" method="POST" enctype="text/plain" target="sink" action="${serveA.origin}/rpc/settings.set">
<input name='{"renderDpi":311,"theme":"dark","x":"' value='"}'></form><iframe name="sink"></iframe>
<script>
const A = ${JSON.stringify(serveA.origin)}, B = ${JSON.stringify(serveB.origin)};
const job = JSON.stringify({ inputs: [${JSON.stringify(invoice)}], kinds: ['dates'], formats: ['csv'], outDir: ${JSON.stringify(outDir)} });
const settings = JSON.stringify({ renderDpi: 311, theme: 'dark' });
const tries = [
  ['A no-cors text/plain', () => fetch(A + '/rpc/settings.set', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: settings })],
  ['A cors json', () => fetch(A + '/rpc/settings.set', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: settings })],
  ['B no-cors job', () => fetch(B + '/rpc/extract.start', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: job })],
  ['B cors job', () => fetch(B + '/rpc/extract.start', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: job })],
  ['B beacon job', () => Promise.resolve(navigator.sendBeacon(B + '/rpc/extract.start', job))],
  ['A events', () => fetch(A + '/events', { credentials: 'include' })],
];
(async () => {
  const report = [];
  for (const [name, run] of tries) {
    try { const r = await run(); report.push(name + ': ' + (typeof r === 'object' ? r.type + ' ' + r.status : r)); }
    catch (e) { report.push(name + ': ' + e.name); }
  }
  document.getElementById('f').submit();
  await new Promise((r) => setTimeout(r, 1500));
  await fetch('/done', { method: 'POST', body: report.join('\\n') });
})();
</script>`;
      const foreign = await startForeignServer(attack);
      try {
        await page.goto(foreign.origin);
        const report = await foreign.done;
        // CORS reads were blocked (no Access-Control headers) and no-cors writes got nothing done.
        assert.match(report, /A cors json: TypeError/);
        assert.match(report, /B cors job: TypeError/);
        assert.deepEqual(await call(serveA, tokenA, 'settings.get', {}), settingsBefore);
        const jobs = await call(serveB, tokenB, 'extract.jobs', {});
        assert.ok(jobs.ok);
        assert.deepEqual(jobs.value, []);
        assert.equal(existsSync(outDir), false, `the foreign page made ${outDir}`);
      } finally {
        await foreign.close();
      }
    });
  });
});

/** Resident memory of a process in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ? Number(m[1]) / 1024 : Number.NaN;
}

/** Streams `mib` MiB of zeros as one request without ever holding more than 1 MiB; resolves with the status. */
function sendBig(
  serve: ServeHandle,
  path: string,
  headers: Record<string, string>,
  mib: number,
): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${serve.origin}${path}`, { method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    const chunk = Buffer.alloc(1024 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < mib) {
        sent++;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

describe('headless server memory under big bodies', { skip: process.platform !== 'linux' }, () => {
  let data: string;
  let serve: ServeHandle;
  before(async () => {
    data = await mkdtemp(join(tmpdir(), 'doclens-e2e-mem-'));
    serve = await startServe(data);
  });
  after(async () => {
    await serve?.stop();
    if (data) await rm(data, { recursive: true, force: true });
  });

  test('three concurrent 200 MiB uploads and three 200 MiB API bodies keep the server under +150 MiB', async () => {
    const token = tokenOf(serve);
    const pid = serve.child.pid;
    assert.ok(pid);
    // startServe runs bin/doclens.mjs under this Node; under Node < 22 it would re-run itself in a child.
    assert.ok(Number(process.versions.node.split('.')[0]) >= 22, 'run the e2e suite under Node 22');
    await call(serve, token, 'app.info', {});
    const base = rssMiB(pid);
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
    const auth = { authorization: `Bearer ${token}` };
    const started = Date.now();
    let statuses: number[] = [];
    try {
      statuses = await Promise.all([
        ...[1, 2, 3].map((i) =>
          sendBig(
            serve,
            '/rpc/documents.upload',
            { ...auth, 'content-type': 'application/octet-stream', 'x-doclens-name': `big-${i}.pdf` },
            200,
          ),
        ),
        ...[1, 2, 3].map(() =>
          sendBig(serve, '/rpc/settings.set', { ...auth, 'content-type': 'application/json' }, 200),
        ),
        // Unauthenticated: refused before a byte of the body is read.
        sendBig(serve, '/rpc/settings.set', { 'content-type': 'application/json' }, 200),
      ]);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - base;
    console.log(
      `server RSS ${base.toFixed(0)} MiB → peak ${peak.toFixed(0)} MiB in ${Date.now() - started} ms`,
    );
    assert.ok(growth < 150, `server RSS grew by ${growth.toFixed(0)} MiB`);
    // Uploads are stored and refused by the document engine (zeros are no PDF); calls are over the cap.
    assert.deepEqual(statuses.slice(0, 3), [422, 422, 422]);
    for (const s of statuses.slice(3, 6)) assert.ok(s === 413 || s === -1, `API body status ${s}`);
    assert.ok(statuses[6] === 401 || statuses[6] === -1, `unauthenticated status ${statuses[6]}`);
    // No half-written upload is left behind.
    const uploads = await readdir(join(data, 'uploads'));
    assert.deepEqual(
      uploads.filter((f) => f.startsWith('.incoming-')),
      [],
    );
  });
});
