import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { randomUUID } from 'node:crypto';
import { Worker, WaitingError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { clusterHeaders } from '../../cluster-auth.js';
import type { Languages } from '../../pipeline/languages.js';
import type { PageTask } from '../../schemas/page-result.js';
import { PiscinaPageRunner } from '../piscina-page-runner.js';
import { CANCEL_CHANNEL, HEARTBEAT_MS, PAGE_QUEUE, redisOptions, type PageJobData } from './cluster-names.js';

const SHUTDOWN = 'shutdown';
/** Documents kept on a node's disk: the ones its running pages read, plus the most recent others. */
const KEEP_SOURCES = 8;

export interface WorkerNode {
  /** Running pages go back to the queue (no attempt spent); resolves once the node has let go. */
  close(graceMs: number): Promise<void>;
}

/**
 * A worker node: a Piscina pool taking pages from Redis. It fetches each page's task and document
 * from the API node's internal routes, runs it, and posts the result back; Redis only carries
 * references. It never touches the store.
 */
export async function startWorkerNode(config: Config, languages: Languages, log: Logger): Promise<WorkerNode> {
  const api = config.CLUSTER_API_URL.replace(/\/+$/, '');
  const auth = clusterHeaders(config.CLUSTER_SECRET);
  const node = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const cacheDir = path.join(config.DATA_DIR, 'cluster-sources');
  await fs.rm(cacheDir, { recursive: true, force: true });
  await fs.mkdir(cacheDir, { recursive: true, mode: 0o700 });
  /** Fetched documents by conversion, oldest first, with how many running pages read each. */
  const sources = new Map<string, { file: Promise<string>; readers: number }>();
  const runner = await PiscinaPageRunner.start(config, log);
  let busy = 0;
  let closing = false;

  /** The document of a conversion, fetched once and kept while pages read it (and a few more after). */
  const sourceOf = (conversionId: string, dispatchId: string) => {
    let entry = sources.get(conversionId);
    if (entry) sources.delete(conversionId); // re-inserted below: most recent last
    else {
      const target = path.join(cacheDir, conversionId.replace(/[^\w-]/g, '_'));
      const file = (async () => {
        const res = await fetch(`${api}/internal/pages/${dispatchId}/source`, { headers: auth });
        if (!res.ok) throw new Error(`source: HTTP ${res.status}`);
        await fs.writeFile(target, Buffer.from(await res.arrayBuffer()));
        return target;
      })();
      file.catch(() => sources.delete(conversionId));
      entry = { file, readers: 0 };
    }
    sources.set(conversionId, entry);
    entry.readers++;
    for (const [id, old] of sources) {
      if (sources.size <= KEEP_SOURCES) break;
      if (old.readers > 0) continue;
      sources.delete(id);
      void old.file.then((f) => fs.rm(f, { force: true }), () => undefined);
    }
    const held = entry;
    return { file: entry.file, release: () => { held.readers--; } };
  };

  // Three parameters: BullMQ aborts `signal` on worker.cancelJob (a cancel, or our shutdown).
  const processor = async (job: Job<PageJobData>, token?: string, signal?: AbortSignal) => {
    const { dispatchId, conversionId, timeoutMs } = job.data;
    const res = await fetch(`${api}/internal/pages/${dispatchId}/task`, { headers: auth });
    if (res.status === 404) return { ignored: true }; // cancelled, or from an API node's earlier life
    if (!res.ok) throw new Error(`task: HTTP ${res.status}`);
    const { task } = (await res.json()) as { task: PageTask };
    const source = sourceOf(conversionId, dispatchId);
    let envelope;
    try {
      const local: PageTask = {
        ...task, path: await source.file, tessdata_dir: languages.dir, tessdata_gzip: languages.gzip,
        ocr_engine: languages.ocr?.engine ?? 'wasm', native_tessdata_dir: languages.ocr?.nativeDir ?? '',
      };
      log.info({ dispatch: dispatchId, conversion_id: conversionId, page: task.page_no }, 'page started');
      busy++;
      try {
        envelope = await runner.runPage(local, signal ?? new AbortController().signal, timeoutMs);
      } finally {
        busy--;
      }
    } finally {
      source.release();
    }
    if (!envelope.ok && envelope.error.code === 'cancelled') {
      if (signal?.reason === SHUTDOWN && token) {
        // Back to the queue without spending an attempt: another node takes it.
        log.info({ dispatch: dispatchId, conversion_id: conversionId, page: task.page_no }, 'page handed back');
        await job.moveToWait(token);
        throw new WaitingError();
      }
      log.info({ dispatch: dispatchId, conversion_id: conversionId, page: task.page_no }, 'page stopped');
      return { cancelled: true };
    }
    const posted = await fetch(`${api}/internal/pages/${dispatchId}/result`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: v8.serialize(envelope),
    });
    if (!posted.ok) throw new Error(`result: HTTP ${posted.status}`);
    log.info({ dispatch: dispatchId, conversion_id: conversionId, page: task.page_no, ok: envelope.ok }, 'page returned');
    return { accepted: ((await posted.json()) as { accepted: boolean }).accepted };
  };

  const connection = new Redis(config.REDIS_URL, redisOptions);
  const worker = new Worker<PageJobData>(PAGE_QUEUE, processor, {
    // A stalled page (its node died) fails its job at once; the API node then applies local mode's
    // rule: a crashed page is tried once more (a new job), the second crash fails it.
    connection, concurrency: Math.max(1, config.NUM_WORKERS), maxStalledCount: 0,
    lockDuration: config.CLUSTER_LOCK_MS, stalledInterval: config.CLUSTER_STALLED_INTERVAL_MS,
  });
  worker.on('error', (err) => log.warn({ err }, 'worker node: queue error'));
  worker.on('failed', (job, err) => log.warn({ err, dispatch: job?.id }, 'page job failed'));
  const subscriber = new Redis(config.REDIS_URL, redisOptions);
  subscriber.on('error', (err) => log.debug({ err }, 'worker node: cancel channel error'));
  await subscriber.subscribe(CANCEL_CHANNEL);
  subscriber.on('message', (_channel, dispatchId: string) => worker.cancelJob(dispatchId, 'cancelled'));

  const beat = () => {
    if (closing) return;
    fetch(`${api}/internal/nodes/heartbeat`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ node, threads: Math.max(1, config.NUM_WORKERS), busy }),
    }).then((r) => {
      if (r.status === 401) log.error('the API node refuses CLUSTER_SECRET: set the same value on every node');
    }, (err: unknown) => log.warn({ reason: (err as Error).message }, 'API node unreachable'));
  };
  beat();
  const heartbeat = setInterval(beat, HEARTBEAT_MS);
  log.info({ node, threads: config.NUM_WORKERS, api }, 'worker node started');

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
      await fs.rm(cacheDir, { recursive: true, force: true });
    },
  };
}
