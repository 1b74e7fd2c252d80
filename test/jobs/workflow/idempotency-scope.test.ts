import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { JobStore } from '../../../src/jobs/store/job-store.js';
import { textPdf } from '../../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../../fakes/fake-backend.js';
import { multipart, startTestServer } from '../../helpers/test-server.js';

const row = (id: string, owner: string | null, key: string | null) => ({
  id, filename: 'a.pdf', source_path: '/tmp/a.pdf', source_is_upload: 1, source_stem: 'a', output_stem: `a-${id}`, kind: 'pdf' as const,
  prompt_mode: 'prompt_ocr' as const, priority: 'normal' as const, message: 'Queued', created_at: new Date().toISOString(), password: null,
  idempotency_key: key, formats: 'json', on_demand_formats: '', lang: 'eng', page_range: null, ocr_mode: 'auto' as const, callback_url: null, owner,
});

describe('Idempotency-Key is scoped per API key', () => {
  it('migrates a database made with the old global UNIQUE constraint, keeping rows and pages', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-idem-'));
    const file = path.join(dir, 'pagemill.db');
    try {
      // The first schema's table, as older releases created it.
      const old = new Database(file);
      old.exec(`CREATE TABLE conversions (id TEXT PRIMARY KEY, filename TEXT NOT NULL, source_path TEXT NOT NULL,
        source_is_upload INTEGER NOT NULL DEFAULT 0, source_stem TEXT NOT NULL, output_stem TEXT NOT NULL, kind TEXT NOT NULL,
        prompt_mode TEXT NOT NULL, priority TEXT NOT NULL DEFAULT 'normal', status TEXT NOT NULL, message TEXT NOT NULL, error TEXT,
        error_code TEXT, total_pages INTEGER, pages_done INTEGER NOT NULL DEFAULT 0, pages_failed INTEGER NOT NULL DEFAULT 0,
        last_page INTEGER, created_at TEXT NOT NULL, started_at TEXT, completed_at TEXT, password TEXT, idempotency_key TEXT UNIQUE);
        CREATE TABLE pages (conversion_id TEXT NOT NULL REFERENCES conversions(id) ON DELETE CASCADE, page_no INTEGER NOT NULL,
        status TEXT NOT NULL, source TEXT, confidence REAL, error_code TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
        duration_ms INTEGER, finished_at TEXT, PRIMARY KEY (conversion_id, page_no)) WITHOUT ROWID;
        INSERT INTO conversions (id, filename, source_path, source_stem, output_stem, kind, prompt_mode, status, message, created_at, idempotency_key)
          VALUES ('old', 'o.pdf', '/tmp/o.pdf', 'o', 'o', 'pdf', 'prompt_ocr', 'completed', 'done', '2026-01-01T00:00:00Z', 'order-1');
        INSERT INTO pages (conversion_id, page_no, status) VALUES ('old', 1, 'done');`);
      old.close();

      const store = new JobStore(file);
      expect(store.get('old')?.idempotency_key).toBe('order-1');
      expect(store.pages('old')).toHaveLength(1);
      store.insert(row('alice1', 'alice', 'order-1'));
      store.insert(row('bob1', 'bob', 'order-1'));
      expect(() => store.insert(row('alice2', 'alice', 'order-1'))).toThrow(/UNIQUE/);
      expect(() => store.insert(row('open2', null, 'order-1'))).toThrow(/UNIQUE/);
      expect(store.byIdempotencyKey('order-1', 'bob')?.id).toBe('bob1');
      expect(store.byIdempotencyKey('order-1', null)?.id).toBe('old');
      store.delete('old');
      store.close();
      // Opening again is a no-op, and the cascade from conversions to pages still works.
      const again = new JobStore(file);
      expect(again.pages('old')).toHaveLength(0);
      expect(again.get('bob1')?.owner).toBe('bob');
      again.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('lets two keys use the same Idempotency-Key independently over HTTP', async () => {
    const t = await startTestServer({ API_KEYS: 'alice:alice-key-0123456789abcdef,bob:bob-key-0123456789abcdef00' }, { fake: fakeBackend() });
    try {
      const send = (key: string) => {
        const form = multipart({ name: 'i.pdf', data: textPdf([['Idempotent']]) });
        return t.app.inject({ method: 'POST', url: '/convert', payload: form.payload, headers: { ...form.headers, 'x-api-key': key, 'idempotency-key': 'same-key' } });
      };
      const a1 = await send('alice-key-0123456789abcdef');
      const b1 = await send('bob-key-0123456789abcdef00');
      const a2 = await send('alice-key-0123456789abcdef');
      expect([a1.statusCode, b1.statusCode, a2.statusCode]).toEqual([200, 200, 200]);
      expect(b1.json().conversion_id).not.toBe(a1.json().conversion_id);
      expect(a2.json().conversion_id).toBe(a1.json().conversion_id);
    } finally {
      await t.close();
    }
  });
});
