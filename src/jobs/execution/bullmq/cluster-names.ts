/** Names shared by the API node and worker nodes. */
export const PAGE_QUEUE = 'pagemill-pages';
/** Pub/sub channel: a dispatch id to stop on whichever worker node runs it. */
export const CANCEL_CHANNEL = 'pagemill:cancel';
/** A worker node not heard from for this long is gone: its threads leave the dispatch window. */
export const NODE_TTL_MS = 5_000;
export const HEARTBEAT_MS = 1_000;
/** A document may take this long to reach a worker node (a large scan over a slow link). */
export const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
/** A finished page's result is offered to an API node that does not answer (it restarts) this long. */
export const RESULT_RETRY_MS = 2 * 60_000;

/** What a queued page job carries: references only, never the task or the document. */
export interface PageJobData {
  dispatchId: string;
  conversionId: string;
  pageNo: number;
  timeoutMs: number;
  /**
   * Worker nodes on which this page failed in a way that points at the node (a dead thread, a
   * failing OCR engine or disk) and which handed it back: a second node failing it the same way
   * says the page is the cause, and the failure is reported.
   */
  failedOn?: string[];
}

/** ioredis options every BullMQ connection here needs (blocking commands must not give up). */
export const redisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true } as const;
