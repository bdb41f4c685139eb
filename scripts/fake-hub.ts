// Starts a fake Hugging Face hub on 127.0.0.1 serving the tiny generated models, for UI end-to-end tests and manual
// checks of the Models panel: `node --import tsx scripts/fake-hub.ts [--port N] [--manifest PATH] [--slow-ms MS]
// [--family qwen2-vl|qwen2.5-vl]… [--sizes-from-hub]` (the last leaves the sizes out of the model list, so the backend
// reads them from this hub's tree listing). Prints one JSON line ({endpoint, manifest, models, env}) once it is ready
// and serves until SIGINT / SIGTERM. Start the backend with the printed env (HF_ENDPOINT, DOCLENS_EXTRA_MODELS).
import { parseArgs } from 'node:util';
import { startTinyHub, type TinyHubFamily } from '../src/services/models/tiny-hub.js';

const FAMILIES: readonly TinyHubFamily[] = ['qwen2-vl', 'qwen2.5-vl', 'qwen3-vl'];

function usage(message: string): never {
  console.error(
    `fake-hub: ${message}\nusage: fake-hub [--port N] [--manifest PATH] [--slow-ms MS] [--family ${FAMILIES.join('|')}]… [--sizes-from-hub]`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      manifest: { type: 'string' },
      'slow-ms': { type: 'string' },
      family: { type: 'string', multiple: true },
      'sizes-from-hub': { type: 'boolean' },
    },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65535))
    usage(`--port must be a port number, got "${values.port}"`);
  const slowMs = values['slow-ms'] === undefined ? undefined : Number(values['slow-ms']);
  if (slowMs !== undefined && !(Number.isFinite(slowMs) && slowMs >= 0))
    usage(`--slow-ms must be a number of milliseconds, got "${values['slow-ms']}"`);
  const families = values.family?.map((f) => {
    if (!(FAMILIES as readonly string[]).includes(f)) usage(`unknown --family "${f}"`);
    return f as TinyHubFamily;
  });
  const hub = await startTinyHub({
    port,
    manifestPath: values.manifest,
    slowMs,
    families,
    sizesFromHub: values['sizes-from-hub'] ?? false,
  });
  console.log(
    JSON.stringify({
      endpoint: hub.endpoint,
      manifest: hub.manifestPath,
      models: hub.modelIds,
      env: hub.env,
    }),
  );
  const stop = () => {
    void hub.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`fake-hub: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
