import { describe, expect, it } from 'vitest';
import { estimateRemainingSeconds, type PageSpan } from '../../../src/jobs/workflow/eta.js';

/**
 * A simulated 12-page scan on two threads: each thread takes the next page when its own finishes,
 * pages of a pair take about as long (so they finish in pairs), pairs vary by a few per cent.
 * The clock is the simulation's, never the machine's.
 */
function simulate(pairMs: number[], skewMs = 15) {
  const spans: (PageSpan & { end: number })[] = [];
  const threadFree = [0, 0];
  pairMs.forEach((ms) => {
    for (const t of [0, 1]) {
      const start = threadFree[t]!;
      const end = start + ms + t * skewMs;
      spans.push({ start, end });
      threadFree[t] = end;
    }
  });
  return { spans, end: Math.max(...threadFree) };
}

/** What the estimator sees at `now`: the pages started so far, open ones still running. */
function stateAt(sim: ReturnType<typeof simulate>, now: number) {
  const started = sim.spans.filter((s) => s.start <= now);
  const spans = started.map((s) => (s.end <= now ? { start: s.start, end: s.end } : { start: s.start }));
  return { total: sim.spans.length, finished: spans.filter((s) => s.end !== undefined).length, spans, now };
}

/** Sample instants: every 50 ms, plus just after each page finishes (when progress frames are sent). */
function instants(sim: ReturnType<typeof simulate>): number[] {
  const grid = Array.from({ length: Math.floor(sim.end / 50) }, (_, i) => i * 50);
  return [...grid, ...sim.spans.map((s) => s.end)].filter((t) => t < sim.end).sort((a, b) => a - b);
}

describe('estimateRemainingSeconds', () => {
  const sim = simulate([2000, 2100, 1950, 2050, 2000, 1980]);

  it('stays within ±30 % of the true remaining time from 25 % progress on (pages finishing in pairs)', () => {
    const worst: { at: number; estimate: number; truth: number }[] = [];
    for (const now of instants(sim)) {
      const state = stateAt(sim, now);
      if (state.finished / state.total < 0.25) continue;
      const truth = (sim.end - now) / 1000;
      const estimate = estimateRemainingSeconds(state)!;
      // 0.1 s: the resolution records carry; it only matters in the last instants of the run.
      if (Math.abs(estimate - truth) > Math.max(0.3 * truth, 0.1)) worst.push({ at: now, estimate, truth });
    }
    expect(worst).toEqual([]);
  });

  it('counts running pages as partly done: the estimate falls while a pair runs, not only when it ends', () => {
    const early = estimateRemainingSeconds(stateAt(sim, 6200))!;
    const late = estimateRemainingSeconds(stateAt(sim, 7800))!;
    expect(late).toBeLessThan(early - 1);
  });

  it('divides by the threads actually working on the conversion (a share of a busy pool counts as such)', () => {
    // One thread, 1 s a page, 4 pages done, 4 queued, nothing running right now.
    const spans = [0, 1, 2, 3].map((i) => ({ start: i * 1000, end: (i + 1) * 1000 }));
    expect(estimateRemainingSeconds({ total: 8, finished: 4, spans, now: 4000 })).toBeCloseTo(4, 5);
    // Same pages on two threads: twice as fast.
    const two = [0, 1, 0, 1].map((t, i) => ({ start: Math.floor(i / 2) * 1000, end: (Math.floor(i / 2) + 1) * 1000 + t }));
    expect(estimateRemainingSeconds({ total: 8, finished: 4, spans: two, now: 2001 })).toBeCloseTo(2, 1);
  });

  it('does not divide the last running page among idle threads', () => {
    const spans = [{ start: 0, end: 1000 }, { start: 0, end: 1000 }, { start: 1000, end: 1500 }, { start: 1000 }];
    expect(estimateRemainingSeconds({ total: 4, finished: 3, spans, now: 1500 })).toBeCloseTo(0.5, 5);
  });

  it('has no estimate before a page finished, and none left when all did', () => {
    expect(estimateRemainingSeconds({ total: 3, finished: 0, spans: [{ start: 0 }], now: 500 })).toBeNull();
    expect(estimateRemainingSeconds({ total: 1, finished: 1, spans: [{ start: 0, end: 10 }], now: 20 })).toBe(0);
  });
});
