import fs from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/security/secret-box.js';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

const PASSWORD = 'PLAIN-PDF-PASSWORD-4711';
const mode = async (file: string) => (await fs.stat(file)).mode & 0o777;

describe('secrets at rest', () => {
  let t: TestServer;
  // As a server whose one worker is busy: only the first document is inspected until released.
  const fake = fakeBackend(undefined, { holdInspection: true });
  beforeAll(async () => {
    t = await startTestServer({ NUM_WORKERS: 1 }, { fake });
  });
  afterAll(async () => t?.close());

  it('creates the job store, its -wal/-shm and the key file owner-only (0600)', async () => {
    const db = path.join(t.config.DATA_DIR, 'pagemill.db');
    await submitFile(t.app, 'w.pdf', textPdf([['Write something so the WAL exists']]));
    for (const f of [db, `${db}-wal`, `${db}-shm`, path.join(t.config.DATA_DIR, 'secret.key')]) expect(await mode(f), f).toBe(0o600);
  });

  it('keeps a PDF password sealed while the conversion waits, and clears it when it ends', async () => {
    await submitFile(t.app, 'blocker.pdf', textPdf([['Keeps the worker busy']]));
    const { body } = await submitFile(t.app, 'locked.pdf', textPdf([['Pretend this is encrypted']]), { password: PASSWORD });
    const stored = t.runtime.store.get(body.conversion_id)!;
    expect(stored.status).toBe('pending'); // waits behind the blocker for its inspection
    expect(stored.password).not.toContain(PASSWORD);
    expect(t.runtime.store.passwordOf(stored)).toBe(PASSWORD);
    // Nowhere in the database files either (WAL included), read as a copy would be.
    const dir = t.config.DATA_DIR;
    for (const f of (await fs.readdir(dir)).filter((n) => n.startsWith('pagemill.db'))) {
      expect((await fs.readFile(path.join(dir, f))).includes(PASSWORD), f).toBe(false);
    }
    fake.releaseInspections();
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('completed');
    expect(t.runtime.store.get(body.conversion_id)!.password).toBeNull();
  });

  it('seals passwords an older version stored in plain text, on open', async () => {
    const file = path.join(t.root, 'legacy.db');
    const box = new SecretBox(Buffer.alloc(32, 7));
    const { JobStore } = await import('../../src/jobs/store/job-store.js');
    const plain = new JobStore(file);
    plain.insert({
      id: 'legacy', filename: 'a.pdf', source_path: '/tmp/a.pdf', source_is_upload: 1, source_stem: 'a', output_stem: 'a', kind: 'pdf',
      prompt_mode: 'prompt_ocr', priority: 'normal', message: 'Queued', created_at: new Date().toISOString(), password: PASSWORD,
      idempotency_key: null, formats: 'json', on_demand_formats: '', lang: 'eng', page_range: null, ocr_mode: 'auto', callback_url: null, owner: null,
    });
    plain.close();
    const sealed = new JobStore(file, box);
    expect(sealed.get('legacy')!.password).not.toContain(PASSWORD);
    expect(sealed.passwordOf(sealed.get('legacy')!)).toBe(PASSWORD);
    sealed.close();
    const raw = new Database(file, { readonly: true });
    expect(JSON.stringify(raw.prepare('SELECT * FROM conversions').all())).not.toContain(PASSWORD);
    raw.close();
  });
});
