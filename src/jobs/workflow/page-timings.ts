import type { ConversionRow } from '../../schemas/conversion-rows.js';
import { estimateRemainingSeconds, type PageSpan } from './eta.js';

/** Enough finished runs for the moving average and the parallelism window of eta.ts. */
const KEEP_FINISHED = 64;

/**
 * When this process started and finished each page of its live conversions: what the ETA is
 * measured from. In memory only: after a restart the estimate comes back once a page finishes.
 */
export class PageTimings {
  private readonly runs = new Map<string, { running: Map<number, number>; finished: PageSpan[] }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  started(id: string, pageNo: number): void {
    let run = this.runs.get(id);
    if (!run) this.runs.set(id, (run = { running: new Map(), finished: [] }));
    run.running.set(pageNo, this.now());
  }

  finished(id: string, pageNo: number): void {
    const run = this.runs.get(id);
    const start = run?.running.get(pageNo);
    if (!run || start === undefined) return;
    run.running.delete(pageNo);
    run.finished.push({ start, end: this.now() });
    if (run.finished.length > KEEP_FINISHED) run.finished.shift();
  }

  /** A page that stopped without a result (requeued, cancelled): it took no measurable time. */
  stopped(id: string, pageNo: number): void {
    this.runs.get(id)?.running.delete(pageNo);
  }

  forget(id: string): void {
    this.runs.delete(id);
  }

  /** Seconds left (0.1 s resolution), or null when nothing is measured yet. */
  estimate(row: ConversionRow): number | null {
    const run = this.runs.get(row.id);
    if (row.status !== 'processing' || !row.total_pages || !run) return null;
    const now = this.now();
    const spans = [...run.finished, ...[...run.running.values()].map((start) => ({ start }))];
    const finished = row.pages_done + row.pages_failed;
    const seconds = estimateRemainingSeconds({ total: row.total_pages, finished, spans, now });
    return seconds === null ? null : Math.round(seconds * 10) / 10;
  }
}
