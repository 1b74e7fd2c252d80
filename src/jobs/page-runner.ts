import type { Envelope, InspectResult, InspectTask, PageOutput, PageTask, PreviewTask } from '../schemas/page-result.js';
import type { SearchablePdfTask } from '../../workers/searchable-pdf.js';

/**
 * Where page work runs. The local implementation is a Piscina pool in this process; the service
 * only sees this interface, so a distributed runner can replace it.
 */
export interface PageRunner {
  /** How many tasks can run at the same time. */
  readonly capacity: number;
  inspect(task: InspectTask, signal: AbortSignal): Promise<Envelope<InspectResult>>;
  /**
   * Runs one page. Never rejects: an abort through `signal` comes back as `cancelled`, a
   * timeout as `page_timeout`, a dead thread as `worker_crashed`.
   */
  runPage(task: PageTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<PageOutput>>;
  /** Writes the searchable PDF of a finished conversion. */
  searchablePdf(task: SearchablePdfTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<{ pages: number }>>;
  /** Draws the preview image of a text-layer page (JPEG bytes). */
  pagePreview(task: PreviewTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<Uint8Array>>;
  /** `ready`: can take tasks (threads may be stopped while idle and start on demand). */
  stats(): { threads: number; queued_tasks: number; busy: number; ready: boolean };
  close(): Promise<void>;
}
