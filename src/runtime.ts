import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { ConversionService } from './jobs/conversion-service.js';
import { DocumentLibrary } from './jobs/document-library.js';
import { JobStore } from './jobs/job-store.js';
import { PagePreviews } from './jobs/page-previews.js';
import { Maintenance } from './jobs/maintenance.js';
import { WebhookSender } from './jobs/webhooks.js';
import { PiscinaPageRunner } from './jobs/piscina-page-runner.js';
import { languagesFromTessdata, prepareLanguages } from './pipeline/languages.js';
import { chooseOcrEngine, nativeTesseractVersion } from './pipeline/ocr-engine-choice.js';
import { createMetrics, type Metrics } from './metrics.js';
import { loadApiKeys, type ApiKeys } from './api-keys.js';
import { logSerializers } from './log-redaction.js';
import { loadSecretBox } from './secret-box.js';

export interface Runtime {
  service: ConversionService;
  library: DocumentLibrary;
  store: JobStore;
  maintenance: Maintenance;
  metrics: Metrics;
  apiKeys: ApiKeys;
  /** Graceful: lets running pages finish for up to `graceMs`, then stops them. */
  close(graceMs?: number): Promise<void>;
}

/** Wires the local backend: SQLite store + page scheduler + Piscina pool. Resumes unfinished work. */
export async function createRuntime(config: Config, parentLog: Logger): Promise<Runtime> {
  const log = parentLog.child({}, { serializers: logSerializers });
  const apiKeys = loadApiKeys(config);
  for (const dir of [config.INPUT_DIR, config.OUTPUT_DIR, config.DATA_DIR, path.join(config.DATA_DIR, 'uploads')]) {
    // DATA_DIR holds the job store, the key file and uploaded originals: owner-only when we create it.
    await fs.mkdir(dir, { recursive: true, mode: dir === config.DATA_DIR ? 0o700 : 0o777 });
  }
  await clearStaleUploads(path.join(config.DATA_DIR, 'uploads'));
  const store = new JobStore(path.join(config.DATA_DIR, 'pagemill.db'), loadSecretBox(config));
  const runner = await PiscinaPageRunner.start(config, log);
  const languages = config.TESSDATA_DIR ? await languagesFromTessdata(config.TESSDATA_DIR) : await prepareLanguages(path.join(config.DATA_DIR, 'cache'));
  const version = config.OCR_ENGINE === 'wasm' ? null : await nativeTesseractVersion();
  languages.ocr = await chooseOcrEngine(config.OCR_ENGINE, languages, path.join(config.DATA_DIR, 'cache'), version);
  log.info({ languages: languages.installed, orientation_detection: languages.hasOsd }, 'OCR languages');
  log.info({ engine: languages.ocr.engine, setting: config.OCR_ENGINE, native: version, tessdata: languages.ocr.nativeDir ?? languages.dir }, 'OCR engine');
  const service = new ConversionService(config, store, runner, languages, log);
  const previews = new PagePreviews(config, runner, log);
  const library = new DocumentLibrary(config, store, previews);
  const maintenance = new Maintenance(config, service, store, log);
  const webhooks = new WebhookSender(config, store, service, log);
  webhooks.start();
  await service.resume();
  maintenance.start();
  return {
    service, library, store, maintenance, metrics: createMetrics(service), apiKeys,
    async close(graceMs = config.SHUTDOWN_TIMEOUT_S * 1000) {
      maintenance.stop();
      webhooks.stop();
      previews.close();
      await service.shutdown(graceMs);
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
