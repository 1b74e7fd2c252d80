import { describe, expect, it } from 'vitest';
import { JobStore, type BatchTally } from '../../../src/jobs/store/job-store.js';

function storeWithConversion(pages: number[]) {
  const store = new JobStore(':memory:');
  store.insert({
    id: 'c1', filename: 'a.pdf', source_path: '/tmp/a.pdf', source_is_upload: 1, source_stem: 'a', output_stem: 'a', kind: 'pdf',
    prompt_mode: 'prompt_ocr', priority: 'normal', message: 'Queued', created_at: new Date().toISOString(), password: null, idempotency_key: null,
    formats: 'json', on_demand_formats: '', lang: 'eng', page_range: null, ocr_mode: 'auto', callback_url: null, owner: null,
  } as Parameters<JobStore['insert']>[0]);
  store.start('c1', Math.max(...pages), pages, new Date().toISOString());
  return store;
}

/** The per-batch counts recomputed from every page row, the slow and obviously right way. */
function recount(store: JobStore, size: number): BatchTally[] {
  const groups = new Map<number, BatchTally>();
  for (const p of store.pages('c1')) {
    const b = Math.floor((p.page_no - 1) / size);
    const t = groups.get(b) ?? { finished: 0, failed: 0, running: 0, n: 0 };
    t.n++;
    if (p.status === 'done' || p.status === 'failed') t.finished++;
    if (p.status === 'failed') t.failed++;
    if (p.status === 'running') t.running++;
    groups.set(b, t);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
}

describe('JobStore batch tallies', () => {
  it('stay exact through every page transition of a running conversion', () => {
    const pages = [...Array.from({ length: 30 }, (_, i) => i + 1), 51, 52, 120]; // a page range: batch 3 (76–100) has no pages
    const store = storeWithConversion(pages);
    expect(store.batches('c1', 25, true)).toEqual(recount(store, 25));
    const steps: [string, number][] = [['run', 1], ['done', 1], ['run', 26], ['run', 51], ['requeue', 26], ['run', 26], ['fail', 26], ['run', 120], ['done', 120], ['run', 2]];
    for (const [what, page] of steps) {
      if (what === 'run') store.markPageRunning('c1', page);
      if (what === 'requeue') store.requeuePage('c1', page);
      if (what === 'done' || what === 'fail') store.finishPage('c1', page, { status: what === 'done' ? 'done' : 'failed', error_code: 'render_failed' }, 'm');
      expect(store.batches('c1', 25, true), `${what} ${page}`).toEqual(recount(store, 25));
    }
    expect(recount(store, 25)).toHaveLength(4);
    store.close();
  });
});

describe('JobStore.finish', () => {
  it('ends the unfinished pages of a failed conversion with its error; none stays running', () => {
    const store = storeWithConversion([1, 2, 3]);
    store.markPageRunning('c1', 1);
    store.finishPage('c1', 2, { status: 'done', source: 'ocr' }, 'm');
    store.finish('c1', 'error', 'Conversion failed', { code: 'storage_full', message: 'disk full' });
    expect(store.pages('c1').map((p) => [p.page_no, p.status, p.error_code])).toEqual([[1, 'failed', 'storage_full'], [2, 'done', null], [3, 'failed', 'storage_full']]);
    expect(store.get('c1')).toMatchObject({ status: 'error', pages_done: 1, pages_failed: 2 });
    expect(store.pagesFinishedSince(new Date(0).toISOString())).toBe(1); // never-processed pages do not count as throughput
    store.close();
  });

  it('leaves a cancelled conversion\'s pages as they were', () => {
    const store = storeWithConversion([1, 2]);
    store.finish('c1', 'cancelled', 'Conversion cancelled');
    expect(store.pages('c1').map((p) => p.status)).toEqual(['queued', 'queued']);
    store.close();
  });
});
