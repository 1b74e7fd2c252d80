import type {
  Envelope, InspectResult, InspectTask, PageOutput, PageTask, PreviewTask, SearchablePdfTask, SearchablePdfResult,
} from '../../schemas/page-result.js';

/**
 * The tasks that read a whole document rather than a page: counting its pages, writing its
 * searchable PDF, drawing a page preview on request. They run in this process in every deployment
 * (a worker node never holds a whole conversion).
 */
export interface DocumentTasks {
  /** Counts the pages of a document. */
  inspect(task: InspectTask, signal: AbortSignal): Promise<Envelope<InspectResult>>;
  /** Writes the searchable PDF of a finished conversion. */
  searchablePdf(task: SearchablePdfTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<SearchablePdfResult>>;
  /** Draws the preview image of a text-layer page (JPEG bytes). */
  pagePreview(task: PreviewTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<Uint8Array>>;
}

/**
 * Where page work runs in this process: a Piscina pool (pool/piscina-page-runner.ts). Local
 * execution runs every page on it; an API node of distributed mode runs its own pages
 * (`--workers N`) and the document tasks on it.
 */
export interface PageRunner extends DocumentTasks {
  /** How many tasks can run at the same time. */
  readonly capacity: number;
  /**
   * Runs one page. Never rejects: an abort through `signal` comes back as `cancelled`, a
   * timeout as `page_timeout`, a dead thread as `worker_crashed`.
   */
  runPage(task: PageTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<PageOutput>>;
  /** `ready`: can take tasks (threads may be stopped while idle and start on demand). */
  stats(): { threads: number; queued_tasks: number; busy: number; ready: boolean };
  close(): Promise<void>;
}
