// Runs the CLI from its TypeScript source (tests and development: `node --import tsx src/cli/run-from-source.ts`).
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
