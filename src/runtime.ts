import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Dashboard } from './jobs/execution/bullmq/bull-board.js';
import type { Config } from './config.js';
import { ConversionService } from './jobs/workflow/conversion-service.js';
import { DocumentLibrary } from './jobs/documents/document-library.js';
import { PagePreviews } from './jobs/documents/page-previews.js';
import { ConversionArchive } from './jobs/documents/conversion-archive.js';
import { Maintenance } from './jobs/upkeep/maintenance.js';
import { WebhookSender } from './jobs/upkeep/webhooks.js';
import { createBackend, type BuiltBackend } from './jobs/backend-factory.js';
import type { ConversionStore } from './jobs/contracts/conversion-store.js';
import type { ClusterApi } from './jobs/contracts/cluster-api.js';
import type { Languages } from './languages/languages.js';
import { prepareOcr } from './languages/ocr-setup.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { loadApiKeys, type ApiKeys } from './security/api-keys.js';
import { logSerializers } from './observability/log-redaction.js';

export interface Runtime {
  service: ConversionService;
  library: DocumentLibrary;
  archive: ConversionArchive;
  store: ConversionStore;
  maintenance: Maintenance;
  metrics: Metrics;
  apiKeys: ApiKeys;
  /** Distributed mode: what the internal routes serve to worker nodes. */
  cluster?: ClusterApi;
  /** Distributed mode: the read-only queue dashboard for /admin/queues. */
  dashboard?: Dashboard;
  /** Graceful: lets running pages finish for up to `graceMs`, then stops them. */
  close(graceMs?: number): Promise<void>;
}

/** What tests may put in place of the real parts (the seams of test/fakes). */
export interface RuntimeSeams {
  /** A backend of fakes instead of the one the config picks. */
  backend?: (config: Config, log: Logger) => Promise<BuiltBackend>;
  /** Installed languages, without looking for language data or an OCR engine. */
  languages?: Languages;
}

/** Wires the service onto the backend the config picks (see backend-factory.ts). Resumes unfinished work. */
export async function createRuntime(config: Config, parentLog: Logger, seams: RuntimeSeams = {}): Promise<Runtime> {
  const log = parentLog.child({}, { serializers: logSerializers });
  const apiKeys = loadApiKeys(config);
  for (const dir of [config.INPUT_DIR, config.OUTPUT_DIR, config.DATA_DIR, path.join(config.DATA_DIR, 'uploads')]) {
    // DATA_DIR holds the job store, the key file and uploaded originals: owner-only when we create it.
    await fs.mkdir(dir, { recursive: true, mode: dir === config.DATA_DIR ? 0o700 : 0o777 });
  }
  await clearStaleUploads(path.join(config.DATA_DIR, 'uploads'));
  const { backend, dashboard } = await (seams.backend ?? createBackend)(config, log);
  const { store } = backend;
  for (const [from, to] of apiKeys.legacyOwners) {
    const moved = store.renameOwner(from, to);
    // The old name is 6 characters of the key itself: never logged.
    if (moved > 0) log.info({ owner: to, conversions: moved }, 'conversions of an unnamed API key moved to its new name');
  }
  const languages = seams.languages ?? (await prepareOcr(config, log));
  const service = new ConversionService(config, backend, languages, log);
  const previews = new PagePreviews(config, backend.tasks, backend.blobs, store, log);
  const library = new DocumentLibrary(config, store, backend.blobs, previews);
  const archive = new ConversionArchive(service.queries, previews, backend.blobs, log);
  const maintenance = new Maintenance(config, service, store, log);
  const webhooks = new WebhookSender(config, store, service, log);
  webhooks.start();
  await service.operations.resume();
  maintenance.start();
  return {
    service, library, archive, store, maintenance, metrics: createMetrics(service), apiKeys, cluster: backend.cluster, dashboard,
    async close(graceMs = config.SHUTDOWN_TIMEOUT_S * 1000) {
      maintenance.stop();
      webhooks.stop();
      previews.close();
      await service.operations.shutdown(graceMs);
      store.close();
    },
  };
}

/** Temporary upload files of requests that were cut off by a crash. */
async function clearStaleUploads(dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (name.startsWith('tmp-')) await fs.rm(path.join(dir, name), { force: true });
  }
}
