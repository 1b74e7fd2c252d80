import type { Envelope, PageOutput, PageTask } from '../../schemas/page-result.js';

/** A worker node as it reports itself. */
export interface NodeBeat {
  node: string;
  threads: number;
  busy: number;
  /** `quarantined`: its own pages kept failing fast, so it takes none for a while (see worker-node.ts). */
  state: 'taking_pages' | 'quarantined';
  /** Why it is quarantined. */
  reason?: string;
}

/**
 * What the API node's internal routes serve to worker nodes (src/routes/internal-cluster.ts):
 * a dispatched page's task and source, and its result. A dispatch id is known only while the
 * API node waits for that page; afterwards (done, cancelled, restarted) it is unknown and a late
 * result is ignored.
 */
export interface ClusterApi {
  readonly secret: string;
  /** The full task (the PDF password included: it travels over HTTP, never through Redis). */
  task(dispatchId: string): { task: PageTask; conversion_id: string } | undefined;
  /** The source document's path on the API node. */
  sourcePath(dispatchId: string): string | undefined;
  /** The page a dispatch runs, to check a posted result against; undefined when nobody waits for it. */
  pageOf(dispatchId: string): number | undefined;
  /** Delivers a page's result (checked against pageOf); false when nobody waits for it any more. */
  result(dispatchId: string, envelope: Envelope<PageOutput>): boolean;
  /** The API node is stopping: a result posted now is asked for again (503), for its next life to adopt. */
  readonly shuttingDown: boolean;
  heartbeat(beat: NodeBeat): void;
  /** The worker nodes heard from lately (for /worker-pool-status and /stats). */
  nodes(): NodeBeat[];
  /** Addresses that presented a wrong cluster secret lately. */
  refused(): { address: string; last_seen: string }[];
  /** Why the queue cannot take work now (Redis unreachable or evicting); null when fine. */
  problem(): string | null;
  /** A caller presented a wrong CLUSTER_SECRET: a misconfigured node, shown in the pool status. */
  noteRefused(address: string): void;
}
