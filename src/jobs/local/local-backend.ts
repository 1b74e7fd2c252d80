import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { loadSecretBox } from '../../secret-box.js';
import type { Backend } from '../contracts/backend.js';
import { PiscinaPageRunner } from '../piscina-page-runner.js';
import { JobStore } from './job-store.js';
import { LocalBlobStore } from './local-blob-store.js';
import { LocalExecution } from './local-execution.js';
import { ProgressEvents } from './progress-events.js';

/** The local backend, one process: SQLite under DATA_DIR, in-process events, a Piscina pool, local folders. */
export interface LocalBackend extends Backend {
  store: JobStore;
  execution: LocalExecution;
}

export async function createLocalBackend(config: Config, log: Logger): Promise<LocalBackend> {
  const store = new JobStore(path.join(config.DATA_DIR, 'pagemill.db'), loadSecretBox(config));
  try {
    const runner = await PiscinaPageRunner.start(config, log);
    return { kind: 'local', store, bus: new ProgressEvents(), execution: new LocalExecution(runner), blobs: new LocalBlobStore(config) };
  } catch (err) {
    store.close();
    throw err;
  }
}
