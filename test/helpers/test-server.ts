import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config, type ConfigSources } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { acceptedReplySchema, conversionRecordSchema, type ConversionRecord } from '../../src/schemas/conversion.js';
import { errorReplySchema, expectSchema } from './expect-schema.js';
import { until } from './poll.js';
import { FAKE_LANGUAGES, type fakeBackend } from '../fakes/fake-backend.js';

/** The shared corpus beside the repo: only `npm run test:corpus` may read it (`npm test` runs without it). */
export const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus');

export interface TestServer {
  app: FastifyInstance;
  runtime: Runtime;
  config: Config;
  root: string;
  close(): Promise<void>;
}

/**
 * A real app on real temp folders, a real SQLite store and a real worker pool — or, with `fake`,
 * pages run by a script (test/fakes/fake-backend.ts) for tests that are not about OCR.
 */
export async function startTestServer(
  overrides: ConfigSources['overrides'] = {},
  opts: { root?: string; logger?: pino.Logger; fake?: Pick<ReturnType<typeof fakeBackend>, 'execution' | 'build'> } = {},
): Promise<TestServer> {
  const root = opts.root ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-test-')));
  const config = loadConfig({
    overrides: {
      // page budget far above a starved machine's need (pool threads run at nice 10 behind any load);
      // tests of page_timeout set their own
      NUM_WORKERS: 2, RENDER_DPI: 150, LOG_LEVEL: 'silent', PAGE_TIMEOUT_S: 900,
      INPUT_DIR: path.join(root, 'input'), OUTPUT_DIR: path.join(root, 'output'), DATA_DIR: path.join(root, 'data'),
      ...overrides,
    },
  });
  const logger = opts.logger ?? pino({ level: config.LOG_LEVEL });
  const runtime = await createRuntime(config, logger, opts.fake ? { backend: opts.fake.build, languages: FAKE_LANGUAGES } : {});
  const app = await buildApp({ config, logger, ...runtime });
  return {
    app, runtime, config, root,
    async close() {
      await runtime.close(1000);
      await app.close();
      if (!opts.root) await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** A multipart body with one file part and some fields, for app.inject(). */
export function multipart(file: { name: string; data: Buffer } | null, fields: Record<string, string> = {}) {
  const boundary = `----pagemill${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export async function submitFile(app: FastifyInstance, name: string, data: Buffer, fields: Record<string, string> = {}) {
  const res = await app.inject({ method: 'POST', url: '/convert', ...multipart({ name, data }, fields) });
  const body = res.json();
  // every reply is checked against its contract, accepted or refused
  expectSchema(res.statusCode === 200 ? acceptedReplySchema : errorReplySchema, body, `POST /convert ${res.statusCode}`);
  return { status: res.statusCode, body: body as Record<string, unknown> & { conversion_id: string } };
}

const TERMINAL = ['completed', 'error', 'cancelled'];
/** A deadline for a hung conversion, not a speed check: far above what a loaded machine needs. */
export const END_DEADLINE_MS = 8 * 60_000;

/** Polls the status route until the conversion ends (tests of polling clients; sockets have their own). */
export async function waitForEnd(app: FastifyInstance, id: string, timeoutMs = END_DEADLINE_MS, headers: Record<string, string> = {}): Promise<ConversionRecord> {
  let status = '';
  return until(async () => {
    const rec = expectSchema(conversionRecordSchema, (await app.inject({ url: `/conversion-status/${id}`, headers })).json(), 'conversion status');
    status = rec.status;
    return TERMINAL.includes(rec.status) ? rec : undefined;
  }, () => `conversion ${id} ending (still ${status})`, timeoutMs, 100);
}
