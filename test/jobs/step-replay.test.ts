import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { DocumentTasks } from '../../src/jobs/contracts/page-runner.js';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { until } from '../helpers/poll.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const temp = tempDirs('pagemill-replay-');
afterAll(() => temp.cleanup());

/** Every log line of a server, parsed. */
function memoryLogger() {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, logs };
}

/**
 * The fake backend, with a searchable PDF that is never finished: the assemble step of a
 * conversion asking for `pdf` hangs in it until the server is closed, as a server that dies in
 * that step every time it starts would never finish it.
 */
function hangingInAssembly() {
  const fake = fakeBackend();
  return {
    execution: fake.execution,
    build: async (config: Config) => {
      const built = await fake.build(config);
      const searchablePdf: DocumentTasks['searchablePdf'] = (_task, signal) => new Promise((resolve) => {
        signal.addEventListener('abort', () => resolve({ ok: false, error: { code: 'cancelled', message: 'stopped' } }), { once: true });
      });
      return { ...built, backend: { ...built.backend, tasks: { ...built.backend.tasks, searchablePdf } } };
    },
  };
}

describe('a step that stops the server on every try', () => {
  it('is given up after two tries (worker_crashed), not replayed on every restart', async () => {
    const root = await temp.make();
    const first = await startTestServer({ NUM_WORKERS: 1 }, { root, fake: fakeBackend() });
    const { body } = await submitFile(first.app, 'replay.pdf', textPdf([['Replay page']]), { formats: 'txt,pdf' });
    const id = body.conversion_id;
    expect((await waitForEnd(first.app, id)).status).toBe('completed');
    await first.close();

    // Back to "all pages done, results not assembled". Each of the next two servers starts the
    // assemble step and never ends it: they are left running in it, as a server killed there
    // would have left the step begun and never ended.
    const db = new Database(path.join(first.config.DATA_DIR, 'pagemill.db'));
    db.prepare(`UPDATE conversions SET status = 'processing', completed_at = NULL, step_attempts = 0 WHERE id = ?`).run(id);
    db.close();

    const stuck: TestServer[] = [];
    try {
      for (let start = 1; start <= 2; start++) {
        const { logger, logs } = memoryLogger();
        stuck.push(await startTestServer({ NUM_WORKERS: 1 }, { root, logger, fake: hangingInAssembly() }));
        await until(() => logs.some((l) => l.msg === 'assembling results' && l.conversion_id === id), `start ${start} in the assemble step`);
      }

      const { logger, logs } = memoryLogger();
      const last = await startTestServer({ NUM_WORKERS: 1 }, { root, logger, fake: hangingInAssembly() });
      try {
        // ends, or starts the step a third time (and would hang in it)
        await until(() => logs.some((l) => l.msg === 'assembling results') || last.runtime.store.get(id)?.status !== 'processing', 'the third start to decide');
        expect(logs.some((l) => l.msg === 'assembling results')).toBe(false);
        const rec = await waitForEnd(last.app, id);
        expect(rec).toMatchObject({ status: 'error', error_code: 'worker_crashed' });
        expect((await last.app.inject({ url: '/health' })).statusCode).toBe(200);
      } finally {
        await last.close();
      }
    } finally {
      // closing stops the hung PDF builds; the conversion has ended and stays as it is
      for (const server of stuck) await server.close();
    }
  });
});
