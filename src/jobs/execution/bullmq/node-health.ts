import type { Logger } from 'pino';
import type { ConversionErrorCode } from '../../../errors.js';
import type { LinkProblem } from './api-link.js';

/** How long a quarantined node takes no pages before it tries again. */
export const QUARANTINE_MS = 60_000;
/**
 * Failures that may say more about the node than about the page: its threads die, its OCR engine
 * or its disk fails. Two pages in a row failing so on one node, with no page done between, is the
 * node; one page failing so on two nodes is the page.
 */
const NODE_SUSPECT_CODES: readonly ConversionErrorCode[] = ['worker_crashed', 'ocr_failed', 'storage_error', 'storage_full'];

/**
 * How often a page may be handed back for failures that may be a node's: a cluster of one node
 * with a page that crashes its threads must still end that page (with its failure), not loop.
 */
const MAX_HAND_BACKS = 3;

export type NodeState = 'connecting' | 'taking_pages' | 'offline' | 'quarantined';

/**
 * Whether a worker node should take pages now. It takes none until the API node has accepted its
 * heartbeat; none while the API node is out of reach or refuses its secret (a page it took could
 * only fail); and none for a while after its own pages kept failing in ways that point at the node
 * — so a misconfigured or broken node costs the cluster its threads, never a page's attempts.
 * `onChange` pauses and resumes the queue worker.
 */
export class NodeHealth {
  private current: NodeState = 'connecting';
  private why = '';
  private quarantinedUntil = 0;
  /** Pages that failed on this node in a way that may be the node's, since its last page done. */
  private readonly suspectPages = new Set<string>();
  private lastLinkLog = 0;

  constructor(private readonly log: Logger, private readonly onChange: (takingPages: boolean) => void) {}

  get state(): NodeState {
    if (this.current === 'quarantined' && Date.now() >= this.quarantinedUntil) {
      this.log.info('quarantine over: taking pages again');
      this.set('taking_pages', '');
    }
    return this.current;
  }

  get takingPages(): boolean {
    return this.state === 'taking_pages';
  }

  get reason(): string {
    return this.why;
  }

  /** The API node accepted a heartbeat or a call. */
  reached(): void {
    if (this.current === 'connecting' || this.current === 'offline') {
      this.log.info(this.current === 'offline' ? 'API node reachable again: taking pages' : 'API node reached: taking pages');
      this.set('taking_pages', '');
    }
  }

  /** A heartbeat or a call to the API node failed: take no pages until one gets through. */
  unreachable(problem: LinkProblem, message: string): void {
    if (problem === 'gone' || problem === 'aborted') return;
    const now = Date.now();
    // Said at once when it starts, then once a minute while it lasts (not once a second).
    if (this.current !== 'offline' || now - this.lastLinkLog >= 60_000) {
      this.lastLinkLog = now;
      const line = `${message}; this node takes no pages until it gets through`;
      if (problem === 'refused') this.log.error(line);
      else this.log.warn(line);
    }
    if (this.current !== 'quarantined') this.set('offline', message);
  }

  /**
   * What to do with a page's outcome on this node. `report` a success, a failure of the page's own,
   * or a failure that another node saw too (then the page is the cause) or that has gone round
   * MAX_HAND_BACKS times. `hand-back` a failure that may be this node's, for another node to try
   * (`failedOn` keeps the nodes it failed on); and quarantine the node when two different pages
   * failed so on it with no page done between — the node, then, not the page. The same page
   * failing here again (a handed-back page often comes back to the node that let it go) is no
   * second witness against the node.
   */
  pageEnded(code: ConversionErrorCode | null, page: string, node: string, failedOn: readonly string[]): 'report' | 'hand-back' | 'quarantined' {
    if (code === null || !NODE_SUSPECT_CODES.includes(code)) {
      if (code === null) this.suspectPages.clear();
      return 'report';
    }
    if (failedOn.some((n) => n !== node) || failedOn.length >= MAX_HAND_BACKS) return 'report';
    this.suspectPages.add(page);
    if (this.suspectPages.size < 2) return 'hand-back';
    this.quarantine(`${this.suspectPages.size} pages in a row failed with ${code} on this node (${node})`);
    return 'quarantined';
  }

  /** The node's own disk failed (ENOSPC, EACCES…): no page can be done here until someone fixes it. */
  diskFailed(message: string): void {
    this.quarantine(`this node's disk failed: ${message}`);
  }

  /** Takes no pages for QUARANTINE_MS: what it has is handed back to other nodes. */
  quarantine(reason: string): void {
    // suspectPages stays: a node that fails a new page right after its quarantine goes back in.
    this.quarantinedUntil = Date.now() + QUARANTINE_MS;
    this.log.error({ reason, seconds: QUARANTINE_MS / 1000 }, 'worker node quarantined: it hands its pages back and takes none for a while');
    this.set('quarantined', reason);
    setTimeout(() => void this.state, QUARANTINE_MS + 10).unref();
  }

  private set(state: NodeState, reason: string): void {
    const was = this.current === 'taking_pages';
    this.current = state;
    this.why = reason;
    if (was !== (state === 'taking_pages')) this.onChange(state === 'taking_pages');
  }
}
