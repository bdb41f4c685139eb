// Headless mode's one way to get a batch job's results onto the browser's machine: GET /jobs/{jobId}/{name}
// streams one output file of a finished job as a download. Only a file the job itself lists as an output
// (its exports and summary.json) inside the job's own output folder is served; the request has already
// passed the server's host and token checks.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { basename, dirname, extname, resolve, sep } from 'node:path';
import type { JobInfo } from '../shared/domain.js';
import type { Envelope } from '../shared/errors.js';

const TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(message);
}

/**
 * Answers GET/HEAD `/jobs/{jobId}/{name}` (jobOutputPath in src/shared/routes.ts); false when the path is not of that shape (the caller goes on).
 * 404 for an unknown job or a name the job did not write, 409 while the job is not finished.
 */
export async function serveJobOutput(
  res: ServerResponse,
  method: string,
  pathname: string,
  call: (channel: string, input: unknown) => Promise<Envelope<unknown>>,
): Promise<boolean> {
  const m = /^\/jobs\/([^/]+)\/([^/]+)$/.exec(pathname);
  if (!m?.[1] || !m[2]) return false;
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return true;
  }
  let jobId: string;
  let name: string;
  try {
    jobId = decodeURIComponent(m[1]);
    name = decodeURIComponent(m[2]);
  } catch {
    refuse(res, 400, 'bad path');
    return true;
  }
  const env = await call('extract.job', { jobId });
  if (!env.ok) {
    refuse(res, env.error.code === 'not_found' ? 404 : 400, env.error.message);
    return true;
  }
  const job = env.value as JobInfo;
  if (job.progress.state !== 'done') {
    refuse(res, 409, `job ${jobId} is ${job.progress.state}: its files can be downloaded once it is done`);
    return true;
  }
  // The job's own list decides, and the file must sit directly in the job's output folder.
  const outDir = resolve(job.outDir);
  const listed = job.outputs.map((o) => resolve(outDir, o)).find((p) => basename(p) === name);
  if (!listed || dirname(listed) !== outDir || !listed.startsWith(outDir + sep)) {
    refuse(res, 404, `job ${jobId} has no output named ${name}`);
    return true;
  }
  const st = await stat(listed).catch(() => null);
  if (!st?.isFile()) {
    refuse(res, 404, `the output ${name} of job ${jobId} is gone from ${outDir}`);
    return true;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
    'content-length': st.size,
    'content-disposition': `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  if (method === 'HEAD') res.end();
  else createReadStream(listed).pipe(res);
  return true;
}
