import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../../config.js';
import { currentConversionId } from '../../../observability/conversion-context.js';
import type { Envelope, PageOutput, PageTask, TaskError } from '../../../schemas/page-result.js';
import type { ClusterApi, NodeBeat } from '../../contracts/cluster-api.js';
import type { ExecutionBackend, PoolStats } from '../../contracts/execution-backend.js';
import { ScheduledExecution } from '../../scheduling/scheduled-execution.js';
import type { PageRunner } from '../../contracts/page-runner.js';
import { CANCEL_CHANNEL, DOWNLOAD_TIMEOUT_MS, NODE_TTL_MS, PAGE_QUEUE, RESULT_RETRY_MS, redisOptions, type PageJobData } from './cluster-names.js';
import { OrphanPages } from './orphan-pages.js';
import { evictionPolicy } from './redis-eviction-policy.js';

interface Dispatch {
  task: PageTask;
  conversionId: string;
  pageNo: number;
  timeoutMs: number;
  sentAt: number;
  finish(envelope: Envelope<PageOutput>): void;
}

const RECONCILE_MS = 2_000;
const fail = (code: TaskError['code'], message: string): Envelope<PageOutput> => ({ ok: false, error: { code, message } });
/** The page's node stopped (its job stalled or failed): not the page's fault until it happens again and again. */
const nodeLost = (message = 'The worker node running this page stopped.'): Envelope<PageOutput> => ({
  ok: false, error: { code: 'worker_crashed', message, node_lost: true },
});
/** A refused node is logged once a minute per address, not on every heartbeat. */
const REFUSED_LOG_MS = 60_000;

/**
 * The API node's side of distributed mode. Fairness stays here: the same PageScheduler as local
 * mode decides which page goes next, and its capacity is the live worker nodes' threads, so only
 * pages in flight are in Redis (BullMQ runs equal-priority jobs first in, first out). A job
 * carries references; a worker node fetches the task and the document from the internal routes
 * and posts the result back (ClusterApi). When the API node has page threads of its own
 * (NUM_WORKERS > 0), that many pages run on its local pool too.
 */
export class BullmqExecution extends ScheduledExecution implements ExecutionBackend, ClusterApi {
  readonly capacity: number;
  readonly secret: string;
  private readonly pending = new Map<string, Dispatch>();
  private readonly beats = new Map<string, NodeBeat & { seen: number }>();
  private readonly queue: Queue<PageJobData>;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Pages running on this node's own threads (`--workers N` > 0 on the API node). */
  private localPages = 0;
  private redisProblem: string | null = 'not checked yet';
  /** The abort reason of this node's shutdown, once it drains: its pages on worker nodes run on, for its next life. */
  private shutdownReason: unknown = undefined;
  private stopping = false;
  private readonly orphans: OrphanPages;
  /** Addresses that presented a wrong CLUSTER_SECRET lately (a misconfigured node), for the pool status. */
  private readonly refusedNodes = new Map<string, { last_seen: number; logged: number }>();

  constructor(private readonly config: Config, private readonly local: PageRunner, private readonly log: Logger) {
    super(config.NUM_WORKERS);
    this.secret = config.CLUSTER_SECRET;
    this.orphans = new OrphanPages(this.backstopMs(config.PAGE_TIMEOUT_S * 1000));
    // The inspect gate sizes itself from this; pages use the live window instead.
    this.capacity = Math.max(1, local.capacity);
    this.redis = new Redis(config.REDIS_URL, redisOptions);
    this.redis.on('error', (err) => this.noteRedis(err));
    this.queue = new Queue<PageJobData>(PAGE_QUEUE, { connection: this.redis });
    this.queue.on('error', (err) => this.noteRedis(err));
    this.events = new QueueEvents(PAGE_QUEUE, { connection: new Redis(config.REDIS_URL, redisOptions) });
    this.events.on('error', (err) => this.noteRedis(err));
    // A page whose node died (its job stalled) fails here; the workflow sends it to another node.
    // Worker nodes never fail a job on purpose: a node that cannot do a page hands it back.
    this.events.on('failed', ({ jobId, failedReason }) => {
      this.log.warn({ dispatch: jobId, reason: failedReason }, 'page job failed on the worker nodes');
      this.pending.get(jobId)?.finish(nodeLost());
    });
    this.timers.push(setInterval(() => this.pruneNodes(), 1_000).unref());
    this.timers.push(setInterval(() => void this.checkRedis(), 2_000).unref());
    this.timers.push(setInterval(() => void this.reconcile(), RECONCILE_MS).unref());
    void this.checkRedis();
  }

