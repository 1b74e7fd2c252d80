import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { loadSecretBox } from '../../secret-box.js';
import type { Backend } from '../contracts/backend.js';
import { JobStore } from '../local/job-store.js';
import { LocalBlobStore } from '../local/local-blob-store.js';
import { ProgressEvents } from '../local/progress-events.js';
import { PiscinaPageRunner } from '../piscina-page-runner.js';
import { BullmqExecution } from './bullmq-execution.js';

/**
 * The API node of distributed mode: records in SQLite (one API node is the source of truth),
 * progress in process, outputs in local folders; pages run on worker nodes through BullMQ.
 * Whole-document tasks (inspect, searchable PDF, previews) keep one local thread; with NUM_WORKERS > 0
 * that many pages also run here.
 */
export interface ClusterBackend extends Backend {
  execution: BullmqExecution;
}

export async function createBullmqBackend(config: Config, log: Logger): Promise<ClusterBackend> {
  const store = new JobStore(path.join(config.DATA_DIR, 'pagemill.db'), loadSecretBox(config));
  try {
    const local = await PiscinaPageRunner.start({ ...config, NUM_WORKERS: Math.max(1, config.NUM_WORKERS) }, log);
    const execution = new BullmqExecution(config, local, log);
    return { kind: 'bullmq', store, bus: new ProgressEvents(), execution, blobs: new LocalBlobStore(config), cluster: execution };
  } catch (err) {
    store.close();
    throw err;
  }
}
