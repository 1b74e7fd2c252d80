import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { scannedPdf, textPdf } from '../fixtures/pdf-fixtures.js';
import { until } from '../helpers/poll.js';
import { END_DEADLINE_MS, multipart, startTestServer, submitFile, waitForEnd } from '../helpers/test-server.js';
import { spawnServer } from '../helpers/server-process.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const temp = tempDirs('pagemill-crash-');
afterAll(() => temp.cleanup());

interface PageRow { page_no: number; status: string; attempts: number; finished_at: string | null }
const pagesOf = (dataDir: string, id: string): PageRow[] => {
  const db = new Database(path.join(dataDir, 'pagemill.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT page_no, status, attempts, finished_at FROM pages WHERE conversion_id = ? ORDER BY page_no').all(id) as PageRow[];
  } finally {
    db.close();
  }
};

describe('crash and restart', () => {
  it('after kill -9, a restarted server finishes the conversion without redoing finished pages', async () => {
    const env = { ...(await temp.serverDirs()), RENDER_DPI: '200' };
    const first = await spawnServer(env);
    const { payload, headers } = multipart({ name: 'crash.pdf', data: await scannedPdf(Array.from({ length: 8 }, (_, i) => [`Crash test page ${i + 1}`])) });
    const res = await fetch(`${first.url}/convert`, { method: 'POST', body: payload, headers });
    const { conversion_id: id } = (await res.json()) as { conversion_id: string };
    await until(async () => {
      const rec = (await (await fetch(`${first.url}/conversion-status/${id}`)).json()) as { pages_completed: number };
      return rec.pages_completed >= 2;
    }, 'two pages completed before the kill', END_DEADLINE_MS, 50);
    first.child.kill('SIGKILL');
    await first.exited;
    const before = pagesOf(env.DATA_DIR, id);
    const doneBefore = before.filter((p) => p.status === 'done');
    expect(doneBefore.length).toBeGreaterThanOrEqual(2);
    expect(doneBefore.length).toBeLessThan(8);

    const second = await spawnServer(env);
    try {
      const rec = await until(async () => {
        const now = (await (await fetch(`${second.url}/conversion-status/${id}`)).json()) as { status: string; pages_completed: number; total_pages: number };
        return ['completed', 'error', 'cancelled'].includes(now.status) ? now : undefined;
      }, 'the conversion ended after the restart', END_DEADLINE_MS, 100);
      expect(rec).toMatchObject({ status: 'completed', pages_completed: 8, total_pages: 8 });
      const after = pagesOf(env.DATA_DIR, id);
      for (const p of doneBefore) {
        const now = after.find((a) => a.page_no === p.page_no)!;
        expect(now.finished_at, `page ${p.page_no} was redone`).toBe(p.finished_at);
        expect(now.attempts).toBe(1);
      }
      expect(second.logs.some((l) => l.msg === 'resumed unfinished conversions')).toBe(true);
      const txt = await (await fetch(`${second.url}/conversions/${id}/result?format=txt`)).text();
      expect(txt).toContain('page 8');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('a page that was running during two crashes fails with worker_crashed instead of looping', async () => {
    const root = await temp.make();
    const a = await startTestServer({}, { root });
    const { body } = await submitFile(a.app, 'twice.pdf', textPdf([['Page one'], ['Page two']]));
    await waitForEnd(a.app, body.conversion_id);
    await a.close();

    // Make the store look as if the process died twice on page 1 and once on page 2.
    const db = new Database(path.join(a.config.DATA_DIR, 'pagemill.db'));
    db.prepare(`UPDATE conversions SET status = 'processing', completed_at = NULL, pages_done = 0 WHERE id = ?`).run(body.conversion_id);
    db.prepare(`UPDATE pages SET status = 'running', attempts = 2, finished_at = NULL WHERE conversion_id = ? AND page_no = 1`).run(body.conversion_id);
    db.prepare(`UPDATE pages SET status = 'running', attempts = 1, finished_at = NULL WHERE conversion_id = ? AND page_no = 2`).run(body.conversion_id);
    db.close();

    const b = await startTestServer({}, { root });
    try {
      const rec = await waitForEnd(b.app, body.conversion_id);
      expect(rec.status).toBe('completed');
      expect(rec.failed_pages).toEqual([expect.objectContaining({ page_no: 1, code: 'worker_crashed' })]);
      expect(rec.pages_completed).toBe(1);
    } finally {
      await b.close();
    }
  });
});
