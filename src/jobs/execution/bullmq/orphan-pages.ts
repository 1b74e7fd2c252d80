import type { Envelope, PageOutput } from '../../../schemas/page-result.js';
import type { PageJobData } from './cluster-names.js';

interface Orphan {
  conversionId: string;
  pageNo: number;
  /** The result, when its node posted it before this life of the API node asked for the page again. */
  result?: Envelope<PageOutput>;
  until: number;
}

/**
 * Pages a previous life of the API node had running on worker nodes. A restart of the API node does
 * not stop them (their nodes are healthy): the page's next dispatch adopts the running job instead
 * of sending the page again, and a result posted before that is kept for it. So an API restart
 * costs neither an attempt nor the work already done.
 */
export class OrphanPages {
  private readonly byDispatch = new Map<string, Orphan>();

  constructor(private readonly ttlMs: number) {}

  /** Records the jobs found running at start-up. */
  adopt(jobs: { id?: string; data: PageJobData }[], now = Date.now()): number {
    for (const job of jobs) {
      const { conversionId, pageNo } = job.data ?? {};
      if (!job.id || typeof conversionId !== 'string' || !Number.isInteger(pageNo)) continue;
      this.byDispatch.set(job.id, { conversionId, pageNo, until: now + this.ttlMs });
    }
    return this.byDispatch.size;
  }

  /** The orphaned dispatch of this page, taken out (with its result if it came); undefined if none. */
  take(conversionId: string, pageNo: number): { dispatchId: string; result?: Envelope<PageOutput> } | undefined {
    for (const [dispatchId, o] of this.byDispatch) {
      if (o.conversionId !== conversionId || o.pageNo !== pageNo) continue;
      this.byDispatch.delete(dispatchId);
      return { dispatchId, result: o.result };
    }
    return undefined;
  }

  /** The page an orphaned dispatch runs, so its posted result can be checked against it. */
  pageOf(dispatchId: string): number | undefined {
    return this.byDispatch.get(dispatchId)?.pageNo;
  }

  /** Keeps an orphan's result for its page's next dispatch; false when the dispatch is unknown. */
  deliver(dispatchId: string, result: Envelope<PageOutput>): boolean {
    const o = this.byDispatch.get(dispatchId);
    if (!o || o.result) return false;
    o.result = result;
    return true;
  }

  /** Forgets orphans nobody asked for in time (their conversion ended while the node was down). */
  prune(now = Date.now()): void {
    for (const [id, o] of this.byDispatch) if (o.until < now) this.byDispatch.delete(id);
  }
}
