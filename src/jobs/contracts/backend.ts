import type { BlobStore } from './blob-store.js';
import type { ClusterApi } from './cluster-api.js';
import type { ConversionStore } from './conversion-store.js';
import type { ExecutionBackend } from './execution-backend.js';
import type { DocumentTasks } from './page-runner.js';
import type { ProgressBus } from './progress-bus.js';

/**
 * Everything ConversionService runs on, built at wiring time by src/jobs/backend-factory.ts. Only
 * `execution` differs between local mode and distributed mode; the rest is the same in both.
 */
export interface Backend {
  store: ConversionStore;
  bus: ProgressBus;
  execution: ExecutionBackend;
  blobs: BlobStore;
  /** Whole-document tasks, run in this process. */
  tasks: DocumentTasks;
  /** Human name for logs and /stats ("local"). */
  kind: string;
  /** Distributed backends: what the internal routes serve to worker nodes. */
  cluster?: ClusterApi;
}
