import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, Worker, WaitingError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../../config.js';
import type { Languages } from '../../../languages/languages.js';
import type { Envelope, PageOutput, PageTask } from '../../../schemas/page-result.js';
import { PiscinaPageRunner } from '../../pool/piscina-page-runner.js';
import { ApiLink, ApiLinkError } from './api-link.js';
import { CANCEL_CHANNEL, HEARTBEAT_MS, PAGE_QUEUE, RESULT_RETRY_MS, redisOptions, type PageJobData } from './cluster-names.js';
import { NodeHealth } from './node-health.js';
import { NodeDiskError, SourceCache } from './source-cache.js';

const SHUTDOWN = 'shutdown';
/** On this node's shutdown, a page already done gets this long to be delivered before it is handed back. */
const DELIVERY_GRACE_MS = 3_000;
/**
 * A page that failed in a way that may be this node's waits this long before another node may take
 * it: handed straight back, it would mostly come back to this node, the first one free.
 */
const SUSPECT_DELAY_MS = 2_000;
/** Error messages from pdf.js or tesseract can be long; the API node takes at most 10,000 characters. */
const MESSAGE_LIMIT = 2_000;

export interface WorkerNode {
  /** Running pages go back to the queue (no attempt spent); resolves once the node has let go. */
  close(graceMs: number): Promise<void>;
}

/** Thrown inside the processor: the page goes back to the queue for another node, no attempt spent. */
class HandBack extends Error {
  /** Another node may take it only after this long (0: at once). */
  constructor(readonly delayMs = 0) {
    super('handed back');
  }
}

/**
 * A worker node: a Piscina pool taking pages from Redis. It fetches each page's task and document
 * from the API node's internal routes, runs it, and posts the result back; Redis only carries
 * references. It never touches the store. A page it cannot do for reasons of its own (the API
 * node out of reach or refusing it, its shutdown, its quarantine) goes back to the queue with no
 * attempt spent: only a page whose run crashed a thread is reported as such.
 */
