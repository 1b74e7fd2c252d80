import type { BlobStore } from './blob-store.js';
import type { ClusterApi } from './cluster-api.js';
import type { ConversionStore } from './conversion-store.js';
import type { ExecutionBackend } from './execution-backend.js';
import type { ProgressBus } from './progress-bus.js';

/** Everything ConversionService runs on, built at wiring time by src/jobs/backend-factory.ts. */
export interface Backend {
  store: ConversionStore;
  bus: ProgressBus;
  execution: ExecutionBackend;
  blobs: BlobStore;
  /** Human name for logs and /stats ("local"). */
  kind: string;
  /** Distributed backends: what the internal routes serve to worker nodes. */
  cluster?: ClusterApi;
}