  pool(): PoolStats {
    let threads = this.config.NUM_WORKERS;
    let busy = this.localPages;
    for (const n of this.beats.values()) {
      // A quarantined node takes no pages: its threads are not part of the pool.
      if (n.state !== 'quarantined') threads += n.threads;
      busy += n.busy;
    }
    return { threads, busy, queued_tasks: this.scheduler.stats().queued_pages, ready: this.local.stats().ready };
  }

  /** The worker nodes heard from lately (for /worker-pool-status and /stats). */
  nodes(): NodeBeat[] {
    return [...this.beats.values()].map(({ seen: _seen, ...beat }) => beat);
  }

  /** Addresses whose nodes presented a wrong CLUSTER_SECRET in the last minute. */
  refused(): { address: string; last_seen: string }[] {
    const cutoff = Date.now() - REFUSED_LOG_MS;
    return [...this.refusedNodes].filter(([, r]) => r.last_seen >= cutoff)
      .map(([address, r]) => ({ address, last_seen: new Date(r.last_seen).toISOString() }));
  }

  noteRefused(address: string): void {
    const now = Date.now();
    const r = this.refusedNodes.get(address) ?? { last_seen: now, logged: 0 };
    r.last_seen = now;
    this.refusedNodes.delete(address); // re-inserted: the least recently seen goes first when full
    if (now - r.logged >= REFUSED_LOG_MS) {
      r.logged = now;
      this.log.error({ address }, 'a worker node presented a wrong CLUSTER_SECRET: set the same value on every node');
    }
    this.refusedNodes.set(address, r);
    if (this.refusedNodes.size > 1000) this.refusedNodes.delete(this.refusedNodes.keys().next().value!);
  }

  /** Why /ready should say no: Redis unreachable or evicting keys; null when fine. */
  problem(): string | null {
    return this.redisProblem;
  }

  async runPage(task: PageTask, signal: AbortSignal, timeoutMs: number, beforeInProcess: () => void): Promise<Envelope<PageOutput>> {
    if (this.localPages < this.config.NUM_WORKERS) {
      beforeInProcess();
      this.localPages++;
      try {
        return await this.local.runPage(task, signal, timeoutMs);
      } finally {
        this.localPages--;
      }
    }
    return this.dispatch(task, signal, timeoutMs);
  }

  /**
   * A backstop only: the worker node enforces PAGE_TIMEOUT_S on the run itself. Past this, no node
   * has the page any more (its node vanished without its job failing): it is sent again, as a node
   * loss. It leaves room for the download, the run, a stall's take-over (lock + two stall checks) and
   * the node offering the result while this node restarts.
   */
  private backstopMs(timeoutMs: number): number {
    const { CLUSTER_LOCK_MS: lock, CLUSTER_STALLED_INTERVAL_MS: stalled } = this.config;
    return DOWNLOAD_TIMEOUT_MS + timeoutMs + RESULT_RETRY_MS + lock + 2 * stalled + 10_000;
  }

