// The `doclens` command line: document info, rendering and text from a terminal (JSON with --json), and
// `serve` for headless mode. Bad input ends with a one-line error and a non-zero exit code.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { createBackend } from '../services/backend.js';
import type { Backend } from '../services/backend.js';
import { defaultDataDir } from '../services/paths.js';
import { ApiError, unwrap } from '../shared/api-client.js';
import type { Channel, Input, Output } from '../shared/contract.js';
import type { Envelope } from '../shared/errors.js';
import { serveCommand } from './serve.js';

const USAGE = `Usage: doclens <command> [options]

Commands:
  info FILE [--password P] [--json]                 pages, sizes and metadata of a PDF or image
  render FILE --page N [--dpi D] --out FILE.png      render one page to PNG
  text FILE --page N [--json]                        words and lines with boxes in page space (points)
  serve [--port P] [--host H] [--allow-paths]        headless mode: the app over HTTP on 127.0.0.1

Options:
  --json        machine-readable output
  --data-dir D  data folder (default ${defaultDataDir()})
  -h, --help    this help`;

class UsageError extends Error {}

const OPTIONS = {
  json: { type: 'boolean' },
  page: { type: 'string' },
  dpi: { type: 'string' },
  out: { type: 'string' },
  password: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-paths': { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

function intOption(value: string | undefined, name: string, fallback?: number, min = 1): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

async function call<C extends Channel>(backend: Backend, channel: C, input: Input<C>): Promise<Output<C>> {
  return unwrap((await backend.call(channel, input)) as Envelope<Output<C>>);
}

function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`doclens: ${(e as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const dataDir = values['data-dir'] ? resolve(values['data-dir']) : undefined;
  let backend: Backend | null = null;
  try {
    if (command === 'serve') {
      return await serveCommand({
        port: intOption(values.port, 'port', 0, 0),
        host: values.host ?? '127.0.0.1',
        pathsAllowed: values['allow-paths'] ?? false,
        dataDir,
      });
    }
    const file = rest[0];
    if (!['info', 'render', 'text'].includes(command)) throw new UsageError(`unknown command "${command}"`);
    if (!file) throw new UsageError(`${command} needs a FILE`);
    backend = await createBackend({ dataDir });
    const json = values.json ?? false;
    const doc = await call(backend, 'documents.open', { path: resolve(file), password: values.password });
    if (command === 'info') {
      print(json, { ...doc, path: resolve(file) }, () =>
        [
          `${doc.name}: ${doc.kind === 'pdf' ? 'PDF' : `image (${doc.mime})`}, ${doc.pageCount} page(s), ${doc.bytes} bytes`,
          doc.title ? `title: ${doc.title}` : null,
          ...doc.pages.map(
            (p) =>
              `  page ${p.page}: ${p.width.toFixed(1)} × ${p.height.toFixed(1)} ${doc.kind === 'pdf' ? 'pt' : 'px'}${p.rotation ? `, rotated ${p.rotation}°` : ''}`,
          ),
          ...doc.warnings.map((w) => `warning: ${w}`),
        ]
          .filter((l) => l !== null)
          .join('\n'),
      );
    } else if (command === 'render') {
      const page = intOption(values.page, 'page', 1);
      const dpi = intOption(values.dpi, 'dpi', 150);
      if (!values.out) throw new UsageError('render needs --out FILE.png');
      const img = await call(backend, 'documents.pageImage', { docId: doc.id, page, dpi });
      await writeFile(resolve(values.out), img.png);
      const summary = {
        file: resolve(values.out),
        page,
        width: img.width,
        height: img.height,
        dpi: img.dpi,
        scale: img.scale,
        capped: img.capped,
      };
      print(
        json,
        summary,
        () =>
          `wrote ${summary.file} (${img.width}×${img.height} px at ${img.dpi.toFixed(0)} dpi${img.capped ? ', capped' : ''})`,
      );
    } else {
      const page = intOption(values.page, 'page', 1);
      const text = await call(backend, 'documents.text', { docId: doc.id, page });
      print(json, text, () => `[source: ${text.source}]\n${text.lines.map((l) => l.text).join('\n')}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`doclens: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    const msg = e instanceof ApiError ? `${e.message} [${e.code}]` : (e as Error).message;
    process.stderr.write(`doclens: ${msg.split('\n')[0]}\n`);
    return 1;
  } finally {
    await backend?.dispose();
  }
}
