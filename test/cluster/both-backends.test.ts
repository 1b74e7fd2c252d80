import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pdfWithOversizedImagePage, scannedPdf, textPdf } from '../fixtures/pdf-fixtures.js';
import { clusterTarget, CLUSTER_WAIT_MS, localTarget, pageRows, type Target } from '../helpers/backend-targets.js';
import { until } from '../helpers/poll.js';

/** One behavioural suite, run against the local backend and the BullMQ cluster (real processes both). */
type Frame = Record<string, unknown> & { status: string; step?: string; type?: string };
function follow(url: string, id: string): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/conversion/${id}`);
    const frames: Frame[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
    ws.on('close', () => resolve(frames));
    ws.on('error', reject);
  });
}

async function submit(url: string, name: string, pdf: Buffer, fields: Record<string, string> = {}): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(pdf)]), name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${url}/convert`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  return ((await res.json()) as { conversion_id: string }).conversion_id;
}

describe.each([
  ['local', localTarget],
  ['BullMQ cluster', clusterTarget],
])('the same behaviour on the %s backend', (_name, start) => {
  let root: string;
  let target: Target;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-both-'));
    target = await start(root);
  });
  afterAll(async () => {
    await target?.stop();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('submit → one progress frame per page → completed; a late subscriber gets the same completed frame', async () => {
    const id = await submit(target.url, 'three.pdf', await scannedPdf([['Alpha one'], ['Bravo two'], ['Charlie three']], 150));
    const live = await follow(target.url, id);
    const pageFrames = live.filter((f) => f.step === 'page_done');
    expect(pageFrames).toHaveLength(3);
    const end = live.at(-1)!;
    expect(end.status).toBe('completed');
    const late = await follow(target.url, id);
    expect(late.filter((f) => f.type !== 'snapshot').at(-1)).toEqual(end);
  });

  it('a page range converts only the pages it selects (born-digital page)', async () => {
    const id = await submit(target.url, 'mixed.pdf', textPdf([['Born digital text'], ['Second digital page']]), { pages: '2' });
    const frames = await follow(target.url, id);
    const end = frames.at(-1)!;
    expect(end).toMatchObject({ status: 'completed' });
    expect((end.results as unknown[]).length).toBe(1);
  });

  it('cancel: a running conversion ends cancelled and no later page frame arrives', async () => {
    const pages = Array.from({ length: 5 }, (_, i) => [`Page ${i + 1} to cancel`, 'with a second line of words']);
    const id = await submit(target.url, 'cancel.pdf', await scannedPdf(pages, 300));
    const framesP = follow(target.url, id);
    await until(async () => ((await (await fetch(`${target.url}/conversions/${id}`)).json()) as { status: string }).status === 'processing',
      'the conversion to cancel started', 60_000, 50);
    expect((await fetch(`${target.url}/conversions/${id}/cancel`, { method: 'POST' })).status).toBe(200);
    const frames = await framesP;
    const at = frames.findIndex((f) => f.status === 'cancelled');
    expect(at).toBeGreaterThan(-1);
    expect(frames.slice(at + 1).filter((f) => f.step === 'page_done')).toEqual([]);
    const rec = (await (await fetch(`${target.url}/conversions/${id}`)).json()) as { status: string; pages_completed: number };
    expect(rec.status).toBe('cancelled');
    expect(rec.pages_completed).toBeLessThan(5);
  });

  type Rec = { status: string; total_pages: number; pages_completed: number; pages_failed: number;
    failed_pages?: { page_no: number; code: string }[] };
  const record = async (id: string) => (await (await fetch(`${target.url}/conversions/${id}`)).json()) as Rec;
  const ended = (id: string) => until(async () => {
    const rec = await record(id).catch(() => undefined); // undefined while a restarted process comes up
    return rec && ['completed', 'error', 'cancelled'].includes(rec.status) ? rec : undefined;
  }, `conversion ${id} ended`, 240_000);
  /** The page numbers (1-based) in the conversion's JSONL results, each listed once and read. */
  const resultPages = async (stem: string) => {
    const lines = (await fs.readFile(path.join(root, 'output', `${stem}.jsonl`), 'utf8')).split('\n').filter(Boolean);
    return lines.map((l) => JSON.parse(l) as { page_no: number; error?: { code: string } | null });
  };
  const scanPages = (n: number, what: string) => Array.from({ length: n }, (_, i) => [`Page ${i + 1} of the ${what} test`, 'with a second line of words']);

  it('partial success: one page fails image_too_large, the others complete with their text', async () => {
    const id = await submit(target.url, 'partial.pdf', pdfWithOversizedImagePage([['Alpha digital page'], [], ['Charlie digital page']], 2));
    const rec = await ended(id);
    expect(rec).toMatchObject({ status: 'completed', total_pages: 3, pages_completed: 2, pages_failed: 1 });
    expect(rec.failed_pages).toEqual([expect.objectContaining({ page_no: 2, code: 'image_too_large' })]);
    const page = (await (await fetch(`${target.url}/conversions/${id}/pages/2`)).json()) as { status: string; error: { code: string } };
    expect(page).toMatchObject({ status: 'failed', error: { code: 'image_too_large' } });
    const txt = await (await fetch(`${target.url}/conversions/${id}/result?format=txt`)).text();
    expect(txt).toContain('Alpha digital page');
    expect(txt).toContain('Charlie digital page');
  });

  it('crash retry: the process running a page is killed -9; the page is retried and the conversion completes', async () => {
    const id = await submit(target.url, 'crashed.pdf', await scannedPdf(scanPages(4, 'crash retry'), 150));
    const held = await target.crashPageRunner(id);
    const rec = await ended(id);
    expect(rec).toMatchObject({ status: 'completed', total_pages: 4, pages_completed: 4, pages_failed: 0 });
    const results = await resultPages('crashed');
    expect(results.map((p) => p.page_no).sort()).toEqual([0, 1, 2, 3]);
    expect(results.filter((p) => p.error)).toEqual([]);
    // The page that died with its process ran again, not lost or doubled; what that cost it depends
    // on whether the process could have been killed by the page (see Target.crashCost).
    expect(pageRows(target.db, id).find((p) => p.page_no === held)).toMatchObject({ status: 'done', ...target.crashCost });
    const txt = await (await fetch(`${target.url}/conversions/${id}/result?format=txt`)).text();
    expect(txt).toContain(`Page ${held} of the crash`);
  });

  it('resume: the owner of the conversion is killed -9 and restarted; finished pages are not redone', async () => {
    const id = await submit(target.url, 'resumed.pdf', await scannedPdf(scanPages(5, 'resume'), 150));
    await until(async () => (await record(id)).pages_completed >= 1, 'a page completed', CLUSTER_WAIT_MS);
    await target.killOwner();
    const doneBefore = pageRows(target.db, id).filter((p) => p.status === 'done');
    await target.startOwner();
    expect(doneBefore.length).toBeGreaterThanOrEqual(1);
    expect(doneBefore.length, 'killed mid-conversion').toBeLessThan(5);
    const rec = await ended(id);
    expect(rec).toMatchObject({ status: 'completed', total_pages: 5, pages_completed: 5, pages_failed: 0 });
    expect((await resultPages('resumed')).map((p) => p.page_no).sort()).toEqual([0, 1, 2, 3, 4]);
    const after = pageRows(target.db, id);
    for (const p of doneBefore) {
      expect(after.find((a) => a.page_no === p.page_no), `page ${p.page_no} was redone`).toMatchObject({ finished_at: p.finished_at, attempts: p.attempts });
    }
  });
});
