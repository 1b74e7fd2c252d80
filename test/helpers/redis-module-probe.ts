// Run as its own process: `node --import tsx test/helpers/redis-module-probe.ts local|cluster`.
// Builds a local-mode runtime and app (or, as the control, only imports the BullMQ backend) and
// prints whether Redis client code was loaded into the process.
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';

const mode = process.argv[2];
const require = createRequire(import.meta.url);
const loaded = () => Object.keys((require('node:module') as { _cache: Record<string, unknown> })._cache)
  .filter((p) => /[\\/]node_modules[\\/](ioredis|bullmq)[\\/]/.test(p));

if (mode === 'cluster') {
  await import('../../src/jobs/execution/bullmq/bullmq-wiring.js');
} else {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-probe-'));
  const { loadConfig } = await import('../../src/config.js');
  const { createRuntime } = await import('../../src/runtime.js');
  const { buildApp } = await import('../../src/app.js');
  const config = loadConfig({ overrides: {
    NUM_WORKERS: 1, LOG_LEVEL: 'silent', OCR_ENGINE: 'wasm', INPUT_DIR: path.join(root, 'i'), OUTPUT_DIR: path.join(root, 'o'), DATA_DIR: path.join(root, 'd'),
  } });
  const logger = pino({ level: 'silent' });
  const runtime = await createRuntime(config, logger);
  const app = await buildApp({ config, logger, ...runtime });
  await app.ready();
  await runtime.close(0);
  await app.close();
  await fs.rm(root, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify({ mode, loaded: loaded() })}\n`);
process.exit(0);
