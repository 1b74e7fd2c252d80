import { describe, expect, it } from 'vitest';
import { PageScheduler } from '../../../src/jobs/scheduling/page-scheduler.js';

/** A scheduler whose pages finish when the test says so, recording the order they started in. */
function harness(capacity: number) {
  const started: string[] = [];
  const pending: (() => void)[] = [];
  const aborted: string[] = [];
  const s = new PageScheduler(capacity, (id, page, signal) => {
    started.push(`${id}${page}`);
    return new Promise<void>((resolve) => {
      pending.push(resolve);
      signal.addEventListener('abort', () => { aborted.push(`${id}${page}`); resolve(); });
    });
  });
  const finishAll = async () => {
    while (pending.length) {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { s, started, aborted, finishAll };
}

describe('PageScheduler', () => {
  it('runs at most `capacity` pages at once', () => {
    const { s, started } = harness(2);
    s.enqueue('a', [1, 2, 3, 4], 'normal');
    expect(started).toEqual(['a1', 'a2']);
    expect(s.stats()).toMatchObject({ queued_pages: 2, active_pages: 2 });
  });

  it('interleaves conversions so a 1-page job is not stuck behind a long one', async () => {
    const { s, started, finishAll } = harness(1);
    s.enqueue('L', Array.from({ length: 50 }, (_, i) => i + 1), 'normal');
    s.enqueue('S', [1], 'normal');
    await finishAll();
    expect(started.indexOf('S1')).toBeLessThanOrEqual(2);
    expect(started).toHaveLength(51);
  });

  it('prefers higher priority but never starves lower', async () => {
    const { s, started, finishAll } = harness(1);
    s.enqueue('x', [0], 'normal'); // occupies the slot
    s.enqueue('L', [1, 2, 3], 'low');
    s.enqueue('H', Array.from({ length: 20 }, (_, i) => i + 1), 'high');
    await finishAll();
    const firstLow = started.indexOf('L1');
    expect(started[1]).toBe('H1');
    expect(firstLow).toBeGreaterThan(1);
    expect(firstLow).toBeLessThan(12); // well before the 20 high pages are done
  });

  it('cancel drops queued pages and aborts running ones', async () => {
    const { s, started, aborted, finishAll } = harness(2);
    s.enqueue('a', [1, 2, 3], 'normal');
    s.enqueue('b', [1], 'normal');
    expect(started).toEqual(['a1', 'a2']);
    expect(s.cancel('a', 'cancelled')).toBe(3); // a3 queued + a1, a2 running
    expect(aborted).toEqual(['a1', 'a2']);
    await finishAll();
    expect(started).not.toContain('a3');
    expect(started).toContain('b1');
  });

  it('starts the next page once a thread is free, while the last one is still being stored', async () => {
    const started: number[] = [];
    const storing: (() => void)[] = [];
    const s = new PageScheduler(1, (_id, page, _signal, threadFree) => {
      started.push(page);
      threadFree(); // the worker is done at once; storing the result takes until the test says so
      return new Promise<void>((resolve) => storing.push(resolve));
    });
    s.enqueue('a', [1, 2, 3, 4, 5, 6], 'normal');
    // One thread, but up to 4 pages may be stored at once: the fifth waits for a store to finish.
    expect(started).toEqual([1, 2, 3, 4]);
    expect(s.stats().active_pages).toBe(4);
    storing.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2, 3, 4, 5]);
    let idle = false;
    void s.idle().then(() => { idle = true; });
    while (storing.length) {
      storing.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(started).toEqual([1, 2, 3, 4, 5, 6]);
    expect(idle).toBe(true);
  });
});
