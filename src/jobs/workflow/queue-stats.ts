import type { ConversionStatus } from '../../schemas/conversion.js';
import type { ClusterNode } from '../../schemas/status.js';
import type { ConversionStore } from '../contracts/conversion-store.js';

export interface QueueStats {
  conversions: Record<ConversionStatus, number>;
  pages_per_minute: { last_1_min: number; last_5_min: number; last_15_min: number };
  queue: { pages_outstanding: number; pages_queued: number; pages_active: number; conversions_waiting: number; conversions_active: number };
  mean_wait_seconds_last_hour: number | null;
  queue_eta_seconds: number | null;
  queue_eta_iso: string | null;
  workers: { num_workers: number; busy: number; nodes?: ClusterNode[] };
}

/** What an operator watches: counts by status, throughput, queue depth, waiting time, and when the queue will be empty. */
export function queueStats(
  store: ConversionStore,
  pool: {
    queue_size: number; active_tasks: number; pages_queued: number; pages_active: number; num_workers: number; busy_workers: number;
    cluster?: { nodes: ClusterNode[] };
  },
  now = Date.now(),
  /** One API key's numbers only; null for the whole server. */
  owner: string | null = null,
): QueueStats {
  const since = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
  const rate = (minutes: number) => Math.round((store.pagesFinishedSince(since(minutes), owner) / minutes) * 10) / 10;
  const perMinute = { last_1_min: rate(1), last_5_min: rate(5), last_15_min: rate(15) };
  const outstanding = store.pagesOutstanding(owner);
  const throughput = perMinute.last_5_min || perMinute.last_15_min;
  const eta = outstanding === 0 ? 0 : throughput > 0 ? Math.round((outstanding / throughput) * 60) : null;
  return {
    conversions: store.countByStatus(owner),
    pages_per_minute: perMinute,
    queue: {
      pages_outstanding: outstanding,
      pages_queued: pool.pages_queued,
      pages_active: pool.pages_active,
      conversions_waiting: pool.queue_size,
      conversions_active: pool.active_tasks,
    },
    mean_wait_seconds_last_hour: store.meanWaitSeconds(since(60), owner),
    queue_eta_seconds: eta,
    queue_eta_iso: eta === null ? null : new Date(now + eta * 1000).toISOString(),
    workers: { num_workers: pool.num_workers, busy: pool.busy_workers, ...(pool.cluster ? { nodes: pool.cluster.nodes } : {}) },
  };
}
