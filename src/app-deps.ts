import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { ConversionService } from './jobs/conversion-service.js';
import type { DocumentLibrary } from './jobs/document-library.js';
import type { Metrics } from './metrics.js';
import type { ApiKeys } from './api-keys.js';
import type { ClusterApi } from './jobs/contracts/cluster-api.js';

/** What the app and its routes are built from (src/runtime.ts makes them); routes import it from here, never app.ts. */
export interface AppDeps {
  config: Config;
  service: ConversionService;
  library: DocumentLibrary;
  metrics: Metrics;
  apiKeys: ApiKeys;
  logger: Logger;
  /** Distributed mode: what the internal routes serve to worker nodes. */
  cluster?: ClusterApi;
}
