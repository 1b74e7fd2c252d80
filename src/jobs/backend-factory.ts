import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { loadSecretBox } from '../security/secret-box.js';
import type { Backend } from './contracts/backend.js';
import type { Dashboard } from './execution/bullmq/bull-board.js';
import { LocalExecution } from './execution/local/local-execution.js';
import { PiscinaPageRunner } from './pool/piscina-page-runner.js';
import { FolderBlobStore } from './store/folder-blob-store.js';
import { JobStore } from './store/job-store.js';
import { ProgressEvents } from './store/progress-events.js';

export interface BuiltBackend {
  backend: Backend;
  /** Distributed mode: the read-only queue dashboard, mounted by the app at /admin/queues. */
  dashboard?: Dashboard;
}

/**
 * Builds what ConversionService runs on. Every deployment shares the same parts — the SQLite
 * store, the folder blob store, the in-process progress bus and a Piscina pool for the
 * whole-document tasks — and only execution varies: the pool itself in local mode, or with
 * REDIS_URL the worker nodes through BullMQ (an API node). That one is imported on demand, so
 * local mode never loads bullmq or ioredis.
 */
export async function createBackend(config: Config, log: Logger): Promise<BuiltBackend> {
  const store = new JobStore(path.join(config.DATA_DIR, 'pagemill.db'), loadSecretBox(config));
  try {
    // An API node with --workers 0 still keeps one thread for inspection, previews and searchable PDFs.
    const runner = await PiscinaPageRunner.start({ ...config, NUM_WORKERS: Math.max(1, config.NUM_WORKERS) }, log);
    const shared = { store, bus: new ProgressEvents(), blobs: new FolderBlobStore(config), tasks: runner };
    if (!config.REDIS_URL) return { backend: { ...shared, kind: 'local', execution: new LocalExecution(runner) } };
    const { createBullmqExecution } = await import('./execution/bullmq/bullmq-wiring.js');
    const { execution, dashboard } = createBullmqExecution(config, runner, log);
    return { backend: { ...shared, kind: 'bullmq', execution, cluster: execution }, dashboard };
  } catch (err) {
    store.close();
    throw err;
  }
}
