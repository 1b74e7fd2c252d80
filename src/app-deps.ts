import type { Logger } from 'pino';
import type { Dashboard } from './jobs/execution/bullmq/bull-board.js';
import type { Config } from './config.js';
import type { ConversionService } from './jobs/workflow/conversion-service.js';
import type { DocumentLibrary } from './jobs/documents/document-library.js';
import type { ConversionArchive } from './jobs/documents/conversion-archive.js';
import type { Metrics } from './observability/metrics.js';
import type { ApiKeys } from './security/api-keys.js';
import type { ClusterApi } from './jobs/contracts/cluster-api.js';

/** What the app and its routes are built from (src/runtime.ts makes them); routes import it from here, never app.ts. */
export interface AppDeps {
  config: Config;
  service: ConversionService;
  library: DocumentLibrary;
  /** GET /conversions/:id/archive: a finished conversion as one zip. */
  archive: ConversionArchive;
  metrics: Metrics;
  apiKeys: ApiKeys;
  logger: Logger;
  /** Distributed mode: what the internal routes serve to worker nodes. */
  cluster?: ClusterApi;
  /** Distributed mode: the read-only queue dashboard, mounted at /admin/queues. */
  dashboard?: Dashboard;
}
