import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { multipart } from '../helpers/test-server.js';
import { spawnServer, type ServerProcess } from '../helpers/server-process.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const temp = tempDirs('pagemill-replay-');
afterAll(() => temp.cleanup());

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stop = async (server: ServerProcess, signal: NodeJS.Signals) => {
  server.child.kill(signal);
  await server.exited;
};

describe('a step that stops the server on every try', () => {
  it('is given up after two tries (worker_crashed), not replayed on every restart', async () => {
    const env = { ...(await temp.serverDirs()), NUM_WORKERS: '1' };
    const first = await spawnServer(env);
    const { payload, headers } = multipart({ name: 'replay.pdf', data: textPdf([['Replay page']]) });
    const { conversion_id: id } = (await (await fetch(`${first.url}/convert`, { method: 'POST', body: payload, headers })).json()) as { conversion_id: string };
    await until(async () => {
      const rec = (await (await fetch(`${first.url}/conversion-status/${id}`)).json()) as { status: string };
      return rec.status === 'completed' ? true : undefined;
    });
    await stop(first, 'SIGTERM');

    // Back to "all pages done, results not assembled", with the page log replaced by a FIFO:
    // reading it blocks, so the assemble step hangs every time, and we kill the process in it —
    // a process dying at the same step on every start.
    const db = new Database(path.join(env.DATA_DIR, 'pagemill.db'));
    db.prepare(`UPDATE conversions SET status = 'processing', completed_at = NULL, step_attempts = 0 WHERE id = ?`).run(id);
    db.close();
    const pageFile = path.join(env.DATA_DIR, 'conversions', id, 'pages.log');
    await fs.rm(pageFile);
    execFileSync('mkfifo', [pageFile]);

    for (let start = 1; start <= 2; start++) {
      const server = await spawnServer(env);
      await until(() => (server.logs.some((l) => l.msg === 'assembling results' && l.conversion_id === id) ? true : undefined));
      await stop(server, 'SIGKILL');
    }

    const last = await spawnServer(env);
    try {
      const rec = await until(async () => {
        const r = (await (await fetch(`${last.url}/conversion-status/${id}`)).json()) as { status: string; error_code: string | null };
        return r.status === 'processing' ? undefined : r;
      });
      expect(rec).toMatchObject({ status: 'error', error_code: 'worker_crashed' });
      expect(last.logs.some((l) => l.msg === 'assembling results')).toBe(false);
      expect((await fetch(`${last.url}/health`)).status).toBe(200);
    } finally {
      await stop(last, 'SIGKILL'); // SIGKILL: nothing is left to finish
    }
  }, 180_000);
});