  private dispatch(task: PageTask, signal: AbortSignal, timeoutMs: number): Promise<Envelope<PageOutput>> {
    if (signal.aborted) return Promise.resolve(fail('cancelled', 'Stopped before it was sent to a worker node.'));
    // The workflow runs every page step in its conversion's context.
    const conversionId = currentConversionId() ?? randomUUID();
    const orphan = this.orphans.take(conversionId, task.page_no);
    if (orphan?.result) return Promise.resolve(orphan.result);
    const dispatchId = orphan?.dispatchId ?? randomUUID();
    return new Promise((resolve) => {
      const backstop = this.backstopMs(timeoutMs);
      const timer = setTimeout(() => {
        this.stopRemote(dispatchId);
        finish(nodeLost(`No worker node returned the page within ${Math.round(backstop / 1000)} s.`));
      }, backstop);
      const onAbort = () => {
        // A shutdown leaves the page running on its node: the next life of this node adopts it. A
        // cancel (or a conversion failing) during the shutdown still stops it.
        if (!this.stopping || signal.reason !== this.shutdownReason) this.stopRemote(dispatchId);
        finish(fail('cancelled', 'Stopped: the conversion was cancelled or the server is shutting down.'));
      };
      const finish = (envelope: Envelope<PageOutput>) => {
        if (!this.pending.delete(dispatchId)) return;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(envelope);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(dispatchId, { task, conversionId, pageNo: task.page_no, timeoutMs, sentAt: Date.now(), finish });
      // An adopted job is in Redis already (the reconciler sends it again if it is gone).
      if (orphan) this.log.info({ dispatch: dispatchId, conversion_id: conversionId, page: task.page_no }, 'page adopted from before the restart');
      else this.send(dispatchId);
    });
  }

  private send(dispatchId: string): void {
    const d = this.pending.get(dispatchId);
    if (!d) return;
    const data: PageJobData = { dispatchId, conversionId: d.conversionId, pageNo: d.pageNo, timeoutMs: d.timeoutMs };
    this.queue.add('page', data, { jobId: dispatchId, attempts: 1, removeOnComplete: true, removeOnFail: { count: 1000 } })
      .catch((err: unknown) => this.log.warn({ err, dispatch: dispatchId }, 'could not queue a page; the reconciler retries'));
  }

  /** Takes a page back: out of the queue when it waits, stopped on its node when it runs. */
  private stopRemote(dispatchId: string): void {
    this.queue.remove(dispatchId).catch(() => 0);
    this.redis.publish(CANCEL_CHANNEL, dispatchId).catch(() => 0);
  }

  /**
   * QueueEvents is best effort (a trimmed stream, lost while Redis restarts): every page waited
   * for is checked against its job. A job that is gone (Redis lost it) is sent again; a failed
   * one ends the page. A result can only be delivered once, so a page is never counted twice.
   */
  private async reconcile(): Promise<void> {
    const now = Date.now();
    for (const [dispatchId, d] of this.pending) {
      if (now - d.sentAt < RECONCILE_MS) continue;
      try {
        const state = await this.queue.getJobState(dispatchId);
        if (state === 'unknown') this.send(dispatchId);
        else if (state === 'failed') d.finish(nodeLost());
      } catch {
        return; // Redis is away: try again on the next round
      }
    }
  }

  // ---- ClusterApi (served by the internal routes) ---------------------------------------------

  task(dispatchId: string): { task: PageTask; conversion_id: string } | undefined {
    const d = this.pending.get(dispatchId);
    return d && { task: d.task, conversion_id: d.conversionId };
  }

  sourcePath(dispatchId: string): string | undefined {
    return this.pending.get(dispatchId)?.task.path;
  }

  pageOf(dispatchId: string): number | undefined {
    return this.pending.get(dispatchId)?.pageNo ?? this.orphans.pageOf(dispatchId);
  }

  result(dispatchId: string, envelope: Envelope<PageOutput>): boolean {
    const d = this.pending.get(dispatchId);
    if (!d) return this.orphans.deliver(dispatchId, envelope);
    d.finish(envelope);
    return true;
  }

  /** The queue of pages in flight, for the read-only dashboard (bull-board.ts). */
  get pageQueue(): Queue<PageJobData> {
    return this.queue;
  }

  /** Draining for a shutdown: results that come now are for the next life (the node offers them again). */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  heartbeat(beat: NodeBeat): void {
    this.beats.set(beat.node, { ...beat, seen: Date.now() });
    this.resize();
  }

  private pruneNodes(): void {
    const cutoff = Date.now() - NODE_TTL_MS;
    for (const [id, n] of this.beats) if (n.seen < cutoff) this.beats.delete(id);
    this.orphans.prune();
    this.resize();
  }

  /** The dispatch window: as many pages in flight as the live, unquarantined worker nodes have threads. */
  private resize(): void {
    this.scheduler.setCapacity(this.pool().threads);
  }

  private noteRedis(err: Error): void {
    if (this.redisProblem === null) this.log.warn({ err }, 'Redis unreachable');
    this.redisProblem = `Redis unreachable: ${err.message}`;
  }

  private async checkRedis(): Promise<void> {
    try {
      const policy = await evictionPolicy(this.redis);
      if (policy === null && this.redisProblem !== null) {
        this.log.warn('Redis answers but lets neither CONFIG GET nor INFO read maxmemory-policy (ACLs, a managed service): make sure it is "noeviction"');
      }
      this.redisProblem = policy === null || policy === 'noeviction' ? null : `Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction"`;
    } catch (err) {
      this.noteRedis(err as Error);
    }
  }

  /**
   * Pages a previous life of this node dispatched: those still waiting are dropped (the workflow
   * sends them again in its own order); those running on a worker node are adopted by their
   * page's next dispatch, so a restart of this node costs no work and no attempt.
   */
  async resume(): Promise<void> {
    await this.queue.drain(true).catch((err: unknown) => this.log.warn({ err }, 'could not drain old page jobs'));
    try {
      const running = this.orphans.adopt(await this.queue.getActive());
      if (running) this.log.info({ pages: running }, 'pages running on worker nodes since before the restart will be adopted');
    } catch (err) {
      this.log.warn({ err }, 'could not list running page jobs; their pages are sent again');
    }
  }

  async drain(graceMs: number, reason: unknown): Promise<void> {
    this.stopping = true;
    this.shutdownReason = reason;
    await super.drain(graceMs, reason);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.events.close().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
    await this.local.close();
  }
}
