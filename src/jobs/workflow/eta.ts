/**
 * Remaining time of a conversion from what its pages measured, not from elapsed ÷ finished: that
 * ratio ignores pages already running and swings ~2× whenever pages finish together (two threads
 * finish in pairs). Here the remaining work is the queued pages at the recent per-page time plus
 * what is left of each running page (the mean residual of recent durations), divided by how many
 * threads have been working on this conversion lately (busy thread-time per wall-time, so a share
 * of a pool shared with other conversions counts as such), and never less than the slowest running
 * page still needs. Pure: the clock is a parameter.
 */

/** One page's run: wall-clock ms; `end` is undefined while it runs. */
export interface PageSpan { start: number; end?: number }

export interface EtaInput {
  total: number;
  finished: number;
  /** The conversion's page runs (finished and running), any order. */
  spans: PageSpan[];
  now: number;
}

/** Recent finished pages whose mean is the per-page time (a moving average). */
const RECENT_PAGES = 8;
/** The window, in per-page times, over which the threads working on the conversion are counted. */
const PARALLELISM_WINDOW_PAGES = 4;
/** A page running longer than every recent one is assumed to need a little more, not nothing. */
const OVERRUN_REMAINDER = 0.1;
/** A floor for the measured share of the pool, so a conversion that barely ran gets no absurd ETA. */
const MIN_THREADS = 0.1;

export function estimateRemainingSeconds(input: EtaInput): number | null {
  const { total, finished, spans, now } = input;
  if (finished >= total) return 0;
  const done = spans.filter((s) => s.end !== undefined).sort((a, b) => a.end! - b.end!);
  if (done.length === 0) return null;
  const recent = done.slice(-RECENT_PAGES);
  const perPage = recent.reduce((sum, s) => sum + (s.end! - s.start), 0) / recent.length;
  if (!(perPage > 0)) return 0;

  const running = spans.filter((s) => s.end === undefined);
  const queued = Math.max(0, total - finished - running.length);
  const durations = recent.map((s) => s.end! - s.start);
  const left = running.map((s) => residual(durations, now - s.start, perPage));
  const work = queued * perPage + left.reduce((a, b) => a + b, 0);

  const firstStart = spans.reduce((first, s) => Math.min(first, s.start), Infinity);
  const window = Math.min(now - firstStart, PARALLELISM_WINDOW_PAGES * perPage);
  const measured = window > 0 ? busyTime(spans, now - window, now) / window : 0;
  // Nothing ran lately (waiting behind other conversions): assume one thread rather than none.
  const threads = measured > 0 ? Math.max(measured, MIN_THREADS) : Math.max(running.length, 1);
  // No thread speeds up one page: the slowest running page is a floor.
  return Math.max(work / threads, ...left) / 1000;
}

/**
 * What a page that has run `elapsed` ms still needs: the mean of the recent durations longer than
 * that, minus `elapsed` (a page past the usual time is one of the slow ones); past them all, a
 * little.
 */
function residual(durations: number[], elapsed: number, perPage: number): number {
  const longer = durations.filter((d) => d > elapsed);
  if (longer.length === 0) return perPage * OVERRUN_REMAINDER;
  return longer.reduce((a, b) => a + b, 0) / longer.length - elapsed;
}

/** Thread-milliseconds spent on the spans inside [from, to]. */
function busyTime(spans: PageSpan[], from: number, to: number): number {
  return spans.reduce((sum, s) => sum + Math.max(0, Math.min(s.end ?? to, to) - Math.max(s.start, from)), 0);
}
