// For the CLI's tests: runs `doclens` from source in a child process, as a user's terminal would, and keeps its
// exit code and both streams whatever the outcome.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { appRoot } from '../services/paths.js';

const run = promisify(execFile);

/** The CLI's entry run from TypeScript source (`node --import tsx ENTRY ...`). */
export const CLI_ENTRY = join(appRoot(), 'src/cli/run-from-source.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `doclens ARGS...` with DOCLENS_DATA_DIR set to dataDir and any extra environment. */
export async function runCli(
  args: readonly string[],
  opts: { dataDir: string; env?: Record<string, string> },
): Promise<CliResult> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
      cwd: appRoot(),
      env: { ...process.env, DOCLENS_DATA_DIR: opts.dataDir, ...opts.env },
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