export async function startWorkerNode(config: Config, languages: Languages, log: Logger): Promise<WorkerNode> {
  const api = new ApiLink(config.CLUSTER_API_URL, config.CLUSTER_SECRET);
  // At most ~120 characters: the API node takes names up to 200.
  const node = `${os.hostname().slice(0, 100)}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const sources = await SourceCache.open(path.join(config.DATA_DIR, 'cluster-sources'), node, api);
  const runner = await PiscinaPageRunner.start(config, log);
  let busy = 0;
  let closing = false;
  let started = false;
  // Called only from calls to the API node, which start after the queue worker below exists.
  const health = new NodeHealth(log, (taking) => {
    if (closing) return;
    if (taking && !started) {
      started = true;
      worker.run().catch((err: unknown) => log.error({ err }, 'worker node: queue loop stopped'));
    } else if (taking) void worker.resume();
    else void worker.pause(true).catch(() => undefined);
  });

  /** A call to the API node; a failure other than `gone` or an abort takes the node offline. */
  const reach = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      const value = await call();
      health.reached();
      return value;
    } catch (err) {
      const e = err instanceof ApiLinkError ? err : api.failure(err);
      health.unreachable(e.problem, e.message);
      throw e;
    }
  };

  /**
   * Offers the result until the API node takes it, the page is stopped, or RESULT_RETRY_MS passes.
   * A shutdown of this node leaves a finished page a few seconds to be delivered before it is
   * handed back: the work is done, only the delivery is left.
   */
  const post = async (dispatchId: string, envelope: Envelope<PageOutput>, pageSignal: AbortSignal): Promise<boolean> => {
    const stop = new AbortController();
    const follow = () => {
      if (pageSignal.reason === SHUTDOWN) setTimeout(() => stop.abort(), DELIVERY_GRACE_MS).unref();
      else stop.abort();
    };
    if (pageSignal.aborted) follow();
    else pageSignal.addEventListener('abort', follow, { once: true });
    const { signal } = stop;
    const body = v8.serialize(envelope);
    const giveUp = Date.now() + RESULT_RETRY_MS;
    for (let wait = 500; ; wait = Math.min(wait * 2, 5_000)) {
      try {
        const res = await reach(() => api.call(`/internal/pages/${dispatchId}/result`, {
          method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body, signal,
        }));
        return ((await res.json()) as { accepted: boolean }).accepted;
      } catch (err) {
        const e = err as ApiLinkError;
        if (e.problem === 'gone') return false;
        if (e.problem === 'rejected' && envelope.ok) {
          // This page's result cannot be delivered (a proxy's body limit, a result past the API
          // node's limit): the page fails once, with the reason, instead of going round the nodes.
          log.error({ dispatch: dispatchId, reason: e.message }, 'the API node refused this page\'s result');
          const message = `The page's result could not be delivered to the API node (${e.message}); check body size limits between the nodes.`;
          return post(dispatchId, { ok: false, error: { code: 'storage_error', message } }, pageSignal);
        }
        if (e.problem === 'rejected') {
          health.quarantine(`the API node refused a page failure of this node (${e.message}); run the same release on every node`);
          throw new HandBack();
        }
        if (e.problem === 'aborted' || signal.aborted || Date.now() + wait > giveUp) throw new HandBack();
        await sleep(wait, undefined, { signal }).catch(() => undefined);
      }
    }
  };

  const runOne = async (job: Job<PageJobData>, signal: AbortSignal) => {
    const { dispatchId } = job.data;
    // Taken just as the node went offline, or as it began to stop (cancelAllJobs missed it).
    const stillHere = () => {
      if (closing || !health.takingPages) throw new HandBack();
    };
    stillHere();
    let task: PageTask;
    let conversionId: string;
    try {
      const res = await reach(() => api.call(`/internal/pages/${dispatchId}/task`, { signal }));
      ({ task, conversion_id: conversionId } = (await res.json()) as { task: PageTask; conversion_id: string });
    } catch (err) {
      if ((err as ApiLinkError).problem === 'gone') return { ignored: true }; // cancelled, or from an API node's earlier life
      throw new HandBack();
    }
    stillHere();
    const at = { dispatch: dispatchId, conversion_id: conversionId, page: task.page_no };
    // Keyed by what the API node said with the task, never by what the job in Redis claims.
    const source = sources.acquire(conversionId, dispatchId, signal);
    let envelope: Envelope<PageOutput>;
    try {
      let file: string;
      try {
        file = await reach(() => source.file);
      } catch (err) {
        if (err instanceof NodeDiskError) health.diskFailed(err.message);
        else if ((err as ApiLinkError).problem === 'gone') return { ignored: true };
        throw new HandBack();
      }
      stillHere();
      const local: PageTask = {
        ...task, path: file, tessdata_dir: languages.dir, tessdata_gzip: languages.gzip,
        ocr_engine: languages.ocr?.engine ?? 'wasm', native_tessdata_dir: languages.ocr?.nativeDir ?? '',
      };
      log.info(at, 'page started');
      busy++;
      try {
        envelope = await runner.runPage(local, signal, job.data.timeoutMs);
      } finally {
        busy--;
      }
    } finally {
      source.release();
    }
    if (!envelope.ok && envelope.error.code === 'cancelled') {
      if (signal.reason === SHUTDOWN || closing) throw new HandBack();
      log.info(at, 'page stopped');
      return { cancelled: true };
    }
    const failedOn = job.data.failedOn ?? [];
    const verdict = health.pageEnded(envelope.ok ? null : envelope.error.code, dispatchId, node, failedOn);
    if (verdict !== 'report') {
      log.warn({ ...at, code: envelope.ok ? null : envelope.error.code }, 'page failed in a way that may be this node\'s; another node tries it');
      await job.updateData({ ...job.data, failedOn: [...failedOn, node] });
      throw new HandBack(SUSPECT_DELAY_MS);
    }
    if (!envelope.ok) envelope = { ok: false, error: { ...envelope.error, message: envelope.error.message.slice(0, MESSAGE_LIMIT) } };
    const accepted = await post(dispatchId, envelope, signal);
    log.info({ ...at, ok: envelope.ok, accepted }, 'page returned');
    return { accepted };
  };

  // Three parameters: BullMQ aborts `signal` on worker.cancelJob (a cancel, or our shutdown).
  const processor = async (job: Job<PageJobData>, token?: string, signal?: AbortSignal) => {
    try {
      return await runOne(job, signal ?? new AbortController().signal);
    } catch (err) {
      if (!(err instanceof HandBack) || !token) throw err;
      // Back to the queue without spending an attempt: another node takes it.
      const { dispatchId: dispatch, conversionId: conversion_id, pageNo: page } = job.data;
      log.info({ dispatch, conversion_id, page, state: health.state }, 'page handed back');
      if (err.delayMs > 0) {
        await job.moveToDelayed(Date.now() + err.delayMs, token);
        throw new DelayedError();
      }
      await job.moveToWait(token);
      throw new WaitingError();
    }
  };

  const connection = new Redis(config.REDIS_URL, redisOptions);
  const worker = new Worker<PageJobData>(PAGE_QUEUE, processor, {
    // A stalled page (its node died) fails its job at once; the API node then sends it to another
    // node, counting a node loss (not an attempt) for the page.
    connection, concurrency: Math.max(1, config.NUM_WORKERS), maxStalledCount: 0, autorun: false,
    lockDuration: config.CLUSTER_LOCK_MS, stalledInterval: config.CLUSTER_STALLED_INTERVAL_MS,
  });
  worker.on('error', (err) => log.warn({ err }, 'worker node: queue error'));
  worker.on('failed', (job, err) => log.warn({ err, dispatch: job?.id }, 'page job failed'));
  const subscriber = new Redis(config.REDIS_URL, redisOptions);
  subscriber.on('error', (err) => log.debug({ err }, 'worker node: cancel channel error'));
  await subscriber.subscribe(CANCEL_CHANNEL);
  subscriber.on('message', (_channel, dispatchId: string) => worker.cancelJob(dispatchId, 'cancelled'));

  // The heartbeat is also how the node learns it may take pages: none before the API node has
  // accepted one, none while they fail.
  const beat = () => {
    if (closing) return;
    const { state, reason } = health;
    const body = JSON.stringify({
      node, threads: Math.max(1, config.NUM_WORKERS), busy,
      state: state === 'quarantined' ? 'quarantined' : 'taking_pages', ...(state === 'quarantined' ? { reason } : {}),
    });
    api.call('/internal/nodes/heartbeat', { method: 'POST', headers: { 'content-type': 'application/json' }, body }, HEARTBEAT_MS * 5)
      .then((r) => {
        health.reached();
        return r.body?.cancel();
      })
      .catch((err: unknown) => {
        const e = err instanceof ApiLinkError ? err : api.failure(err);
        // A 404 here is no page gone: the address is not an API node of a cluster.
        if (e.problem === 'gone') health.unreachable('refused', `${api.base} answers 404 to a heartbeat: is it the API node, started with REDIS_URL (--redis)?`);
        else health.unreachable(e.problem, e.message);
      });
  };
  beat();
  const heartbeat = setInterval(beat, HEARTBEAT_MS);
  log.info({ node, threads: config.NUM_WORKERS, api: api.base }, 'worker node started');

  return {
    async close(graceMs: number) {
      closing = true;
      clearInterval(heartbeat);
      worker.cancelAllJobs(SHUTDOWN);
      const timer = new Promise((r) => setTimeout(r, graceMs).unref());
      await Promise.race([worker.close(), timer]);
      subscriber.disconnect();
      connection.disconnect();
      await runner.close();
      await sources.close();
    },
  };
}
